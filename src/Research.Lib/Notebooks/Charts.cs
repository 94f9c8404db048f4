using System.Text.Json.Nodes;

namespace Research.Lib.Notebooks;

/// <summary>
/// Plotly charts for notebooks: loss curves of several runs overlaid, metric bars across runs, and overlaid
/// histograms of similarity scores. Each returns a <see cref="PlotlyChart"/>: a plotly.js figure written here as
/// JSON, shown as the same offline HTML by Polyglot, dotnet-repl and the kit's runner without any kernel package, and
/// convertible to Plotly.NET's GenericChart (<see cref="PlotlyChart.ToGenericChart"/>) for restyling.
/// </summary>
public static class Charts
{
    /// <summary>
    /// Training loss per step for several runs, optionally smoothed with TensorBoard's debiased exponential
    /// moving average (<paramref name="smoothing"/> in [0, 1); 0 = raw). Raw points stay visible, faint, when smoothed.
    /// </summary>
    public static PlotlyChart LossCurves(IReadOnlyDictionary<string, IReadOnlyList<(long Step, double Loss)>> runs, double smoothing = 0, string title = "Training loss", string yTitle = "loss")
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (smoothing is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(smoothing), smoothing, "smoothing must be in [0, 1).");
        var traces = new JsonArray();
        foreach (var (name, points) in runs)
        {
            var steps = points.Select(p => (double)p.Step).ToArray();
            var losses = points.Select(p => p.Loss).ToArray();
            if (smoothing > 0)
            {
                traces.Add(Trace("scatter", name + " (raw)", steps, losses, ("mode", "lines"), ("opacity", 0.25), ("showlegend", false)));
                traces.Add(Trace("scatter", name, steps, Smooth(losses, smoothing), ("mode", "lines")));
            }
            else
            {
                traces.Add(Trace("scatter", name, steps, losses, ("mode", "lines")));
            }
        }
        return new PlotlyChart(traces, Layout(title, "step", yTitle), title);
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
    public static PlotlyChart MetricBars(IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> valuesByRun, string title = "Metrics",
        string xTitle = "metric", string yTitle = "value")
    {
        ArgumentNullException.ThrowIfNull(valuesByRun);
        var metrics = valuesByRun.Values.SelectMany(m => m.Keys).Distinct().ToArray();
        var traces = new JsonArray();
        foreach (var (run, values) in valuesByRun)
        {
            var trace = new JsonObject
            {
                ["type"] = "bar",
                ["name"] = run,
                ["x"] = new JsonArray(metrics.Select(m => (JsonNode)m).ToArray()),
                // Missing metrics are gaps (null), as plotly draws NaN.
                ["y"] = new JsonArray(metrics.Select(m => values.TryGetValue(m, out var v) && double.IsFinite(v) ? (JsonNode)v : null).ToArray()),
            };
            traces.Add(trace);
        }
        return new PlotlyChart(traces, Layout(title, xTitle, yTitle), title);
    }

    /// <summary>
    /// Grouped bars with error bars: one group per task, one bar per series (a model / variant), the bar its mean and
    /// the whisker its standard deviation over seeds (none for a single run), e.g. main scores ×100 or gains over a baseline.
    /// </summary>
    public static PlotlyChart ErrorBars(IReadOnlyDictionary<string, IReadOnlyDictionary<string, (double Mean, double? Sd)>> seriesByTask, string title = "Scores",
        string yTitle = "score", string xTitle = "task")
    {
        ArgumentNullException.ThrowIfNull(seriesByTask);
        var tasks = seriesByTask.Values.SelectMany(m => m.Keys).Distinct().ToArray();
        var traces = new JsonArray();
        foreach (var (series, values) in seriesByTask)
        {
            JsonNode? At(string task, bool sd) => values.TryGetValue(task, out var v) ? (sd ? (v.Sd is { } d ? d : 0) : v.Mean) : null;
            traces.Add(new JsonObject
            {
                ["type"] = "bar",
                ["name"] = series,
                ["x"] = new JsonArray(tasks.Select(t => (JsonNode)t).ToArray()),
                ["y"] = new JsonArray(tasks.Select(t => At(t, false)).ToArray()),
                ["error_y"] = new JsonObject { ["type"] = "data", ["visible"] = true, ["array"] = new JsonArray(tasks.Select(t => At(t, true)).ToArray()) },
            });
        }
        var layout = Layout(title, xTitle, yTitle);
        layout["barmode"] = "group";
        return new PlotlyChart(traces, layout, title);
    }

    /// <summary>
    /// Per-item comparison of two runs: one point per item (x: first run's value, y: second's) and the diagonal; points
    /// above it are the second run's wins. The title counts wins, losses and ties.
    /// </summary>
    public static PlotlyChart WinLoss(IReadOnlyDictionary<string, (double First, double Second)> items, string firstName, string secondName, string metric)
    {
        ArgumentNullException.ThrowIfNull(items);
        var wins = items.Values.Count(v => v.Second > v.First);
        var losses = items.Values.Count(v => v.Second < v.First);
        var title = $"{metric} per query: {secondName} wins {wins}, loses {losses}, ties {items.Count - wins - losses}";
        var lo = items.Count == 0 ? 0 : Math.Min(items.Values.Min(v => Math.Min(v.First, v.Second)), 0);
        var hi = items.Count == 0 ? 1 : Math.Max(items.Values.Max(v => Math.Max(v.First, v.Second)), 1);
        var points = Trace("scatter", "queries", items.Values.Select(v => v.First).ToArray(), items.Values.Select(v => v.Second).ToArray(), ("mode", "markers"), ("opacity", 0.6));
        points["text"] = new JsonArray(items.Keys.Select(k => (JsonNode)k).ToArray());
        var diagonal = Trace("scatter", "tie", [lo, hi], [lo, hi], ("mode", "lines"), ("showlegend", false));
        diagonal["line"] = new JsonObject { ["dash"] = "dash", ["color"] = "gray" };
        return new PlotlyChart(new JsonArray(points, diagonal), Layout(title, firstName, secondName), title);
    }

    /// <summary>Overlaid histograms of two score samples, e.g. cosine of duplicate vs non-duplicate pairs.</summary>
    public static PlotlyChart SimilarityHistogram(IEnumerable<double> first, string firstName, IEnumerable<double> second, string secondName,
        string title = "Similarity", int bins = 40, string xTitle = "score", string yTitle = "pairs")
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        JsonObject Histogram(IEnumerable<double> values, string name) => new()
        {
            ["type"] = "histogram",
            ["name"] = name,
            ["x"] = new JsonArray(values.Select(v => (JsonNode)v).ToArray()),
            ["opacity"] = 0.6,
            ["nbinsx"] = bins,
        };
        var layout = Layout(title, xTitle, yTitle);
        layout["barmode"] = "overlay";
        return new PlotlyChart(new JsonArray(Histogram(first, firstName), Histogram(second, secondName)), layout, title);
    }

    private static JsonObject Trace(string type, string name, double[] x, double[] y, params (string Key, JsonNode Value)[] extra)
    {
        var trace = new JsonObject
        {
            ["type"] = type,
            ["name"] = name,
            ["x"] = new JsonArray(x.Select(v => (JsonNode)v).ToArray()),
            ["y"] = new JsonArray(y.Select(v => (JsonNode)v).ToArray()),
        };
        foreach (var (key, value) in extra) trace[key] = value;
        return trace;
    }

    private static JsonObject Layout(string title, string xTitle, string yTitle)
    {
        var layout = new JsonObject { ["title"] = new JsonObject { ["text"] = title } };
        // Every chart names both axes (a value's unit in its title, e.g. "main score ×100").
        layout["xaxis"] = new JsonObject { ["title"] = new JsonObject { ["text"] = xTitle } };
        layout["yaxis"] = new JsonObject { ["title"] = new JsonObject { ["text"] = yTitle } };
        return layout;
    }
}
