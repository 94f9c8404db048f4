namespace Research.Lib.Training;

/// <summary>One line of the training log (JSONL): what notebooks plot.</summary>
public sealed record TrainingLogEntry(
    long Step,
    double Epoch,
    double Loss,
    double LearningRate,
    double GradNorm,
    double ExamplesPerSecond,
    double PositiveScore,
    double NegativeScore,
    IReadOnlyDictionary<string, double>? Eval = null)
{
    /// <summary>Mean cosine of queries with their positives minus with their hard negatives, in the last batch.</summary>
    public double ScoreGap => PositiveScore - NegativeScore;
}
