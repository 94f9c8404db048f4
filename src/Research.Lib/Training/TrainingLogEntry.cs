using System.Globalization;

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

    /// <summary>
    /// The line as TensorBoard scalars (sentence-transformers' and transformers' names under <c>train/</c> and
    /// <c>eval/</c>): loss, learning_rate, grad_norm, score_gap and examples_per_second of a training line (none for an
    /// evaluation-only line, whose loss is NaN), and each evaluation metric.
    /// </summary>
    public IEnumerable<(string Tag, double Value)> Scalars()
    {
        if (!double.IsNaN(Loss))
        {
            yield return ("train/loss", Loss);
            yield return ("train/learning_rate", LearningRate);
            yield return ("train/grad_norm", GradNorm);
            if (!double.IsNaN(ScoreGap)) yield return ("train/score_gap", ScoreGap);
            yield return ("train/examples_per_second", ExamplesPerSecond);
        }
        foreach (var (metric, value) in Eval ?? new Dictionary<string, double>()) yield return ("eval/" + metric, value);
    }

    /// <summary>The line a console shows: step, epoch, loss, learning rate, gradient norm, score gap, rate, evaluation.</summary>
    public string ToConsoleLine()
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"step {Step,6}  epoch {Epoch,5:0.00}  loss {Loss,8:0.0000}  lr {LearningRate:0.00e+0}  grad {GradNorm,7:0.000}  gap {ScoreGap,6:0.000}  {ExamplesPerSecond,6:0.0} ex/s");
        if (Eval is { } ev)
            line += "  " + string.Join("  ", ev.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:0.0000}")));
        return line;
    }
}
