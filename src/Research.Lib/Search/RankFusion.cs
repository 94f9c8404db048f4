
namespace Research.Lib.Search;

/// <summary>
/// Fusing ranked lists (hybrid BM25 + dense): reciprocal-rank fusion, Σ 1 / (k + rank) with k = 60 (Cormack,
/// Clarke and Büttcher 2009), and weighted score fusion, Σ wᵢ · normalized scoreᵢ with min-max normalization per
/// list (a document absent from a list adds 0). Results best first; ties by document id as <see cref="RankingOrder"/>.
/// </summary>
public static class RankFusion
{
    public static List<ScoredDocument> ReciprocalRank(IReadOnlyList<IReadOnlyList<ScoredDocument>> lists, int k = 60, int? top = null)
    {
        ArgumentNullException.ThrowIfNull(lists);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        var fused = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var list in lists)
        {
            var rank = 0;
            foreach (var d in RankingOrder.Sort(list))
                fused[d.DocId] = fused.GetValueOrDefault(d.DocId) + 1.0 / (k + ++rank);
        }
        return Take(fused, top);
    }

    public static List<ScoredDocument> WeightedScores(IReadOnlyList<IReadOnlyList<ScoredDocument>> lists, IReadOnlyList<double> weights, int? top = null)
    {
        ArgumentNullException.ThrowIfNull(lists);
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count != lists.Count) throw new ArgumentException($"{weights.Count} weights for {lists.Count} lists.");
        var fused = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var i = 0; i < lists.Count; i++)
        {
            if (lists[i].Count == 0) continue;
            var min = lists[i].Min(d => d.Score);
            var max = lists[i].Max(d => d.Score);
            foreach (var d in lists[i])
            {
                var normalized = max > min ? (d.Score - min) / (max - min) : 1.0;
                fused[d.DocId] = fused.GetValueOrDefault(d.DocId) + weights[i] * normalized;
            }
        }
        return Take(fused, top);
    }

    private static List<ScoredDocument> Take(Dictionary<string, double> fused, int? top)
    {
        var sorted = RankingOrder.Sort(fused.Select(kv => new ScoredDocument(kv.Key, kv.Value)));
        return top is { } n ? sorted.Take(n).ToList() : sorted;
    }
}
