using Research.Lib.Tensors;
using static TorchSharp.torch;

namespace Research.Lib.Losses;

/// <summary>
/// In-batch negatives with a margin and a scale, as PaddleNLP's semantic-indexing recipe trains: the cosine of each
/// query with its positive is lowered by <c>margin</c> before all cosines are multiplied by <c>scale</c> and scored with
/// cross-entropy against the diagonal — the positive must win by at least the margin. Defaults margin 0.3, scale 30
/// (PaddleNLP's train_batch_neg.py; its README example uses margin 0.2).
/// </summary>
public sealed class MarginScaleLoss(double margin = 0.3, double scale = 30) : IContrastiveLoss
{
    public double Margin { get; } = margin;
    public double Scale { get; } = scale;
    public string Name => ContrastiveLosses.MarginScale;

    /// <summary>Each query's positive (group size 1) against the other queries' positives.</summary>
    public Tensor Compute(ContrastiveBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Compute(batch.Queries, batch.Passages, Margin, Scale);
    }

    public void Check(int batchSize, int groupSize)
    {
        if (!(Scale > 0)) throw new ArgumentException($"margin_scale {Scale}: expected a positive number.");
        if (groupSize != 1) throw new ArgumentException("loss margin_scale uses in-batch negatives only: set group_size to 1.");
        if (batchSize < 2) throw new ArgumentException($"batch_size {batchSize}: in-batch negatives need at least 2 queries per batch.");
    }

    /// <param name="queries">(batch, dim)</param>
    /// <param name="positives">(batch, dim), row i the positive of query i</param>
    /// <param name="margin">subtracted from the positive's cosine</param>
    /// <param name="scale">multiplies every cosine</param>
    public static Tensor Compute(Tensor queries, Tensor positives, double margin = 0.3, double scale = 30)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(positives);
        if (queries.shape[0] != positives.shape[0]) throw new ArgumentException($"{queries.shape[0]} queries but {positives.shape[0]} positives.");
        using var scope = NewDisposeScope();
        var cos = nn.functional.normalize(queries, p: 2, dim: -1).mm(nn.functional.normalize(positives, p: 2, dim: -1).t()); // (batch, batch)
        var batch = queries.shape[0];
        var logits = (cos - eye(batch, device: queries.device).Times(margin)).Times(scale);
        return nn.functional.cross_entropy(logits, TensorOps.Arange(batch, queries.device)).MoveToOuterDisposeScope();
    }
}
