using System.Globalization;
using System.Net;
using System.Text;

namespace Research.Lib.Notebooks;

/// <summary>
/// A small HTML table for notebook output (metric tables, dataset summaries): header row, numbers right-aligned
/// and shown with a fixed number of decimals. Polyglot, dotnet-repl and the kit's runner show it as HTML (<c>display(table)</c>).
/// </summary>
[TypeFormatterSource(typeof(NotebookFormatterSource), PreferredMimeTypes = ["text/html"])]
public sealed class HtmlTable
{
    private readonly string[] _columns;
    private readonly List<object?[]> _rows = [];

    public HtmlTable(params string[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Length == 0) throw new ArgumentException("A table needs at least one column.", nameof(columns));
        _columns = columns;
    }

    /// <summary>Decimals for floating-point cells (default 4, as MTEB tables).</summary>
    public int Decimals { get; init; } = 4;

    public string? Caption { get; init; }

    public int RowCount => _rows.Count;

    public HtmlTable AddRow(params object?[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Length != _columns.Length)
            throw new ArgumentException($"Row has {cells.Length} cells; the table has {_columns.Length} columns ({string.Join(", ", _columns)}).", nameof(cells));
        _rows.Add(cells);
        return this;
    }

    public string ToHtml()
    {
        var sb = new StringBuilder("<table class=\"research-table\">");
        if (Caption is not null) sb.Append("<caption>").Append(WebUtility.HtmlEncode(Caption)).Append("</caption>");
        sb.Append("<thead><tr>");
        foreach (var c in _columns) sb.Append("<th>").Append(WebUtility.HtmlEncode(c)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var row in _rows)
        {
            sb.Append("<tr>");
            foreach (var cell in row)
            {
                var numeric = cell is double or float or decimal or int or long;
                sb.Append(numeric ? "<td style=\"text-align:right\">" : "<td>").Append(WebUtility.HtmlEncode(Format(cell))).Append("</td>");
            }
            sb.Append("</tr>");
        }
        return sb.Append("</tbody></table>").ToString();
    }

    /// <summary>Plain text with aligned columns (what a console or text/plain output shows).</summary>
    public override string ToString()
    {
        var cells = _rows.Select(r => r.Select(Format).ToArray()).Prepend(_columns).ToList();
        var widths = Enumerable.Range(0, _columns.Length).Select(i => cells.Max(r => r[i].Length)).ToArray();
        return string.Join('\n', cells.Select(r => string.Join("  ", r.Select((c, i) => c.PadRight(widths[i]))).TrimEnd()));
    }

    private string Format(object? cell) => cell switch
    {
        null => "",
        double d => d.ToString("F" + Decimals, CultureInfo.InvariantCulture),
        float f => f.ToString("F" + Decimals, CultureInfo.InvariantCulture),
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString() ?? "",
    };
}
