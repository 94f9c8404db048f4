using Research.Lib.Training;

namespace Research.Lib.Tests.Training;

public class TrainingLogEntryTests
{
    [Fact]
    public void ATrainingLineIsFiveScalarsAndEachMetricUnderEval()
    {
        var entry = new TrainingLogEntry(20, 0.5, 0.75, 2e-5, 3.5, 12.5, 0.625, 0.125, new Dictionary<string, double> { ["ndcg_at_10"] = 0.7, ["main_score"] = 0.7 });
        Assert.Equal(
            [("train/loss", 0.75), ("train/learning_rate", 2e-5), ("train/grad_norm", 3.5), ("train/score_gap", 0.5), ("train/examples_per_second", 12.5),
             ("eval/ndcg_at_10", 0.7), ("eval/main_score", 0.7)],
            entry.Scalars());
    }

    [Fact]
    public void AnEvaluationOnlyLineIsItsMetricsAndALineWithoutScoresHasNoGap()
    {
        var evalOnly = new TrainingLogEntry(30, 1, double.NaN, 0, 0, 0, double.NaN, double.NaN, new Dictionary<string, double> { ["spearman"] = 0.5 });
        Assert.Equal([("eval/spearman", 0.5)], evalOnly.Scalars());
        var noScores = new TrainingLogEntry(10, 0.25, 1.5, 1e-5, 2, 4, double.NaN, double.NaN);
        Assert.Equal([("train/loss", 1.5), ("train/learning_rate", 1e-5), ("train/grad_norm", 2.0), ("train/examples_per_second", 4.0)], noScores.Scalars());
    }
}
