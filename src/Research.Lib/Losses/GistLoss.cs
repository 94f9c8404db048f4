using Research.Lib.Tensors;
using static TorchSharp.torch;

namespace Research.Lib.Losses;

/// <summary>
/// GISTEmbed (Solatorio 2024, "GISTEmbed: Guided In-sample Selection of Training Negatives for Text Embedding
/// Fine-tuning"; sentence-transformers' <c>GISTEmbedLoss</c>): InfoNCE over each query's positive against every other
/// passage of the batch (in-batch and hard negatives), the other queries and the other positives, where a guide model
/// (e.g. the zero-shot model, frozen) masks out every candidate it scores above its own score of the query's positive
/// (less <see cref="Margin"/>): those are likely false negatives. Cosine similarities divided by
/// <see cref="Temperature"/> (sentence-transformers' default 0.01). Passages equal to the query's positive are never its
/// negatives. The guide runs in the objective (<see cref="Guide"/>), which puts its embeddings in the batch.
/// </summary>
public sealed class GistLoss(string guide, double temperature = 0.01, double margin = 0) : IContrastiveLoss
{
    /// <summary>The guide model's folder.</summary>
    public string Guide { get; } = guide;
    public double Temperature { get; } = temperature;
    /// <summary>A candidate is masked when the guide scores it above (its score of the positive − margin): sentence-transformers' absolute margin strategy.</summary>
    public double Margin { get; } = margin;
    public string Name => ContrastiveLosses.Gist;

    string? IContrastiveLoss.Guide => Guide;

    public Tensor Compute(ContrastiveBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.GuideQueries is null || batch.GuidePassages is null)
            throw new ArgumentException("loss gist: the batch carries no guide embeddings (the objective runs the guide model).");
        return Compute(batch.Queries, batch.Passages, batch.GroupSize, batch.GuideQueries, batch.GuidePassages, Temperature, Margin, batch.PassageKeys);
    }

    public void Check(int batchSize, int groupSize)
    {
        if (string.IsNullOrWhiteSpace(Guide)) throw new ArgumentException("loss gist needs its guide model: {\"type\": \"gist\", \"guide\": \"MODEL_DIR\"}.");
        if (!(Temperature > 0)) throw new ArgumentException($"loss.temperature {Temperature}: expected a positive number.");
        if (!(Margin >= 0)) throw new ArgumentException($"loss.margin {Margin}: expected a number >= 0.");
        if (batchSize < 2) throw new ArgumentException("loss gist contrasts in-batch candidates: set batch_size to at least 2.");
    }

    /// <param name="queries">(batch, dim)</param>
    /// <param name="passages">(batch × groupSize, dim), grouped per query, the positive first</param>
    /// <param name="groupSize">passages per query</param>
    /// <param name="guideQueries">the guide's embeddings of the queries (batch, guide dim)</param>
    /// <param name="guidePassages">the guide's embeddings of the passages (batch × groupSize, guide dim)</param>
    /// <param name="temperature">divides the cosines</param>
    /// <param name="margin">masks candidates the guide scores above its positive's score − margin</param>
    /// <param name="passageKeys">equal keys: the same text (never a negative of a query whose positive it is)</param>
    public static Tensor Compute(Tensor queries, Tensor passages, int groupSize, Tensor guideQueries, Tensor guidePassages,
        double temperature = 0.01, double margin = 0, IReadOnlyList<long>? passageKeys = null)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(passages);
        ArgumentNullException.ThrowIfNull(guideQueries);
        ArgumentNullException.ThrowIfNull(guidePassages);
        var batch = queries.shape[0];
        if (passages.shape[0] != batch * groupSize || guideQueries.shape[0] != batch || guidePassages.shape[0] != batch * groupSize)
            throw new ArgumentException($"{batch} queries, {passages.shape[0]} passages (group {groupSize}), guide {guideQueries.shape[0]} and {guidePassages.shape[0]} do not match.");
        using var scope = NewDisposeScope();
        var device = queries.device;
        var positives = TensorOps.Arange(batch, device).Times(groupSize);                        // each query's positive among the passages
        var q = nn.functional.normalize(queries, p: 2, dim: -1);
        var p = nn.functional.normalize(passages, p: 2, dim: -1);
        var gq = nn.functional.normalize(guideQueries.to_type(ScalarType.Float32), p: 2, dim: -1);
        var gp = nn.functional.normalize(guidePassages.to_type(ScalarType.Float32), p: 2, dim: -1);
        var (pos, guidePos) = (p.index_select(0, positives), gp.index_select(0, positives));
        var (qp, qq, pp) = (q.mm(p.t()), q.mm(q.t()), pos.mm(pos.t()));
        var (gqp, gqq, gpp) = (gq.mm(gp.t()), gq.mm(gq.t()), guidePos.mm(guidePos.t()));
        var threshold = gqp.gather(1, positives.unsqueeze(1)).Plus(-margin);                         // (batch, 1): the guide's positive score
        var own = nn.functional.one_hot(positives, batch * groupSize).to_type(ScalarType.Bool);     // (batch, batch × group)
        var maskQp = gqp.gt(threshold).logical_and(own.logical_not());
        if (passageKeys is not null)
        {
            var keys = tensor(passageKeys.ToArray(), device: device);
            var sameAsPositive = keys.unsqueeze(0).eq(keys.index_select(0, positives).unsqueeze(1));
            maskQp = maskQp.logical_or(sameAsPositive.logical_and(own.logical_not()));
        }
        var self = eye(batch, dtype: ScalarType.Bool, device: device);
        var maskQq = gqq.gt(threshold).logical_or(self);
        var maskPp = gpp.gt(threshold).logical_or(self);
        var logits = cat([qp.MaskedFill(maskQp, double.NegativeInfinity), qq.MaskedFill(maskQq, double.NegativeInfinity), pp.MaskedFill(maskPp, double.NegativeInfinity)], 1)
            .DividedBy(temperature);
        return nn.functional.cross_entropy(logits, positives).MoveToOuterDisposeScope();
    }
}
