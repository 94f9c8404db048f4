using System.Text.Json.Nodes;
using Research.Lib.Evaluation;

namespace Research.Lib.Tests.Evaluation;

public class MetricTableTests
{
    private static MetricTable Table() => new MetricTable()
        .Add("bm25", "SciFact", "test", new Dictionary<string, double> { ["ndcg_at_10"] = 0.66123, ["mrr_at_10"] = 0.625 }, "ndcg_at_10")
        .Add("dense", "SciFact", "test", new Dictionary<string, double> { ["ndcg_at_10"] = 0.7 }, "ndcg_at_10");

    [Fact]
    public void MarkdownPutsModelsSideBySide()
    {
        Assert.Equal(
            "| task | split | metric | bm25 | dense |\n|---|---|---|---:|---:|\n"
            + "| SciFact | test | ndcg_at_10 | 0.6612 | 0.7000 |\n| SciFact | test | mrr_at_10 | 0.6250 |  |\n",
            Table().ToMarkdown());
    }

    [Fact]
    public void MtebJsonHasMainScoreAndEveryMetric()
    {
        using var dir = new TempDir();
        var paths = Table().WriteMtebJson(dir.Path, ["eng-Latn"]);
        Assert.Equal([Path.Combine(dir.Path, "bm25", "SciFact.json"), Path.Combine(dir.Path, "dense", "SciFact.json")], paths);
        var json = JsonNode.Parse(File.ReadAllText(paths[0]))!;
        Assert.Equal("SciFact", json["task_name"]!.GetValue<string>());
        var test = json["scores"]!["test"]![0]!;
        Assert.Equal(0.66123, test["main_score"]!.GetValue<double>());
        Assert.Equal(0.625, test["mrr_at_10"]!.GetValue<double>());
        Assert.Equal("eng-Latn", test["languages"]![0]!.GetValue<string>());
    }

    [Fact]
    public void DataFrameHasOneRowPerValue()
    {
        var frame = Table().ToDataFrame();
        Assert.Equal(3, frame.Rows.Count);
        Assert.Equal(["model", "task", "split", "metric", "value"], frame.Columns.Select(c => c.Name));
        Assert.Equal(0.7, (double)frame.Columns["value"][2]!);
    }

    [Fact]
    public void DuplicateValuesAndUnknownMainScoreAreRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => Table().Add("bm25", "SciFact", "test", new Dictionary<string, double> { ["ndcg_at_10"] = 1 }, "ndcg_at_10"));
        Assert.Equal("bm25 / SciFact / test already has a value for ndcg_at_10.", e.Message);
        Assert.StartsWith("main score 'map' is not among the metrics (ndcg_at_10)",
            Assert.Throws<ArgumentException>(() => new MetricTable().Add("m", "t", "s", new Dictionary<string, double> { ["ndcg_at_10"] = 1 }, "map")).Message);
    }
}
