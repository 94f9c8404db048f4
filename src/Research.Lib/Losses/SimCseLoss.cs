using Research.Lib.Tensors;
using static TorchSharp.torch;

namespace Research.Lib.Losses;

/// <summary>
/// The unsupervised SimCSE objective (Gao, Yao and Chen 2021): row i of <c>view1</c> and row i of <c>view2</c> are two
/// encodings of sentence i (two dropout masks, or ESimCSE's repeated view); logits = cos(view1_i, view2_j) / temperature
/// over the batch, cross-entropy with target j = i, so every other sentence's second view is a negative and a
/// sentence is never compared with its own first view (no self-similarity term). Optional extra negatives (ESimCSE's
/// momentum queue) are appended as more columns for every row. Temperature 0.05 is the paper's default
/// (princeton-nlp/SimCSE train.py; ESimCSE and DiffCSE use it too). One direction only, as the reference.
/// </summary>
public static class SimCseLoss
{
    /// <param name="view1">(batch, dim)</param>
    /// <param name="view2">(batch, dim)</param>
    /// <param name="temperature">softmax temperature (0.05)</param>
    /// <param name="extraNegatives">(queue, dim) or null</param>
    public static Tensor Compute(Tensor view1, Tensor view2, double temperature = 0.05, Tensor? extraNegatives = null)
    {
        ArgumentNullException.ThrowIfNull(view1);
        ArgumentNullException.ThrowIfNull(view2);
        if (view1.shape.Length != 2 || !view1.shape.SequenceEqual(view2.shape))
            throw new ArgumentException($"Both views must be (batch, dim) of one shape; got [{string.Join(", ", view1.shape)}] and [{string.Join(", ", view2.shape)}].");
        if (!(temperature > 0)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be positive.");
        using var scope = NewDisposeScope();
        var a = nn.functional.normalize(view1, p: 2, dim: -1);
        var b = nn.functional.normalize(view2, p: 2, dim: -1);
        var logits = a.mm(b.t());                                                     // (batch, batch)
        if (extraNegatives is not null && extraNegatives.shape[0] > 0)
            logits = cat([logits, a.mm(nn.functional.normalize(extraNegatives, p: 2, dim: -1).t())], 1); // (batch, batch + queue)
        var labels = TensorOps.Arange(view1.shape[0], view1.device);
        return nn.functional.cross_entropy(logits.DividedBy(temperature), labels).MoveToOuterDisposeScope();
    }
}
