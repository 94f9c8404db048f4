using Research.Lib.Tensors;
using static TorchSharp.torch;

namespace Research.Lib.Losses;

/// <summary>
/// Matryoshka representation learning (Kusupati et al. 2022; sentence-transformers' MatryoshkaLoss): the same loss on
/// the first d dimensions of the embeddings for each of several sizes, weighted and summed, so truncated vectors stay
/// useful. Every loss here normalizes its inputs, so a truncated embedding is compared by its own cosine.
/// </summary>
public static class MatryoshkaLoss
{
    /// <param name="loss">the base loss on (queries, passages) truncated to a size</param>
    /// <param name="queries">(batch, dim)</param>
    /// <param name="passages">(rows, dim)</param>
    /// <param name="dimensions">sizes, each at most dim (e.g. 768, 512, 256, 128, 64)</param>
    /// <param name="weights">one per size (default 1 each)</param>
    public static Tensor Compute(Func<Tensor, Tensor, Tensor> loss, Tensor queries, Tensor passages, IReadOnlyList<int> dimensions, IReadOnlyList<double>? weights = null)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(dimensions);
        if (dimensions.Count == 0 || dimensions.Any(d => d <= 0 || d > queries.shape[1]))
            throw new ArgumentException($"Matryoshka dimensions [{string.Join(", ", dimensions)}] must be between 1 and {queries.shape[1]}.");
        if (weights is not null && weights.Count != dimensions.Count)
            throw new ArgumentException($"{weights.Count} weights for {dimensions.Count} dimensions.");
        using var scope = NewDisposeScope();
        Tensor? total = null;
        for (var i = 0; i < dimensions.Count; i++)
        {
            var term = loss(queries.narrow(1, 0, dimensions[i]), passages.narrow(1, 0, dimensions[i])).Times(weights?[i] ?? 1.0);
            total = total is null ? term : total.Plus(term);
        }
        return total!.MoveToOuterDisposeScope();
    }
}
