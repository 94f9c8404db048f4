namespace Research.Lib.Notebooks;

/// <summary>
/// Formatters for the kit's displayable types (<see cref="PlotlyChart"/>, <see cref="HtmlTable"/>), found by the .NET
/// Interactive formatter through <see cref="TypeFormatterSourceAttribute"/>: HTML for notebooks, plain text for consoles.
/// </summary>
internal sealed class NotebookFormatterSource
{
    public IEnumerable<object> CreateTypeFormatters() =>
    [
        new Formatter<PlotlyChart>("text/html", c => c.ToHtml()),
        new Formatter<PlotlyChart>("text/plain", c => c.ToString()),
        new Formatter<HtmlTable>("text/html", t => t.ToHtml()),
        new Formatter<HtmlTable>("text/plain", t => t.ToString()),
    ];

    /// <summary>The shape the .NET Interactive formatter expects of a convention-based formatter.</summary>
    private sealed class Formatter<T>(string mimeType, Func<T, string> format)
    {
        public string MimeType { get; } = mimeType;

        public Type Type => typeof(T);

        public bool Format(object instance, TextWriter writer)
        {
            if (instance is not T value) return false;
            writer.Write(format(value));
            return true;
        }
    }
}
