namespace Research.Notebooks;

#pragma warning disable IDE1006

/// <summary>
/// What a notebook's C# cells see besides their own variables, as in Polyglot: <c>display(x)</c> to show a value
/// mid-cell and <c>HTML("...")</c> for raw markup. Also the notebook's own path and the run's parameters.
/// </summary>
public sealed class NotebookGlobals
{
    internal Action<object?> Display { get; set; } = _ => { };

    /// <summary>The folder of the notebook being run (relative paths in cells resolve against the working directory).</summary>
    public string NotebookDirectory { get; internal set; } = "";

    /// <summary>Shows a value in the cell's output (Polyglot's display()).</summary>
    public object? display(object? value)
    {
        Display(value);
        return null;
    }

    /// <summary>Markup shown as it is (Polyglot's HTML()).</summary>
    public HtmlString HTML(string html) => new(html);
}
