using Research.Lib.Evaluation;
using Research.Lib.Modeling;

namespace Research.Lib.Tests.Evaluation;

public class PairMetricsTests
{
    // scores 0.9 (pos), 0.8 (neg), 0.7 (pos), 0.2 (neg)
    private static readonly double[] Scores = [0.9, 0.8, 0.7, 0.2];
    private static readonly bool[] Labels = [true, false, true, false];

    [Fact]
    public void HandComputedThresholdMetrics()
    {
        // thresholds: above 0.9 -> acc 2/4; 0.85 -> 3/4; 0.75 -> 2/4; 0.45 -> 3/4; all -> 2/4. First best wins: 0.85.
        var (accuracy, threshold) = BinaryClassificationMetrics.BestAccuracy(Scores, Labels);
        Assert.Equal(0.75, accuracy);
        Assert.Equal(0.85, threshold, 12);
        // F1 at top-1: p 1, r .5 -> .667; top-3: p 2/3, r 1 -> .8 (best)
        var f1 = BinaryClassificationMetrics.BestF1(Scores, Labels);
        Assert.Equal(0.8, f1.F1, 12);
        Assert.Equal((2.0 / 3, 1.0), (f1.Precision, f1.Recall));
        Assert.Equal(0.45, f1.Threshold, 12);
        // AP = 0.5 * 1 + 0.5 * 2/3
        Assert.Equal(0.5 + 1.0 / 3, BinaryClassificationMetrics.AveragePrecision(Scores, Labels), 12);
    }

    [Fact]
    public void TrainingPairEvaluationGivesTheSeedsPrecisionRecallF1AndSpearman()
    {
        // "q" against four unit vectors at cosines 0.9 (pos), 0.8 (neg), 0.7 (pos), 0.2 (neg): the four similarities rank
        // them alike, so each has best F1 0.8 at the top 3 (precision 2/3, recall 1), AP 5/6; the Spearman of the cosines
        // against the 0/1 labels as scores is 1/√5 (ranks 4 3 2 1 against 3.5 1.5 3.5 1.5).
        var vectors = new Dictionary<string, float[]> { ["q"] = [1f, 0f] };
        var pairs = new List<Research.Lib.Data.TextPair>();
        for (var i = 0; i < Scores.Length; i++)
        {
            vectors[$"s{i}"] = [(float)Scores[i], (float)Math.Sqrt(1 - Scores[i] * Scores[i])];
            pairs.Add(new("q", $"s{i}", Labels[i] ? 1 : 0));
        }
        var m = TrainingEvaluators.Pairs(pairs, pairs)!(new FixedEncoder(vectors));
        Assert.Equal(["main_score", "pairs_ap", "pairs_f1", "pairs_precision", "pairs_recall", "sts_spearman"], m.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0.8, m["pairs_f1"], 6);
        Assert.Equal(2.0 / 3, m["pairs_precision"], 6);
        Assert.Equal(1.0, m["pairs_recall"], 12);
        Assert.Equal(5.0 / 6, m["pairs_ap"], 6);
        Assert.Equal(100 / Math.Sqrt(5), m["sts_spearman"], 4);
        Assert.Equal(m["sts_spearman"], m["main_score"]);
    }

    [Fact]
    public void TiedScoresAreOneThreshold()
    {
        // 0.5 (pos), 0.5 (neg): AP = 1 * 1/2 (both enter together)
        Assert.Equal(0.5, BinaryClassificationMetrics.AveragePrecision([0.5, 0.5], [true, false]), 12);
    }

    [Fact]
    public void SpearmanAveragesTiedRanks()
    {
        Assert.Equal([1.5, 1.5, 3.0], Correlation.Ranks([2.0, 2.0, 5.0]));
        Assert.Equal(1.0, Correlation.Spearman([1, 2, 3], [10, 20, 30]), 12);
        Assert.Equal(-1.0, Correlation.Pearson([1, 2, 3], [3, 2, 1]), 12);
    }

    [Fact]
    public void PairSimilaritiesAndEvaluatorOrientDistances()
    {
        var a = new EmbeddingMatrix([1, 0, 0, 1], 2, 2);
        var b = new EmbeddingMatrix([1, 0, 1, 0], 2, 2);
        var s = PairSimilarity.Compute(a, b);
        Assert.Equal([1.0, 0.0], s["cosine"]);
        Assert.Equal([0.0, Math.Sqrt(2)], s["euclidean"]);
        Assert.Equal([0.0, 2.0], s["manhattan"]);
        var m = PairClassificationEvaluator.FromScores(s, [true, false]);
        Assert.Equal(1.0, m["max_ap"]);
        Assert.Equal(1.0, m["euclidean_accuracy"]);
        Assert.Equal(Math.Sqrt(2) / 2, m["euclidean_accuracy_threshold"], 12); // a distance threshold, in distance units
        Assert.Equal(m["max_ap"], m["main_score"]);
    }
}
