using Research.Lib.Data;
using Research.Lib.Modeling;

namespace Research.Lib.Mining;

/// <summary>
/// Mined records re-scored by a cross-encoder (reranker), as FlagEmbedding's <c>add_reranker_score</c> and
/// sentence-transformers' <c>mine_hard_negatives(cross_encoder=...)</c> do: every (query, positive) and (query, negative)
/// pair gets the reranker's logit, written into <c>pos_scores</c> / <c>neg_scores</c> as teacher scores for distillation
/// (they replace the miner's scores); a negative the reranker scores above the record's lowest-scoring positive (less
/// the margin) is dropped as a likely false negative. Queries carry the record's prompt, as reranker training
/// reads them.
/// </summary>
public static class RerankerRescoring
{
    /// <param name="examples">the records (kept in order; each keeps its positives)</param>
    /// <param name="reranker">the cross-encoder</param>
    /// <param name="margin">
    /// a negative is dropped when its score exceeds the lowest positive score minus this (0: dropped when above a positive;
    /// larger drops more); null keeps every negative and only writes the scores
    /// </param>
    /// <param name="batchSize">pairs per forward pass</param>
    /// <param name="progress">pairs scored so far</param>
    /// <returns>the re-scored records and how many negatives were dropped</returns>
    public static (List<TrainingExample> Examples, long Dropped, int QueriesLeftWithout) Rescore(IReadOnlyList<TrainingExample> examples, CrossEncoder reranker,
        double? margin = 0, int batchSize = 32, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(reranker);
        if (margin is { } m && !double.IsFinite(m)) throw new ArgumentException($"rescore margin {m}: expected a finite number.", nameof(margin));
        var pairs = examples.SelectMany(e => e.Pos.Concat(e.Neg).Select(p => (e.QueryText(""), p))).ToList();
        var scores = reranker.Predict(pairs, batchSize, progress);
        var result = new List<TrainingExample>(examples.Count);
        var (at, dropped, without) = (0, 0L, 0);
        foreach (var e in examples)
        {
            var pos = scores.AsSpan(at, e.Pos.Count).ToArray().Select(s => (double)s).ToList();
            var neg = scores.AsSpan(at + e.Pos.Count, e.Neg.Count).ToArray().Select(s => (double)s).ToList();
            at += e.Pos.Count + e.Neg.Count;
            var keep = Enumerable.Range(0, e.Neg.Count).Where(i => margin is not { } mm || neg[i] <= pos.Min() - mm).ToList();
            dropped += e.Neg.Count - keep.Count;
            if (e.Neg.Count > 0 && keep.Count == 0) without++;
            result.Add(e with { PosScores = pos, Neg = keep.Select(i => e.Neg[i]).ToList(), NegScores = keep.Select(i => neg[i]).ToList() });
        }
        return (result, dropped, without);
    }
}
