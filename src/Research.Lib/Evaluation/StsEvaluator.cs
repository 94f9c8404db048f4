using Research.Lib.Data;
using Research.Lib.Modeling;

namespace Research.Lib.Evaluation;

/// <summary>
/// Semantic textual similarity: Spearman and Pearson correlation (×100, as MTEB reports them) between the gold
/// scores and each pair score (cosine, dot, and negated euclidean / manhattan distances). Main score: cosine_spearman.
/// </summary>
public static class StsEvaluator
{
    public const string MainScore = "cosine_spearman";

    public static Dictionary<string, double> Evaluate(IEmbeddingEncoder encoder, IReadOnlyList<TextPair> pairs, EncodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (pairs.Count < 2) throw new ArgumentException($"STS needs at least 2 scored pairs to correlate; got {pairs.Count}.");
        return FromScores(PairSimilarity.Compute(encoder, pairs, options), pairs.Select(p => p.Score).ToList());
    }

    public static Dictionary<string, double> FromScores(IReadOnlyDictionary<string, double[]> scores, IReadOnlyList<double> gold)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, values) in scores)
        {
            var oriented = PairSimilarity.IsDistance(name) ? values.Select(v => -v).ToArray() : values;
            metrics[name + "_spearman"] = 100 * Correlation.Spearman(oriented, gold);
            metrics[name + "_pearson"] = 100 * Correlation.Pearson(oriented, gold);
        }
        metrics["main_score"] = metrics[MainScore];
        return metrics;
    }
}
