using Research.Lib.Modeling;
using Research.Lib.Text;
using static TorchSharp.torch;

namespace Research.Lib.Training;

/// <summary>
/// A training batch embedded in buckets of texts of similar token length (<see cref="SupervisedTrainingOptions.LengthBucket"/>):
/// one long passage no longer pads the whole batch to its length. Each bucket is padded to its own longest text and
/// embedded with a graph; the vectors are put back in the batch's order, so the loss sees the same matrix as one forward
/// pass would give (attention never looks at padding; float rounding and dropout draws differ with the shapes).
/// </summary>
internal static class LengthBuckets
{
    /// <summary>(texts, dim) vectors with gradients, in the order of <paramref name="texts"/>.</summary>
    /// <param name="encoder">the encoder in training</param>
    /// <param name="texts">the batch's texts</param>
    /// <param name="maxLength">tokens per text at most</param>
    /// <param name="bucket">texts per bucket; 0 or at least the batch = one forward pass over the whole batch</param>
    public static Tensor Forward(SentenceEncoder encoder, IReadOnlyList<string> texts, int maxLength, int bucket)
    {
        var batch = encoder.Tokenize(texts, maxLength);
        if (bucket <= 0 || texts.Count <= bucket) return encoder.Forward(batch);
        var order = Order(batch);
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        for (var start = 0; start < order.Length; start += bucket)
        {
            var rows = order.AsSpan(start, Math.Min(bucket, order.Length - start)).ToArray();
            parts.Add(encoder.Forward(encoder.Tokenize(rows.Select(r => texts[r]).ToList(), maxLength)));
        }
        // Row order[k] of the batch is row k of the concatenation: gather with the inverse permutation.
        var inverse = new long[order.Length];
        for (var k = 0; k < order.Length; k++) inverse[order[k]] = k;
        var stacked = cat(parts, 0);
        return stacked.index_select(0, tensor(inverse, device: stacked.device)).MoveToOuterDisposeScope();
    }

    /// <summary>The batch's rows by token length, shortest first (ties in batch order).</summary>
    internal static int[] Order(TokenBatch batch)
    {
        var lengths = new int[batch.Count];
        for (var row = 0; row < batch.Count; row++)
            for (var t = 0; t < batch.Length; t++)
                lengths[row] += batch.Mask[row * batch.Length + t] == 0 ? 0 : 1;
        return Enumerable.Range(0, batch.Count).OrderBy(r => lengths[r]).ThenBy(r => r).ToArray();
    }
}
