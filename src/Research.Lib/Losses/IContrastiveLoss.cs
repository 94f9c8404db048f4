using static TorchSharp.torch;

namespace Research.Lib.Losses;

/// <summary>
/// A loss of supervised training, chosen by name in the configuration (<c>"loss": "info_nce"</c>, see
/// <see cref="ContrastiveLosses"/>) or given as an object, as sentence-transformers' losses are: it sees one batch's
/// embeddings (each query with its group of passages) and returns a scalar. <see cref="Check"/> refuses a batch layout it
/// cannot learn from before training starts.
/// </summary>
public interface IContrastiveLoss
{
    /// <summary>The name the configuration gives it (snake_case), e.g. <c>info_nce</c>.</summary>
    string Name { get; }

    /// <summary>Whether each group must carry the teacher's scores (<see cref="ContrastiveBatch.TeacherScores"/>).</summary>
    bool NeedsTeacherScores => false;

    /// <summary>A guide model's folder the objective must run on every batch (<see cref="ContrastiveBatch.GuideQueries"/>), or null (GISTEmbed has one).</summary>
    string? Guide => null;

    /// <summary>The mean loss of the batch, a scalar tensor with a graph.</summary>
    Tensor Compute(ContrastiveBatch batch);

    /// <summary>Refuses batch and group sizes this loss cannot learn from (an <see cref="ArgumentException"/> naming the setting).</summary>
    void Check(int batchSize, int groupSize);
}
