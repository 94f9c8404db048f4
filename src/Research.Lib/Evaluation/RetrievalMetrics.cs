using Research.Lib.Search;

namespace Research.Lib.Evaluation;

/// <summary>
/// Per-query retrieval metrics, computed as trec_eval computes them. <c>ranked</c> is in rank order
/// (see <see cref="RankingOrder"/>); <c>judgments</c> maps document id to graded relevance, and a
/// document is relevant when its grade is at least 1. Cut-off k counts ranks 1..k; a ranking shorter than k is
/// not padded with relevant documents (precision still divides by k, as trec_eval's P_k does).
/// </summary>
public static class RetrievalMetrics
{
    public static int RelevantCount(IReadOnlyDictionary<string, int> judgments) => judgments.Values.Count(r => r > 0);

    /// <summary>1 when a relevant document is in the top k (hit rate, accuracy@k, success@k).</summary>
    public static double HitRate(IReadOnlyList<string> ranked, IReadOnlyDictionary<string, int> judgments, int k) =>
        Top(ranked, k).Any(d => IsRelevant(judgments, d)) ? 1 : 0;

    /// <summary>1 / rank of the first relevant document within the top k, else 0.</summary>
    public static double ReciprocalRank(IReadOnlyList<string> ranked, IReadOnlyDictionary<string, int> judgments, int k)
    {
        var i = 0;
        foreach (var d in Top(ranked, k))
        {
            i++;
            if (IsRelevant(judgments, d)) return 1.0 / i;
        }
        return 0;
    }

    /// <summary>Relevant documents in the top k / all relevant documents (0 when there are none).</summary>
    public static double Recall(IReadOnlyList<string> ranked, IReadOnlyDictionary<string, int> judgments, int k)
    {
        var relevant = RelevantCount(judgments);
        return relevant == 0 ? 0 : (double)Top(ranked, k).Count(d => IsRelevant(judgments, d)) / relevant;
    }

    /// <summary>Relevant documents in the top k / k.</summary>
    public static double Precision(IReadOnlyList<string> ranked, IReadOnlyDictionary<string, int> judgments, int k) =>
        (double)Top(ranked, k).Count(d => IsRelevant(judgments, d)) / k;

    /// <summary>
    /// Average precision over the top k (trec_eval map_cut_k): the sum of precision at the rank of each relevant
    /// document within the top k, divided by the number of relevant documents. k = int.MaxValue gives MAP.
    /// </summary>
    public static double AveragePrecision(IReadOnlyList<string> ranked, IReadOnlyDictionary<string, int> judgments, int k = int.MaxValue)
    {
        var relevant = RelevantCount(judgments);
        if (relevant == 0) return 0;
        double sum = 0;
        var found = 0;
        var i = 0;
        foreach (var d in Top(ranked, k))
        {
            i++;
            if (!IsRelevant(judgments, d)) continue;
            found++;
            sum += (double)found / i;
        }
        return sum / relevant;
    }

    /// <summary>Precision at rank R, R being the number of relevant documents.</summary>
    public static double RPrecision(IReadOnlyList<string> ranked, IReadOnlyDictionary<string, int> judgments)
    {
        var relevant = RelevantCount(judgments);
        return relevant == 0 ? 0 : (double)Top(ranked, relevant).Count(d => IsRelevant(judgments, d)) / relevant;
    }

    /// <summary>
    /// nDCG@k as trec_eval's ndcg_cut: gain = the relevance grade itself (linear gain, so graded judgments count
    /// by their grade; negative grades count 0), discount log2(rank + 1); the ideal ranking sorts every judged
    /// grade descending.
    /// </summary>
    public static double Ndcg(IReadOnlyList<string> ranked, IReadOnlyDictionary<string, int> judgments, int k)
    {
        double dcg = 0;
        var i = 0;
        foreach (var d in Top(ranked, k))
        {
            i++;
            if (judgments.TryGetValue(d, out var gain) && gain > 0) dcg += gain / Math.Log2(i + 1);
        }
        double ideal = 0;
        i = 0;
        foreach (var gain in judgments.Values.Where(g => g > 0).OrderByDescending(g => g).Take(k))
        {
            i++;
            ideal += gain / Math.Log2(i + 1);
        }
        return ideal == 0 ? 0 : dcg / ideal;
    }

    private static bool IsRelevant(IReadOnlyDictionary<string, int> judgments, string doc) => judgments.TryGetValue(doc, out var r) && r > 0;

    private static IEnumerable<string> Top(IReadOnlyList<string> ranked, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var n = Math.Min(k, ranked.Count);
        for (var i = 0; i < n; i++) yield return ranked[i];
    }
}
