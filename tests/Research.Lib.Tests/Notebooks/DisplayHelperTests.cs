using System.Text.Json.Nodes;
using Plotly.NET;
using Research.Lib.Notebooks;

namespace Research.Lib.Tests.Notebooks;

public class DisplayHelperTests
{
    [Fact]
    public void SmoothingIsTensorBoardsDebiasedEma()
    {
        // weight 0.5: ema = 0.5, 1.25, 1.625; bias corrections 0.5, 0.75, 0.875
        Assert.Equal([1.0, 1.6666666666666667, 1.8571428571428572], Charts.Smooth([1.0, 2.0, 2.0], 0.5));
        Assert.Equal([3.0, 1.0], Charts.Smooth([3.0, 1.0], 0));
    }

    [Fact]
    public void LossCurvesOverlayRunsAndRawPointsWhenSmoothed()
    {
        var runs = new Dictionary<string, IReadOnlyList<(long, double)>>
        {
            ["infonce"] = [(1, 2.0), (2, 1.5), (3, 1.2)],
            ["simcse"] = [(1, 2.5), (2, 2.0), (3, 1.9)],
        };
        var json = Charts.LossCurves(runs, smoothing: 0.6).FigureJson;
        Assert.Equal(["infonce (raw)", "infonce", "simcse (raw)", "simcse"], Traces(json).Select(t => t["name"]!.GetValue<string>()));
        Assert.All(Traces(json), t => Assert.Equal("scatter", t["type"]!.GetValue<string>()));
        Assert.Contains("\"name\":\"infonce (raw)\"", json);
        Assert.Contains("\"text\":\"Training loss\"", json);
        Assert.Throws<ArgumentOutOfRangeException>(() => Charts.LossCurves(runs, smoothing: 1));
    }

    [Fact]
    public void MetricBarsAndHistogramCarryTheirData()
    {
        var bars = Charts.MetricBars(new Dictionary<string, IReadOnlyDictionary<string, double>>
        {
            ["bm25"] = new Dictionary<string, double> { ["ndcg_at_10"] = 0.66, ["mrr_at_10"] = 0.63 },
            ["dense"] = new Dictionary<string, double> { ["ndcg_at_10"] = 0.7 },
        }).FigureJson;
        Assert.Equal(["bar", "bar"], Traces(bars).Select(t => t["type"]!.GetValue<string>()));
        Assert.Contains("[0.66,0.63]", bars);
        var hist = Charts.SimilarityHistogram([0.9, 0.8], "dup", [0.1], "other").FigureJson;
        Assert.Equal(["histogram", "histogram"], Traces(hist).Select(t => t["type"]!.GetValue<string>()));
        Assert.Contains("\"barmode\":\"overlay\"", hist);
    }

    [Fact]
    public void HtmlTableEscapesAndFormatsNumbers()
    {
        var table = new HtmlTable("model", "ndcg@10", "queries") { Caption = "SciFact <test>" }
            .AddRow("bm25 & co", 0.66123456, 300);
        Assert.Equal("<table class=\"research-table\"><caption>SciFact &lt;test&gt;</caption><thead><tr><th>model</th><th>ndcg@10</th><th>queries</th></tr></thead>"
            + "<tbody><tr><td>bm25 &amp; co</td><td style=\"text-align:right\">0.6612</td><td style=\"text-align:right\">300</td></tr></tbody></table>", table.ToHtml());
        Assert.Equal("model      ndcg@10  queries\nbm25 & co  0.6612   300", table.ToString());
        var e = Assert.Throws<ArgumentException>(() => table.AddRow("x"));
        Assert.StartsWith("Row has 1 cells; the table has 3 columns (model, ndcg@10, queries).", e.Message);
    }

    [Fact]
    public void AKitChartBecomesAPlotlyNetChartAndComesBackUnchanged()
    {
        var chart = Charts.WinLoss(new Dictionary<string, (double, double)> { ["q1"] = (0.5, 0.75), ["q2"] = (1, 0) }, "bm25", "dense", "ndcg@10");
        var generic = chart.ToGenericChart();
        var back = PlotlyChart.FromGenericChart(generic);
        Assert.Equal(chart.FigureJson, back.FigureJson);
        Assert.Equal("ndcg@10 per query: dense wins 1, loses 1, ties 0", back.Title);
        Assert.Equal(2, GenericChart.getTraces(generic).Count());
    }

    [Fact]
    public void APlotlyNetChartRestyledOrMadeByPlotlyNetShowsTheKitsWay()
    {
        // Restyled with Plotly.NET's API: the new layout property joins the kit's figure.
        var generic = Charts.MetricBars(new Dictionary<string, IReadOnlyDictionary<string, double>>
        {
            ["bm25"] = new Dictionary<string, double> { ["ndcg_at_10"] = 0.66 },
        }, "metrics").ToGenericChart();
        var layout = GenericChart.getLayout(generic);
        layout.SetProperty("paper_bgcolor", "black");
        var restyled = PlotlyChart.FromGenericChart(GenericChart.setLayout(layout, generic));
        Assert.Equal("black", JsonNode.Parse(restyled.FigureJson)!["layout"]!["paper_bgcolor"]!.GetValue<string>());
        Assert.Equal("metrics", restyled.Title);
        // A chart Plotly.NET made itself (its default template included), titled by its layout or by the caller.
        var trace = new Trace2D("scatter");
        trace.SetProperty("x", new[] { 1, 2 });
        trace.SetProperty("y", new[] { 3.5, 4.5 });
        var own = GenericChart.ofTraceObject(true, trace);
        var shown = PlotlyChart.FromGenericChart(own);
        Assert.Equal("Plotly.NET chart", shown.Title);
        Assert.Equal("{\"type\":\"scatter\",\"x\":[1,2],\"y\":[3.5,4.5]}", JsonNode.Parse(shown.FigureJson)!["data"]![0]!.ToJsonString());
        Assert.NotNull(JsonNode.Parse(shown.FigureJson)!["layout"]!["template"]);
        Assert.Equal("mine", PlotlyChart.FromGenericChart(own, "mine").Title);
        Assert.StartsWith("<div class=\"research-chart\"", shown.ToHtml());
    }

    [Fact]
    public void FSharpCoreBindingSaysWhatIsLoadedAndInstallsOnce()
    {
        _ = typeof(GenericChart).Assembly; // Plotly.NET loads FSharp.Core with it
        var first = FSharpCoreBinding.Install();
        Assert.Equal(first, FSharpCoreBinding.Install());
        var version = typeof(Microsoft.FSharp.Core.FSharpOption<int>).Assembly.GetName().Version;
        Assert.Equal($"FSharp.Core {version} loaded; later requests for FSharp.Core resolve to it", first);
        // A request for a newer FSharp.Core than the one loaded resolves to the loaded one.
        var newer = new System.Reflection.AssemblyName($"FSharp.Core, Version={version!.Major}.{version.Minor + 1}.0.0, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a");
        Assert.Same(typeof(Microsoft.FSharp.Core.FSharpOption<int>).Assembly, System.Runtime.Loader.AssemblyLoadContext.Default.LoadFromAssemblyName(newer));
    }

    private static List<JsonObject> Traces(string figureJson) =>
        JsonNode.Parse(figureJson)!["data"]!.AsArray().Select(t => t!.AsObject()).ToList();
}
