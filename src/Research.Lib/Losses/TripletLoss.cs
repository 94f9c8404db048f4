using Research.Lib.Tensors;
using static TorchSharp.torch;

namespace Research.Lib.Losses;

/// <summary>
/// Triplet loss (Schroff et al. 2015; Sentence-BERT): mean of max(0, d(anchor, positive) − d(anchor, negative) + margin).
/// sentence-transformers' defaults: Euclidean distance, margin 5.
/// </summary>
public static class TripletLoss
{
    /// <param name="anchors">(batch, dim)</param>
    /// <param name="positives">(batch, dim)</param>
    /// <param name="negatives">(batch, dim)</param>
    /// <param name="distance">cosine (1 − cos) or Euclidean</param>
    /// <param name="margin">how much closer the positive must be</param>
    public static Tensor Compute(Tensor anchors, Tensor positives, Tensor negatives, TripletDistance distance = TripletDistance.Euclidean, double margin = 5)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        ArgumentNullException.ThrowIfNull(positives);
        ArgumentNullException.ThrowIfNull(negatives);
        using var scope = NewDisposeScope();
        Tensor Distance(Tensor a, Tensor b) => distance == TripletDistance.Cosine
            ? nn.functional.cosine_similarity(a, b, dim: -1).SubtractedFrom(1)
            : (a - b).Squared().sum(-1).sqrt();
        var loss = nn.functional.relu((Distance(anchors, positives) - Distance(anchors, negatives)).Plus(margin)).mean();
        return loss.MoveToOuterDisposeScope();
    }
}
