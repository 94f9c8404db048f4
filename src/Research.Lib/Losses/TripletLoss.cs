using Research.Lib.Tensors;
using static TorchSharp.torch;

namespace Research.Lib.Losses;

/// <summary>
/// Triplet loss (Schroff et al. 2015; Sentence-BERT): mean of max(0, d(anchor, positive) − d(anchor, negative) + margin).
/// sentence-transformers' defaults: Euclidean distance, margin 5.
/// </summary>
public sealed class TripletLoss(TripletDistance distance = TripletDistance.Euclidean, double margin = 5) : IContrastiveLoss
{
    public TripletDistance Distance { get; } = distance;
    public double Margin { get; } = margin;
    public string Name => ContrastiveLosses.Triplet;

    /// <summary>On query groups: one triplet (query, its positive, a negative) for each of a query's group_size − 1 negatives.</summary>
    public Tensor Compute(ContrastiveBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = NewDisposeScope();
        var negatives = batch.GroupSize - 1;
        var grouped = batch.Grouped;                                                          // (batch, group, dim)
        var anchors = batch.Queries.repeat_interleave(negatives, 0);
        var positives = grouped.select(1, 0).repeat_interleave(negatives, 0);
        var others = grouped.narrow(1, 1, negatives).reshape(-1, batch.Queries.shape[1]);
        return Compute(anchors, positives, others, Distance, Margin).MoveToOuterDisposeScope();
    }

    public void Check(int batchSize, int groupSize)
    {
        if (Margin < 0 || !double.IsFinite(Margin)) throw new ArgumentException($"triplet_margin {Margin}: expected a number >= 0.");
        if (groupSize < 2) throw new ArgumentException("loss triplet needs a negative per query: set group_size to at least 2.");
    }

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
