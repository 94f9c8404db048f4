using Research.Lib.Data;
using Research.Lib.Modeling;

namespace Research.Lib.Evaluation;

/// <summary>
/// The evaluations a training run calls every evaluate_every steps, each returning its metrics with a
/// <c>main_score</c> that picks the best step. Retrieval: nDCG@10 (main), MRR@10 and recall@100 over a dev set,
/// ranked once per call. Sentence pairs: STS Spearman (main) and/or pair-classification AP (main without STS) and F1.
/// </summary>
public static class TrainingEvaluators
{
    /// <summary>
    /// Retrieval on <paramref name="dev"/> (top <paramref name="topK"/> per query): <paramref name="metrics"/> (default
    /// ndcg_at_10, mrr_at_10, recall_at_100, as <c>research train --eval</c> logs them) and main_score = ndcg_at_10.
    /// </summary>
    public static Func<IEmbeddingEncoder, IReadOnlyDictionary<string, double>> Retrieval(RetrievalDataset dev, int topK = 100, IReadOnlyList<string>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(dev);
        var names = metrics ?? ["ndcg_at_10", "mrr_at_10", "recall_at_100"];
        return encoder =>
        {
            var result = RetrievalEvaluator.Evaluate(encoder, dev, topK).Result;
            var values = names.ToDictionary(n => n, n => result[n]);
            values["main_score"] = result[RetrievalEvaluator.MainScore];
            return values;
        };
    }

    /// <summary>
    /// Scored pairs (<paramref name="sts"/>: sts_spearman) and/or labelled pairs (<paramref name="labelled"/>: pairs_ap,
    /// pairs_f1 and the pairs_precision / pairs_recall at its threshold); main_score is the Spearman when there are scored
    /// pairs, else the AP. Null when neither is given.
    /// </summary>
    public static Func<IEmbeddingEncoder, IReadOnlyDictionary<string, double>>? Pairs(IReadOnlyList<TextPair>? sts, IReadOnlyList<TextPair>? labelled)
    {
        if (sts is null && labelled is null) return null;
        return encoder =>
        {
            var metrics = new Dictionary<string, double>();
            if (sts is not null)
                metrics["sts_spearman"] = StsEvaluator.Evaluate(encoder, sts)[StsEvaluator.MainScore];
            if (labelled is not null)
            {
                var scores = PairClassificationEvaluator.Evaluate(encoder, labelled);
                metrics["pairs_ap"] = scores[PairClassificationEvaluator.MainScore];
                metrics["pairs_f1"] = scores["max_f1"];
                // The precision and recall at that F1's threshold (the first similarity reaching it), as the seeds' LCQMC log prints them.
                var best = PairSimilarity.Names.First(n => scores.TryGetValue(n + "_f1", out var f1) && f1 == scores["max_f1"]);
                metrics["pairs_precision"] = scores[best + "_precision"];
                metrics["pairs_recall"] = scores[best + "_recall"];
            }
            metrics["main_score"] = metrics.TryGetValue("sts_spearman", out var s) ? s : metrics["pairs_ap"];
            return metrics;
        };
    }
}
