using static TorchSharp.torch;

namespace Research.Lib.Losses;

/// <summary>
/// MarginMSE (Hofstätter et al. 2020, "Improving Efficient Neural Ranking Models with Cross-Architecture Knowledge
/// Distillation"; sentence-transformers' <c>MarginMSELoss</c>): for each query and each hard negative of its group, the
/// squared difference between the student's margin s(q, pos) − s(q, neg) and the teacher's (from <c>pos_scores</c> /
/// <c>neg_scores</c>, e.g. a cross-encoder's), averaged. The student's score is the dot product of the embeddings as the
/// model gives them (sentence-transformers' default <c>pairwise_dot_score</c>), so the margins live on the teacher's scale.
/// </summary>
public sealed class MarginMseLoss : IContrastiveLoss
{
    public string Name => ContrastiveLosses.MarginMse;
    public bool NeedsTeacherScores => true;

    public Tensor Compute(ContrastiveBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.TeacherScores is null) throw new ArgumentException("loss margin_mse: the batch carries no teacher scores (pos_scores / neg_scores).");
        return Compute(batch.Queries, batch.Passages, batch.TeacherScores);
    }

    public void Check(int batchSize, int groupSize)
    {
        if (groupSize < 2) throw new ArgumentException("loss margin_mse compares each positive with a hard negative: set group_size to at least 2.");
    }

    /// <param name="queries">(batch, dim)</param>
    /// <param name="passages">(batch × group, dim), grouped per query, the positive first</param>
    /// <param name="teacherScores">(batch, group): the teacher's score of each passage of the group</param>
    public static Tensor Compute(Tensor queries, Tensor passages, Tensor teacherScores)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(passages);
        ArgumentNullException.ThrowIfNull(teacherScores);
        var (batch, group) = (teacherScores.shape[0], teacherScores.shape[1]);
        if (queries.shape[0] != batch || passages.shape[0] != batch * group)
            throw new ArgumentException($"{queries.shape[0]} queries, {passages.shape[0]} passages and teacher scores {batch} x {group} do not match.");
        using var scope = NewDisposeScope();
        var student = passages.view(batch, group, -1).bmm(queries.unsqueeze(2)).squeeze(2);              // (batch, group) dot products
        var studentMargin = student.narrow(1, 0, 1) - student.narrow(1, 1, group - 1);                    // (batch, group − 1)
        var teacherMargin = teacherScores.narrow(1, 0, 1) - teacherScores.narrow(1, 1, group - 1);
        return nn.functional.mse_loss(studentMargin, teacherMargin.to_type(studentMargin.dtype)).MoveToOuterDisposeScope();
    }
}
