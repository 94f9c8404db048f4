using System.Text.Json.Nodes;
using Research.Lib.Data;
using Research.Lib.Mining;

namespace Research.Lib.Tests.Mining;

/// <summary>The mining stage's folder: what <c>research mine</c>, a notebook or a script gets from one call.</summary>
public class MiningRunTests
{
    private static readonly FixedEncoder Encoder = new(new()
    {
        ["q"] = [1, 0],
        ["pos"] = [0.6f, 0.8f],
        ["far"] = [0, 1],
        ["near"] = [0.8f, 0.6f],
    });

    [Fact]
    public void TheFolderHoldsTheMinedRecordsAndASummaryWithTheSettings()
    {
        var options = new MiningOptions { RangeStart = 0, RangeEnd = 2, Count = 2, Sampling = NegativeSampling.Top };
        var run = MiningRun.Run([new TrainingExample("q", ["pos"], [])], "train.jsonl", ["far", "pos", "near"], Encoder, options);
        var dir = Path.Combine(Path.GetTempPath(), $"mine-{Guid.NewGuid():N}");
        try
        {
            run.Write(dir);
            Assert.Equal([".research-output.json", "mined.jsonl", "summary.json"], Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            var mined = Assert.Single(TrainingExampleReader.Read(Path.Combine(dir, "mined.jsonl")).ToList());
            Assert.Equal(["near", "far"], mined.Neg);
            Assert.Equal([0.8, 0.0], mined.NegScores!.Select(s => Math.Round(s, 6)));
            var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!.AsObject();
            Assert.Equal(("dense", 1, 3, 2L, "0-2", 2, "top"), ((string)summary["method"]!, (int)summary["queries"]!, (int)summary["passages"]!,
                (long)summary["mined"]!, (string)summary["range"]!, (int)summary["negatives"]!, (string)summary["sampling"]!));
            Assert.Equal(Path.GetFullPath("train.jsonl"), (string)summary["input"]!);
            Assert.Equal($"1 queries, 3 passages (dense): 2.0 negatives per query; filtered as likely false negatives 0.0 % of candidates; padded 0.0 %; no negative equals a positive of its query. -> {dir}", run.Describe(dir));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void ThePoolIsCheckedBeforeAnyModelIsNeeded()
    {
        Assert.Equal("train.jsonl: no records to mine for.",
            Assert.Throws<InvalidDataException>(() => MiningRun.CandidatePool([], "train.jsonl", null, new MiningOptions())).Message);
        Assert.Equal("--range 10-210 starts beyond the corpus: it has 2 passages.",
            Assert.Throws<ArgumentException>(() => MiningRun.CandidatePool([new TrainingExample("q", ["pos"], ["far"])], "train.jsonl", null, new MiningOptions())).Message);
    }
}
