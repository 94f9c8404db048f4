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
    /// <param name="bucket">texts per bucket; 0 or at least the batch = one forward pass over the whole batch;
    /// <see cref="SupervisedTrainingOptions.AutoLengthBucket"/>: buckets of <see cref="AutoSize"/> when the lengths vary (<see cref="Uneven"/>)</param>
    public static Tensor Forward(SentenceEncoder encoder, IReadOnlyList<string> texts, int maxLength, int bucket)
    {
        var auto = bucket == SupervisedTrainingOptions.AutoLengthBucket;
        if (auto) bucket = AutoSize;
        if (bucket <= 0 || texts.Count <= bucket) return encoder.Forward(encoder.Tokenize(texts, maxLength));
        // Each text tokenized once; each bucket is padded from those tokens.
        var length = Math.Min(maxLength, encoder.Settings.MaxSeqLength);
        var items = texts.Select(t => encoder.Tokenizer.Encode(t, length)).ToArray();
        if (auto && !Uneven(items)) return encoder.Forward(TokenBatch.Pad(items, encoder.Tokenizer.PadId));
        var order = Order(items);
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        for (var start = 0; start < order.Length; start += bucket)
        {
            var rows = order.AsSpan(start, Math.Min(bucket, order.Length - start)).ToArray();
            parts.Add(encoder.Forward(TokenBatch.Pad(rows.Select(r => items[r]).ToList(), encoder.Tokenizer.PadId)));
        }
        // Row order[k] of the batch is row k of the concatenation: gather with the inverse permutation.
        var inverse = new long[order.Length];
        for (var k = 0; k < order.Length; k++) inverse[order[k]] = k;
        var stacked = cat(parts, 0);
        return stacked.index_select(0, tensor(inverse, device: stacked.device)).MoveToOuterDisposeScope();
    }

    /// <summary>Texts per bucket when <c>length_bucket</c> is "auto" (a GEMM of 16 rows still keeps a CPU's matrix units busy).</summary>
    public const int AutoSize = 16;

    /// <summary>
    /// Whether the lengths vary enough for "auto" to bucket: padding would be at least a fifth of the padded batch's tokens
    /// (real tokens &lt; 0.8 × count × longest).
    /// </summary>
    internal static bool Uneven(IReadOnlyList<TokenizedText> items)
    {
        long real = 0, longest = 0;
        foreach (var item in items) (real, longest) = (real + item.Ids.Length, Math.Max(longest, item.Ids.Length));
        return real * 5 < longest * items.Count * 4;
    }

    /// <summary>The texts' indices by token length, shortest first (ties in batch order).</summary>
    internal static int[] Order(IReadOnlyList<TokenizedText> items) =>
        Enumerable.Range(0, items.Count).OrderBy(r => items[r].Ids.Length).ThenBy(r => r).ToArray();
}
