using Research.Lib.Tensors;
using static TorchSharp.torch;

namespace Research.Lib.Losses;

/// <summary>
/// InfoNCE with in-batch and hard negatives (van den Oord et al. 2018; Karpukhin et al. 2020; FlagEmbedding's
/// contrastive loss; sentence-transformers' MultipleNegativesRankingLoss). Each query has a group of
/// <c>groupSize</c> passages — its positive first, then its hard negatives (FlagEmbedding's <c>train_group_size</c>);
/// the loss is the cross-entropy of picking the positive among the candidates by cosine similarity / temperature.
/// Candidates are every passage of the batch (in-batch negatives) or only the query's group. A candidate that is the
/// same text as the query's positive (a duplicate in the batch, given as equal <c>passageKeys</c>) is masked out,
/// so it is never pushed away as a negative.
/// </summary>
public sealed class InfoNceLoss(InfoNceOptions? options = null) : IContrastiveLoss
{
    /// <summary>The temperature, in-batch and symmetric settings this loss object uses.</summary>
    public InfoNceOptions Options { get; } = options ?? new InfoNceOptions();

    public string Name => ContrastiveLosses.InfoNce;

    public Tensor Compute(ContrastiveBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Compute(batch.Queries, batch.Passages, batch.GroupSize, Options, batch.PassageKeys);
    }

    public void Check(int batchSize, int groupSize)
    {
        if (!(Options.Temperature > 0 && double.IsFinite(Options.Temperature)))
            throw new ArgumentException($"info_nce.temperature {Options.Temperature}: expected a positive number.");
        if (batchSize < 2 && Options.InBatchNegatives && groupSize == 1)
            throw new ArgumentException($"batch_size {batchSize}: in-batch negatives need at least 2 queries per batch.");
        if (!Options.InBatchNegatives && groupSize == 1)
            throw new ArgumentException("info_nce.in_batch_negatives false with group_size 1: each query's only candidate is its positive, so there is nothing to learn; raise group_size or use in-batch negatives.");
    }

    /// <param name="queries">(batch, dim)</param>
    /// <param name="passages">(batch × groupSize, dim): group i is rows i·groupSize .. i·groupSize + groupSize − 1, its positive first</param>
    /// <param name="groupSize">passages per query (1 positive + hard negatives)</param>
    /// <param name="options">temperature, in-batch negatives, symmetric term</param>
    /// <param name="passageKeys">optional, one per passage row: equal keys mean the same text</param>
    /// <returns>the mean loss, a scalar</returns>
    public static Tensor Compute(Tensor queries, Tensor passages, int groupSize, InfoNceOptions? options = null, IReadOnlyList<long>? passageKeys = null)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(passages);
        options ??= new InfoNceOptions();
        if (!(options.Temperature > 0 && double.IsFinite(options.Temperature)))
            throw new ArgumentOutOfRangeException(nameof(options), options.Temperature, "temperature must be a positive number.");
        var batch = queries.shape[0];
        if (groupSize < 1 || passages.shape[0] != batch * groupSize)
            throw new ArgumentException($"{passages.shape[0]} passages for {batch} queries in groups of {groupSize}; expected {batch * groupSize}.");
        if (passageKeys is not null && passageKeys.Count != passages.shape[0])
            throw new ArgumentException($"{passageKeys.Count} passage keys for {passages.shape[0]} passages.");
        using var scope = NewDisposeScope();
        var q = nn.functional.normalize(queries, p: 2, dim: -1);
        var p = nn.functional.normalize(passages, p: 2, dim: -1);
        var positives = TensorOps.Arange(batch, queries.device).Times(groupSize);                   // (batch) column of each positive
        Tensor loss;
        if (options.InBatchNegatives)
        {
            var logits = q.mm(p.t()).DividedBy(options.Temperature);                                    // (batch, batch·group)
            if (passageKeys is not null) logits = logits.masked_fill(DuplicateMask(passageKeys, batch, groupSize, queries.device), Scalars.NegativeInfinity);
            loss = nn.functional.cross_entropy(logits, positives);
        }
        else
        {
            var grouped = p.view(batch, groupSize, -1);                                        // (batch, group, dim)
            var logits = grouped.bmm(q.unsqueeze(2)).squeeze(2).DividedBy(options.Temperature);         // (batch, group)
            loss = nn.functional.cross_entropy(logits, zeros(batch, ScalarType.Int64, device: queries.device));
        }
        if (options.Symmetric)
        {
            var reverse = p.index_select(0, positives).mm(q.t()).DividedBy(options.Temperature);        // (batch, batch): positive → queries
            loss = loss.Plus(nn.functional.cross_entropy(reverse, TensorOps.Arange(batch, queries.device))).DividedBy(2);
        }
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>True where a candidate has the same key as the query's own positive but is another row.</summary>
    private static Tensor DuplicateMask(IReadOnlyList<long> keys, long batch, int groupSize, Device device)
    {
        var mask = new bool[batch * keys.Count];
        for (var i = 0; i < batch; i++)
        {
            var own = i * groupSize;
            for (var j = 0; j < keys.Count; j++)
                if (j != own && keys[j] == keys[own]) mask[i * keys.Count + j] = true;
        }
        return tensor(mask, [batch, keys.Count], device: device);
    }
}
