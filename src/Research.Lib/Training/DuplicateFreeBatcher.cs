using Research.Lib.Data;
using Research.Lib.Text;

namespace Research.Lib.Training;

/// <summary>
/// Seeded batches of record indices in which no two records share a query or a first positive (after normalization):
/// a duplicate in a batch would be a positive used as an in-batch negative. Records that clash wait for a later batch;
/// a last batch with fewer than two records is dropped (in-batch negatives need two).
/// </summary>
internal static class DuplicateFreeBatcher
{
    public static List<int[]> Batches(IReadOnlyList<TrainingExample> examples, int batchSize, SplitMix64 random)
    {
        var order = Enumerable.Range(0, examples.Count).ToList();
        random.Shuffle(order);
        var keys = examples.Select(e => (Query: TextNormalizer.ForComparison(e.Query), Pos: TextNormalizer.ForComparison(e.Pos[0]))).ToArray();
        var pending = new LinkedList<int>(order);
        var batches = new List<int[]>();
        while (pending.Count > 0)
        {
            var batch = new List<int>(batchSize);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var node = pending.First; node is not null && batch.Count < batchSize;)
            {
                var next = node.Next;
                var (q, p) = keys[node.Value];
                if (!seen.Contains("q" + q) && !seen.Contains("p" + p))
                {
                    seen.Add("q" + q);
                    seen.Add("p" + p);
                    batch.Add(node.Value);
                    pending.Remove(node);
                }
                node = next;
            }
            if (batch.Count >= 2 || batches.Count == 0) batches.Add([.. batch]);
            if (batch.Count < 2) break;
        }
        return batches;
    }
}
