namespace Research.Notebooks;

/// <summary>How to run a notebook headless.</summary>
public sealed record NotebookRunOptions
{
    /// <summary>Overrides for variables assigned in the cell tagged "parameters" (papermill's convention), as text.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Longest a single cell may run (default 10 minutes); a slower cell fails the run.</summary>
    public TimeSpan CellTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Folder for the executed .ipynb and the HTML report; null = do not write them.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Told each cell's number and duration after it runs.</summary>
    public Action<NotebookCell, TimeSpan, bool>? CellFinished { get; init; }
}
