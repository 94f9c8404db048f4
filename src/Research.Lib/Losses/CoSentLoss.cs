using Research.Lib.Tensors;
using static TorchSharp.torch;

namespace Research.Lib.Losses;

/// <summary>
/// CoSENT (Su 2022; sentence-transformers' CoSENTLoss) for pairs with graded scores (STS-style data): for every two pairs
/// (i, j) whose gold scores have s_i &gt; s_j, cosine_i should exceed cosine_j; loss = log(1 + Σ exp(scale · (cos_j − cos_i))).
/// Default scale 20 (sentence-transformers). Two ways to feed it: query groups with binary labels (a query's positive
/// 1, its hard negatives 0), or with <see cref="GoldScores"/> (<c>{"type": "cosent", "gold_scores": true}</c>) each
/// record's <c>pos_scores</c> / <c>neg_scores</c> are the gold similarity of (query, passage) — STS scores or 0/1 pair
/// labels as in <c>{"query": s1, "pos": [s2], "pos_scores": [4.2]}</c>, group_size 1 — as sentence-transformers and
/// text2vec train CoSENT on STS-B and LCQMC pairs.
/// </summary>
public sealed class CoSentLoss(double scale = 20, bool goldScores = false) : IContrastiveLoss
{
    public double Scale { get; } = scale;

    /// <summary>Whether the gold order comes from the records' scores (true) or from the positive-first groups (false).</summary>
    public bool GoldScores { get; } = goldScores;

    public string Name => ContrastiveLosses.CoSent;

    public bool NeedsTeacherScores => GoldScores;

    /// <summary>
    /// On query groups: every (query, passage) of the batch is a pair, scored by its gold score (<see cref="GoldScores"/>)
    /// or 1 for a query's positive and 0 for its negatives, so each pair must out-score every pair with a lower score
    /// anywhere in the batch (sentence-transformers' CoSENTLoss).
    /// </summary>
    public Tensor Compute(ContrastiveBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = NewDisposeScope();
        var rows = batch.Queries.shape[0];
        var left = batch.Queries.repeat_interleave(batch.GroupSize, 0);                       // (batch·group, dim)
        Tensor labels;
        if (GoldScores)
        {
            labels = batch.TeacherScores ?? throw new ArgumentException("loss cosent with gold_scores: the batch carries no pos_scores / neg_scores.");
        }
        else
        {
            labels = zeros(rows, batch.GroupSize, device: batch.Queries.device);
            labels.select(1, 0).fill_(Scalars.One);
        }
        return Compute(left, batch.Passages, labels.flatten(), Scale).MoveToOuterDisposeScope();
    }

    public void Check(int batchSize, int groupSize)
    {
        if (!(Scale > 0)) throw new ArgumentException($"cosent_scale {Scale}: expected a positive number.");
        if (groupSize < 2 && !GoldScores)
            throw new ArgumentException("loss cosent ranks positive pairs above negative pairs: set group_size to at least 2 (1 positive + hard negatives), or give scored pairs (pos_scores) with \"gold_scores\": true.");
        if (batchSize * groupSize < 2) throw new ArgumentException($"loss cosent compares pairs with each other: batch_size {batchSize} × group_size {groupSize} gives one pair a batch.");
    }

    /// <param name="left">(pairs, dim)</param>
    /// <param name="right">(pairs, dim)</param>
    /// <param name="scores">(pairs) gold similarity scores</param>
    /// <param name="scale">sharpness</param>
    public static Tensor Compute(Tensor left, Tensor right, Tensor scores, double scale = 20)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        ArgumentNullException.ThrowIfNull(scores);
        using var scope = NewDisposeScope();
        var cos = nn.functional.cosine_similarity(left, right, dim: -1).Times(scale);      // (pairs)
        var differences = cos.unsqueeze(0) - cos.unsqueeze(1);                        // [i, j] = cos_j − cos_i
        var ordered = scores.unsqueeze(1).gt(scores.unsqueeze(0));                     // [i, j]: s_i > s_j
        var terms = differences.masked_fill(ordered.logical_not(), Scalars.NegativeInfinity).flatten();
        var loss = logsumexp(cat([zeros(1, dtype: terms.dtype, device: terms.device), terms]), 0); // log(1 + Σ exp(…))
        return loss.MoveToOuterDisposeScope();
    }
}
