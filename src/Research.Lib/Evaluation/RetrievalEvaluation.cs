using Research.Lib.Search;

namespace Research.Lib.Evaluation;

/// <summary>
/// Scores a run (query id → scored documents) against judgments (query id → document id → grade) with every
/// metric of <see cref="RetrievalMetrics"/>, named as MTEB names them: <c>hit_rate_at_k</c> (MTEB's accuracy@k),
/// <c>mrr_at_k</c>, <c>ndcg_at_k</c>, <c>recall_at_k</c>, <c>precision_at_k</c>, <c>map_at_k</c>, and <c>map</c>,
/// <c>mrr</c>, <c>r_precision</c> over the whole ranking.
/// </summary>
public static class RetrievalEvaluation
{
    public static RetrievalResult Evaluate(
        IReadOnlyDictionary<string, IReadOnlyList<ScoredDocument>> run,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> qrels,
        RetrievalEvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(qrels);
        options ??= new RetrievalEvaluationOptions();
        if (options.Ks.Count == 0 || options.Ks.Any(k => k <= 0))
            throw new ArgumentException($"Ks must be positive cut-offs, got [{string.Join(", ", options.Ks)}].");
        var empty = new Dictionary<string, int>();
        var queries = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var q in run.Keys)
            if (qrels.ContainsKey(q) || options.CountUnjudgedQueriesAsZero) queries.Add(q);
        if (options.CountUnretrievedJudgedQueries)
            queries.UnionWith(qrels.Keys);

        var perQuery = new Dictionary<string, IReadOnlyDictionary<string, double>>(StringComparer.Ordinal);
        foreach (var q in queries)
        {
            var judgments = qrels.TryGetValue(q, out var j) ? j : empty;
            if (options.SkipQueriesWithoutRelevant && RetrievalMetrics.RelevantCount(judgments) == 0) continue;
            var ranked = run.TryGetValue(q, out var docs) ? RankingOrder.Sort(docs).Select(d => d.DocId).ToList() : [];
            perQuery[q] = Score(ranked, judgments, options.Ks);
        }
        var means = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var name in MetricNames(options.Ks))
            means[name] = perQuery.Count == 0 ? 0 : perQuery.Values.Average(m => m[name]);
        return new RetrievalResult(perQuery, means);
    }

    /// <summary>Metric names in report order.</summary>
    public static IEnumerable<string> MetricNames(IReadOnlyList<int> ks)
    {
        foreach (var prefix in new[] { "ndcg_at_", "mrr_at_", "map_at_", "recall_at_", "precision_at_", "hit_rate_at_" })
            foreach (var k in ks) yield return prefix + k;
        yield return "map";
        yield return "mrr";
        yield return "r_precision";
    }

    private static Dictionary<string, double> Score(List<string> ranked, IReadOnlyDictionary<string, int> judgments, IReadOnlyList<int> ks)
    {
        var m = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var k in ks)
        {
            m["ndcg_at_" + k] = RetrievalMetrics.Ndcg(ranked, judgments, k);
            m["mrr_at_" + k] = RetrievalMetrics.ReciprocalRank(ranked, judgments, k);
            m["map_at_" + k] = RetrievalMetrics.AveragePrecision(ranked, judgments, k);
            m["recall_at_" + k] = RetrievalMetrics.Recall(ranked, judgments, k);
            m["precision_at_" + k] = RetrievalMetrics.Precision(ranked, judgments, k);
            m["hit_rate_at_" + k] = RetrievalMetrics.HitRate(ranked, judgments, k);
        }
        m["map"] = RetrievalMetrics.AveragePrecision(ranked, judgments);
        m["mrr"] = RetrievalMetrics.ReciprocalRank(ranked, judgments, int.MaxValue);
        m["r_precision"] = RetrievalMetrics.RPrecision(ranked, judgments);
        return m;
    }
}
