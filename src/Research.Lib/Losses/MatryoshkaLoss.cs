using Research.Lib.Tensors;
using static TorchSharp.torch;

namespace Research.Lib.Losses;

/// <summary>
/// Matryoshka representation learning (Kusupati et al. 2022; sentence-transformers' MatryoshkaLoss): the same loss on
/// the first d dimensions of the embeddings for each of several sizes, weighted and summed, so truncated vectors stay
/// useful. Every loss here normalizes its inputs, so a truncated embedding is compared by its own cosine.
/// </summary>
public sealed class MatryoshkaLoss : IContrastiveLoss
{
    /// <param name="inner">the loss applied at every size</param>
    /// <param name="dimensions">sizes, largest first as sentence-transformers lists them (e.g. 384, 256, 128, 64)</param>
    /// <param name="weights">one per size (default 1 each)</param>
    public MatryoshkaLoss(IContrastiveLoss inner, IReadOnlyList<int> dimensions, IReadOnlyList<double>? weights = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(dimensions);
        if (dimensions.Count == 0 || dimensions.Any(d => d <= 0))
            throw new ArgumentException($"matryoshka_dimensions [{string.Join(", ", dimensions)}]: expected one or more positive sizes.");
        if (weights is not null && weights.Count != dimensions.Count)
            throw new ArgumentException($"matryoshka_weights: {weights.Count} weights for {dimensions.Count} dimensions.");
        if (weights is not null && weights.Any(w => !(w >= 0) || !double.IsFinite(w)))
            throw new ArgumentException($"matryoshka_weights [{string.Join(", ", weights)}]: expected finite numbers >= 0.");
        (Inner, Dimensions, Weights) = (inner, dimensions, weights);
    }

    public IContrastiveLoss Inner { get; }
    public IReadOnlyList<int> Dimensions { get; }
    public IReadOnlyList<double>? Weights { get; }
    public string Name => Inner.Name;
    public bool NeedsTeacherScores => Inner.NeedsTeacherScores;
    public string? Guide => Inner.Guide;

    public Tensor Compute(ContrastiveBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Compute((q, p) => Inner.Compute(batch with { Queries = q, Passages = p }), batch.Queries, batch.Passages, Dimensions, Weights);
    }

    public void Check(int batchSize, int groupSize) => Inner.Check(batchSize, groupSize);

    /// <summary>Refuses a size larger than the model's embedding.</summary>
    public void CheckDimensions(long modelDimension)
    {
        if (Dimensions.FirstOrDefault(d => d > modelDimension) is var big && big > 0)
            throw new ArgumentException($"matryoshka_dimensions: {big} is larger than the model's embedding ({modelDimension} dimensions).");
    }

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
