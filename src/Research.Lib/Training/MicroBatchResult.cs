using static TorchSharp.torch;

namespace Research.Lib.Training;

/// <summary>
/// One batch's outcome for the log: its loss value, its examples, and its two score means — either left on the device as
/// a float64 pair (<see cref="Scores"/>, read once per log line) or as numbers. <see cref="Skipped"/>: the batch had
/// nothing to learn from (e.g. no token masked) and counts toward nothing.
/// </summary>
public sealed record MicroBatchResult(double Loss, int Examples, Tensor? Scores = null, double Positive = 0, double Negative = 0)
{
    public bool Skipped { get; init; }

    /// <summary>A batch that had nothing to learn from.</summary>
    public static MicroBatchResult Skip { get; } = new(0, 0) { Skipped = true };
}
