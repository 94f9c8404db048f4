using static TorchSharp.torch;

namespace Research.Lib.Losses;

/// <summary>
/// One training batch as a <see cref="IContrastiveLoss"/> sees it: the queries' embeddings (batch, dim), the passages'
/// (batch × <see cref="GroupSize"/>, dim) grouped per query with the positive first, optional keys (equal keys: the same
/// text, never each other's negatives), for distillation the teacher's score of every passage (batch, group), and for a
/// guided loss (<see cref="GistLoss"/>) the guide model's embeddings of the same queries and passages (no graph).
/// </summary>
public sealed record ContrastiveBatch(Tensor Queries, Tensor Passages, int GroupSize, IReadOnlyList<long>? PassageKeys = null, Tensor? TeacherScores = null,
    Tensor? GuideQueries = null, Tensor? GuidePassages = null)
{
    /// <summary>The same batch with both sides cut to their first <paramref name="dimensions"/> (Matryoshka).</summary>
    public ContrastiveBatch Truncated(int dimensions) =>
        this with { Queries = Queries.narrow(1, 0, dimensions), Passages = Passages.narrow(1, 0, dimensions) };

    /// <summary>Row i·group + j of the passages: query i's j-th passage (j = 0: its positive).</summary>
    public Tensor Grouped => Passages.view(Queries.shape[0], GroupSize, -1);
}
