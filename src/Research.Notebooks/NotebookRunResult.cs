namespace Research.Notebooks;

/// <summary>
/// The outcome of a run: success, or the failing cell with the line within it and the message. <see cref="TimedOut"/>:
/// the failing cell ran past the timeout and was abandoned, still running on another thread (a C# submission cannot be
/// stopped from outside); the host process should end soon, without running native libraries' exit handlers under it.
/// </summary>
public sealed record NotebookRunResult(
    string NotebookPath,
    bool Succeeded,
    int? FailedCell,
    int? FailedLine,
    string? Error,
    IReadOnlyList<(int Cell, TimeSpan Duration)> Timings,
    string? ExecutedNotebookPath,
    string? HtmlReportPath,
    bool TimedOut = false)
{
    public override string ToString() => Succeeded
        ? $"{NotebookPath}: ok, {Timings.Count} cells in {Timings.Sum(t => t.Duration.TotalSeconds):0.0} s"
        : $"{NotebookPath}: cell {FailedCell}{(FailedLine is { } l ? $", line {l}" : "")}: {Error}";
}
