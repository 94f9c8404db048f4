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
    /// <param name="examples">the records</param>
    /// <param name="batchSize">records per batch</param>
    /// <param name="random">the epoch's random draws</param>
    /// <param name="sameType">
    /// every batch from records of one <see cref="TrainingExample.Type"/> (records without a type form one more group), the
    /// batches of all types then shuffled together: FlagEmbedding's same_dataset_within_batch, sentence-transformers'
    /// proportional multi-dataset sampler, so that in-batch negatives come from the same task
    /// </param>
    public static List<int[]> Batches(IReadOnlyList<TrainingExample> examples, int batchSize, SplitMix64 random, bool sameType = false)
    {
        var order = Enumerable.Range(0, examples.Count).ToList();
        random.Shuffle(order);
        var keys = examples.Select(e => (Query: TextNormalizer.ForComparison(e.Query), Pos: TextNormalizer.ForComparison(e.Pos[0]))).ToArray();
        if (!sameType) return Batch(order, keys, batchSize, keepLone: true);
        // Groups in the order their first record comes in the shuffled order, so the result depends on the seed alone.
        var batches = order.GroupBy(i => examples[i].Type ?? "", StringComparer.Ordinal).SelectMany(g => Batch(g.ToList(), keys, batchSize, keepLone: false)).ToList();
        random.Shuffle(batches);
        return batches;
    }

    /// <summary>Batches of <paramref name="order"/> (record indices, in the order they are taken) by their normalized query and first positive.</summary>
    /// <param name="order">the records to batch, in order</param>
    /// <param name="keys">every record's normalized query and first positive</param>
    /// <param name="batchSize">records per batch</param>
    /// <param name="keepLone">keep a first batch of one record (the only batch of the data) rather than drop it</param>
    private static List<int[]> Batch(IReadOnlyList<int> order, (string Query, string Pos)[] keys, int batchSize, bool keepLone)
    {
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
            if (batch.Count >= 2 || (keepLone && batches.Count == 0)) batches.Add([.. batch]);
            if (batch.Count < 2) break;
        }
        return batches;
    }
}
