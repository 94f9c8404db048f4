using Research.Lib.Data;
using Research.Lib.Modeling;
using Research.Lib.Search;
using Research.Lib.Text;

namespace Research.Lib.Cleaning;

/// <summary>
/// Finds training queries that leak the evaluation set: near duplicates of evaluation queries (cosine above the
/// threshold, by range search of the training queries against an index of the evaluation queries) and exact copies of
/// evaluation passages. A model trained on them is scored on what it has seen.
/// </summary>
public static class LeakageChecker
{
    public static IReadOnlyList<LeakageFinding> Check(IReadOnlyList<TrainingExample> train, IReadOnlyList<string> evalQueries,
        IReadOnlyList<string> evalPassages, IEmbeddingEncoder encoder, double threshold = 0.70, int chunkSize = 8192)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(evalQueries);
        ArgumentNullException.ThrowIfNull(evalPassages);
        ArgumentNullException.ThrowIfNull(encoder);
        var findings = new List<LeakageFinding>();
        var passages = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in evalPassages) passages.TryAdd(TextNormalizer.ForComparison(p), p);
        for (var i = 0; i < train.Count; i++)
            if (passages.TryGetValue(TextNormalizer.ForComparison(train[i].Query), out var passage))
                findings.Add(new LeakageFinding(i, train[i].Query, "passage", passage, 1.0));
        if (evalQueries.Count == 0) return findings;

        using var index = FlatIndex.Create(encoder.Dimension);
        for (var start = 0; start < evalQueries.Count; start += chunkSize)
        {
            var chunk = evalQueries.Skip(start).Take(chunkSize).ToList();
            index.Add(QueryCleaner.Normalized(encoder.EncodeQueries(chunk)), Enumerable.Range(start, chunk.Count).Select(i => (long)i).ToArray());
        }
        for (var start = 0; start < train.Count; start += chunkSize)
        {
            var count = Math.Min(chunkSize, train.Count - start);
            var vectors = QueryCleaner.Normalized(encoder.EncodeQueries(train.Skip(start).Take(count).Select(e => e.Query).ToList()));
            var hits = index.RangeSearch(vectors, (float)threshold);
            for (var r = 0; r < count; r++)
                if (hits[r].Length > 0)
                {
                    var best = hits[r][0]; // range results come best first
                    findings.Add(new LeakageFinding(start + r, train[start + r].Query, "query", evalQueries[(int)best.Id], best.Score));
                }
        }
        return findings.OrderBy(f => f.Index).ThenBy(f => f.Kind, StringComparer.Ordinal).ToList();
    }
}
