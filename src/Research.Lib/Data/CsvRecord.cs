using Research.Lib.IO;
namespace Research.Lib.Data;

/// <summary>One CSV record: its fields, addressable by header name, and the line it starts on.</summary>
public sealed class CsvRecord
{
    private readonly IReadOnlyDictionary<string, int> _columns;
    private readonly string[] _fields;

    internal CsvRecord(string filePath, long lineNumber, IReadOnlyDictionary<string, int> columns, string[] fields)
    {
        FilePath = filePath;
        LineNumber = lineNumber;
        _columns = columns;
        _fields = fields;
    }

    public string FilePath { get; }

    /// <summary>1-based line on which the record starts (a quoted field may span lines).</summary>
    public long LineNumber { get; }

    public IReadOnlyList<string> Fields => _fields;

    /// <summary>The value in the named column; an unknown column is an error naming the columns there are.</summary>
    public string this[string column] => _columns.TryGetValue(column, out var i)
        ? _fields[i]
        : throw new DataFormatException(FilePath, 1, column, $"no such column; the header has: {string.Join(", ", _columns.Keys)}");
}
