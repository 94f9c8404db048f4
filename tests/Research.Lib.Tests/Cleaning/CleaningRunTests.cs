using System.Text.Json.Nodes;
using Research.Lib.Cleaning;
using Research.Lib.Data;

namespace Research.Lib.Tests.Cleaning;

/// <summary>The clean stage's folder: what <c>research clean</c>, a notebook or a script gets from one call.</summary>
public class CleaningRunTests
{
    // cos(A, B) = 0.8; D apart; the evaluation query E equals D's direction, so D's record leaks.
    private static readonly FixedEncoder Encoder = new(new()
    {
        ["A"] = [1, 0, 0],
        ["B"] = [0.8f, 0.6f, 0],
        ["D"] = [0, 0, 1],
        ["E"] = [0, 0, 1],
    });

    private static readonly TrainingExample[] Records = [new("A", ["pa"], []), new("D", ["pd"], []), new("B", ["pb"], [])];

    [Fact]
    public void TheFolderHoldsTheKeptRecordsTheReportsAndASummaryOfTheirCounts()
    {
        var run = CleaningRun.Run(Records, "train.jsonl", Encoder, "model", new QueryCleanerOptions { Threshold = 0.7 }, evalQueries: ["E"], removeLeaks: true);
        var dir = Path.Combine(Path.GetTempPath(), $"clean-{Guid.NewGuid():N}");
        try
        {
            run.Write(dir);
            Assert.Equal([".research-output.json", "cleaned.jsonl", "dropped.tsv", "leakage.tsv", "summary.json"], Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.Equal(["A"], TrainingExampleReader.Read(Path.Combine(dir, "cleaned.jsonl")).Select(e => e.Query));
            Assert.Equal(["line\tquery\tkept_line\tkept_query\tcosine\tgroup_size\treason", "3\tB\t1\tA\t0.8\t2\tnear"], File.ReadAllLines(Path.Combine(dir, "dropped.tsv")));
            Assert.Equal(["cleaned_line\ttrain_query\tkind\teval_text\tcosine", "2\tD\tquery\tE\t1"], File.ReadAllLines(Path.Combine(dir, "leakage.tsv")));
            var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!.AsObject();
            Assert.Equal((3, 0, 1, 1, 1, 1), ((int)summary["records_in"]!, (int)summary["exact_duplicates"]!, (int)summary["near_duplicates"]!,
                (int)summary["leaks"]!, (int)summary["leaks_removed"]!, (int)summary["records_out"]!));
            Assert.Equal(Path.GetFullPath("model"), (string)summary["encoder"]!);
            Assert.Equal($"3 records -> 1: 0 exact and 1 near duplicates removed (2 groups at cosine > 0.7), 1 leaks into the evaluation set; report in {dir}", run.Describe(dir));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void WithoutAnEvaluationSetThereIsNoLeakageReportAndNothingToRemove()
    {
        var run = CleaningRun.Run(Records, "train.jsonl", Encoder, "model", new QueryCleanerOptions { Threshold = 0.7 });
        Assert.False(run.LeakageChecked);
        Assert.Equal(["A", "D"], run.Kept.Select(e => e.Query));
        Assert.Equal("--remove-leaks needs --eval-queries and/or --eval-passages.",
            Assert.Throws<ArgumentException>(() => CleaningRun.Run(Records, "train.jsonl", Encoder, "model", new QueryCleanerOptions(), removeLeaks: true)).Message);
        Assert.Equal("train.jsonl: no records to clean.",
            Assert.Throws<InvalidDataException>(() => CleaningRun.Run([], "train.jsonl", Encoder, "model", new QueryCleanerOptions())).Message);
    }
}
