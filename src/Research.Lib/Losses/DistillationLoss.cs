using Research.Lib.Tensors;
using static TorchSharp.torch;

namespace Research.Lib.Losses;

/// <summary>
/// Knowledge distillation from a teacher's scores (FlagEmbedding's <c>pos_scores</c> / <c>neg_scores</c>, e.g. a
/// reranker's): over each query's group of passages, KL(teacher ‖ student) between the softmax of the teacher's scores
/// (divided by <c>teacherTemperature</c>) and the softmax of the student's cosines (divided by <c>temperature</c>).
/// Defaults: temperature 0.02 (as <see cref="InfoNceLoss"/>), teacher temperature 1 (scores used as given).
/// </summary>
public sealed class DistillationLoss(double temperature = 0.02, double teacherTemperature = 1) : IContrastiveLoss
{
    public double Temperature { get; } = temperature;
    public double TeacherTemperature { get; } = teacherTemperature;
    public string Name => ContrastiveLosses.Distillation;
    public bool NeedsTeacherScores => true;

    public Tensor Compute(ContrastiveBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.TeacherScores is null) throw new ArgumentException("loss distillation: the batch carries no teacher scores (pos_scores / neg_scores).");
        return Compute(batch.Queries, batch.Passages, batch.TeacherScores, Temperature, TeacherTemperature);
    }

    public void Check(int batchSize, int groupSize)
    {
        if (!(Temperature > 0)) throw new ArgumentException($"info_nce.temperature {Temperature}: expected a positive number.");
        if (!(TeacherTemperature > 0)) throw new ArgumentException($"teacher_temperature {TeacherTemperature}: expected a positive number.");
        if (groupSize < 2) throw new ArgumentException("loss distillation matches the teacher's distribution over each group: set group_size to at least 2.");
    }

    /// <param name="queries">(batch, dim)</param>
    /// <param name="passages">(batch × groupSize, dim), grouped per query</param>
    /// <param name="teacherScores">(batch, groupSize): the teacher's score of each passage of the group</param>
    /// <param name="temperature">divides the student's cosines</param>
    /// <param name="teacherTemperature">divides the teacher's scores</param>
    public static Tensor Compute(Tensor queries, Tensor passages, Tensor teacherScores, double temperature = 0.02, double teacherTemperature = 1)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(passages);
        ArgumentNullException.ThrowIfNull(teacherScores);
        var (batch, group) = (teacherScores.shape[0], teacherScores.shape[1]);
        if (queries.shape[0] != batch || passages.shape[0] != batch * group)
            throw new ArgumentException($"{queries.shape[0]} queries, {passages.shape[0]} passages and teacher scores {batch} x {group} do not match.");
        using var scope = NewDisposeScope();
        var q = nn.functional.normalize(queries, p: 2, dim: -1);
        var p = nn.functional.normalize(passages, p: 2, dim: -1).view(batch, group, -1);
        var student = nn.functional.log_softmax(p.bmm(q.unsqueeze(2)).squeeze(2).DividedBy(temperature), 1);  // (batch, group)
        var teacher = nn.functional.log_softmax(teacherScores.DividedBy(teacherTemperature), 1);
        var kl = (teacher.exp() * (teacher - student)).sum(1).mean();
        return kl.MoveToOuterDisposeScope();
    }
}
