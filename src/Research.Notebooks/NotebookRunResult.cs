namespace Research.Notebooks;

/// <summary>The outcome of a run: success, or the failing cell with the line within it and the message.</summary>
public sealed record NotebookRunResult(
    string NotebookPath,
    bool Succeeded,
    int? FailedCell,
    int? FailedLine,
    string? Error,
    IReadOnlyList<(int Cell, TimeSpan Duration)> Timings,
    string? ExecutedNotebookPath,
    string? HtmlReportPath)
{
    public override string ToString() => Succeeded
        ? $"{NotebookPath}: ok, {Timings.Count} cells in {Timings.Sum(t => t.Duration.TotalSeconds):0.0} s"
        : $"{NotebookPath}: cell {FailedCell}{(FailedLine is { } l ? $", line {l}" : "")}: {Error}";
}
