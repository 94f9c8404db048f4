using Research.Lib.Losses;
using Research.Lib.Modeling;
using Research.Lib.Training;

namespace Research.Lib.Tests.Training;

/// <summary>A finished run's folder: the model, its log, its arguments and its model card.</summary>
public class TrainingRunFolderTests
{
    [Fact]
    public void TheModelCardSaysWhatTheModelWasTrainedFromOnWhatWithWhichLossAndWhichStepWasKept()
    {
        using var work = new TempDir();
        using var encoder = SentenceEncoder.Load(Path.Combine(TestPaths.ToyData, "tiny-bert"));
        var data = Path.Combine(TestPaths.ToyData, "toy_source.json");
        var eval = new Dictionary<string, double> { ["main_score"] = 0.9, ["ndcg_at_10"] = 0.9, ["mrr_at_10"] = 0.85 };
        var log = new List<TrainingLogEntry>
        {
            new(2, 0.5, 1.25, 0.001, 1.0, 0.5, 0.4, 0.1) { Eval = eval },
            new(4, 1.0, 1.0, 0.0, 1.0, 0.5, 0.4, 0.1) { Eval = new Dictionary<string, double> { ["main_score"] = 0.8 } },
        };
        var options = new SupervisedTrainingOptions { Loss = LossSpec.FromObject(new() { ["type"] = "cosent", ["scale"] = 20 }), Patience = 1, EvaluateEvery = 2 };
        var outDir = Path.Combine(work.Path, "my-model");
        TrainingRunFolder.Write(outDir, encoder, new TrainingResult(log, 4, 2, eval, StoppedEarly: true), TrainingConfig.ToJson(options), Path.Combine(TestPaths.ToyData, "tiny-bert"), data);
        var card = File.ReadAllLines(Path.Combine(outDir, "README.md"));
        Assert.Equal("# my-model", card[6]);
        Assert.Equal(
        [
            $"| base model | {Path.GetFullPath(Path.Combine(TestPaths.ToyData, "tiny-bert"))} |",
            $"| training data | {Path.GetFullPath(data)} (SHA-256 a8344484902fc5d15f6f7237524b2fd4b6879f6c7cd26bf5aee80f3889b9344f) |",
            "| method | supervised |",
            """| loss | {"type":"cosent","scale":20} |""",
            "| steps | 4 (stopped early: patience) |",
            "| evaluation | best main_score 0.9000 at step 2; the saved weights are that step's |",
        ], card.SkipWhile(l => l != "|---|---|").Skip(1).Take(6));
        Assert.Equal(["| main_score | 0.9000 |", "| ndcg_at_10 | 0.9000 |", "| mrr_at_10 | 0.8500 |"], card.SkipWhile(l => l != "| metric | value |").Skip(2).Take(3));
        Assert.Contains("  \"patience\": 1,", card);
        // The card does not depend on the clock: the same run writes the same bytes.
        var again = Path.Combine(work.Path, "my-model-again");
        TrainingRunFolder.Write(again, encoder, new TrainingResult(log, 4, 2, eval, StoppedEarly: true), TrainingConfig.ToJson(options), Path.Combine(TestPaths.ToyData, "tiny-bert"), data);
        Assert.Equal(File.ReadAllText(Path.Combine(outDir, "README.md")).Replace("my-model", "", StringComparison.Ordinal),
            File.ReadAllText(Path.Combine(again, "README.md")).Replace("my-model-again", "", StringComparison.Ordinal));
    }
}
