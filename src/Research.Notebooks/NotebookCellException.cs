namespace Research.Notebooks;

/// <summary>A problem with one cell that is not a C# error (a #r that cannot be resolved, a bad parameter).</summary>
internal sealed class NotebookCellException(string message, int? line) : Exception(message)
{
    public int? Line { get; } = line;
}
