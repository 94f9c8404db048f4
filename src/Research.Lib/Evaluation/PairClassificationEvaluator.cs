using Research.Lib.Data;
using Research.Lib.Modeling;

namespace Research.Lib.Evaluation;

/// <summary>
/// Pair classification (duplicate / paraphrase detection, e.g. LCQMC): for each pair score (cosine, dot,
/// euclidean, manhattan) the best-threshold accuracy, F1 with its precision and recall, and average precision;
/// then the maximum of each over the four, as MTEB reports them. Main score: max_ap. Labels: score ≥ 0.5 is positive.
/// </summary>
public static class PairClassificationEvaluator
{
    public const string MainScore = "max_ap";

    public static Dictionary<string, double> Evaluate(IEmbeddingEncoder encoder, IReadOnlyList<TextPair> pairs, EncodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (pairs.Count == 0) throw new ArgumentException("Pair classification needs pairs; got none.");
        if (pairs.FirstOrDefault(p => p.Score is not (0 or 1)) is { } bad)
            throw new ArgumentException($"Pair classification needs labels 0 or 1; pair '{bad.Sentence1}' / '{bad.Sentence2}' has {bad.Score.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        if (pairs.All(p => p.Score == pairs[0].Score))
            throw new ArgumentException($"Pair classification needs both labels; every pair is labelled {pairs[0].Score.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        return FromScores(PairSimilarity.Compute(encoder, pairs, options), pairs.Select(p => p.Score >= 0.5).ToList());
    }

    public static Dictionary<string, double> FromScores(IReadOnlyDictionary<string, double[]> scores, IReadOnlyList<bool> labels)
    {
        var m = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, values) in scores)
        {
            var distance = PairSimilarity.IsDistance(name);
            var oriented = distance ? values.Select(v => -v).ToArray() : values;
            var (accuracy, accThreshold) = BinaryClassificationMetrics.BestAccuracy(oriented, labels);
            var (f1, precision, recall, f1Threshold) = BinaryClassificationMetrics.BestF1(oriented, labels);
            m[name + "_accuracy"] = accuracy;
            m[name + "_accuracy_threshold"] = distance ? -accThreshold : accThreshold;
            m[name + "_f1"] = f1;
            m[name + "_f1_threshold"] = distance ? -f1Threshold : f1Threshold;
            m[name + "_precision"] = precision;
            m[name + "_recall"] = recall;
            m[name + "_ap"] = BinaryClassificationMetrics.AveragePrecision(oriented, labels);
        }
        foreach (var metric in new[] { "accuracy", "f1", "precision", "recall", "ap" })
            m["max_" + metric] = scores.Keys.Max(n => m[n + "_" + metric]);
        m["main_score"] = m[MainScore];
        return m;
    }
}
