using System.Text.Json.Nodes;
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

    private static List<JsonObject> Traces(string figureJson) =>
        JsonNode.Parse(figureJson)!["data"]!.AsArray().Select(t => t!.AsObject()).ToList();
}
