using Plotly.NET;
using Plotly.NET.CSharp;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace Research.Lib.Notebooks;

/// <summary>
/// Plotly charts for notebooks: loss curves of several runs overlaid, metric bars across runs, and overlaid
/// histograms of similarity scores. Each returns a Plotly.NET chart, which notebooks display and the headless
/// runner renders offline.
/// </summary>
public static class Charts
{
    /// <summary>
    /// Training loss per step for several runs, optionally smoothed with TensorBoard's debiased exponential
    /// moving average (<paramref name="smoothing"/> in [0, 1); 0 = raw). Raw points stay visible, faint, when smoothed.
    /// </summary>
    public static GenericChart LossCurves(IReadOnlyDictionary<string, IReadOnlyList<(long Step, double Loss)>> runs, double smoothing = 0, string title = "Training loss")
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (smoothing is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(smoothing), smoothing, "smoothing must be in [0, 1).");
        var traces = new List<GenericChart>();
        foreach (var (name, points) in runs)
        {
            var steps = points.Select(p => p.Step).ToArray();
            var losses = points.Select(p => p.Loss).ToArray();
            if (smoothing > 0)
            {
                traces.Add(CSharpChart.Line<long, double, string>(x: steps, y: losses, Name: name + " (raw)", Opacity: 0.25, ShowLegend: false));
                traces.Add(CSharpChart.Line<long, double, string>(x: steps, y: Smooth(losses, smoothing), Name: name));
            }
            else
            {
                traces.Add(CSharpChart.Line<long, double, string>(x: steps, y: losses, Name: name));
            }
        }
        return Titled(CSharpChart.Combine(traces).WithXAxisStyle<long, long, string>(TitleText: "step").WithYAxisStyle<double, double, string>(TitleText: "loss"), title);
    }

    /// <summary>TensorBoard's smoothing: EMA with weight <paramref name="weight"/>, divided by (1 - weight^t) to remove the start-up bias.</summary>
    public static double[] Smooth(IReadOnlyList<double> values, double weight)
    {
        ArgumentNullException.ThrowIfNull(values);
        var result = new double[values.Count];
        double last = 0, correction = 1;
        for (var i = 0; i < values.Count; i++)
        {
            last = last * weight + (1 - weight) * values[i];
            correction *= weight;
            result[i] = weight == 0 ? values[i] : last / (1 - correction);
        }
        return result;
    }

    /// <summary>Grouped bars: one group per metric, one bar per run (e.g. nDCG@10, MRR@10, Recall@100 for two models).</summary>
    public static GenericChart MetricBars(IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> valuesByRun, string title = "Metrics")
    {
        ArgumentNullException.ThrowIfNull(valuesByRun);
        var metrics = valuesByRun.Values.SelectMany(m => m.Keys).Distinct().ToArray();
        var bars = valuesByRun.Select(run => CSharpChart.Column<double, string, string>(
            values: metrics.Select(m => run.Value.TryGetValue(m, out var v) ? v : double.NaN),
            Keys: metrics, Name: run.Key));
        return Titled(CSharpChart.Combine(bars).WithYAxisStyle<double, double, string>(TitleText: "value"), title);
    }

    private static GenericChart Titled(GenericChart chart, string text)
    {
        var title = new Title();
        title.SetProperty("text", text);
        var layout = new Layout();
        layout.SetProperty("title", title);
        return GenericChart.addLayout(layout, chart);
    }

    private static Layout OverlayBars()
    {
        var layout = new Layout();
        layout.SetProperty("barmode", "overlay");
        return layout;
    }

    /// <summary>Overlaid histograms of two score samples, e.g. cosine of duplicate vs non-duplicate pairs.</summary>
    public static GenericChart SimilarityHistogram(IEnumerable<double> first, string firstName, IEnumerable<double> second, string secondName,
        string title = "Similarity", int bins = 40)
    {
        var a = CSharpChart.Histogram<double, double, string>(X: first.ToArray(), Name: firstName, Opacity: 0.6, NBinsX: bins);
        var b = CSharpChart.Histogram<double, double, string>(X: second.ToArray(), Name: secondName, Opacity: 0.6, NBinsX: bins);
        var chart = CSharpChart.Combine([a, b]).WithXAxisStyle<double, double, string>(TitleText: "score").WithYAxisStyle<double, double, string>(TitleText: "pairs");
        return GenericChart.addLayout(OverlayBars(), Titled(chart, title));
    }
}
