namespace Research.Lib.IO;

/// <summary>
/// Bad input: names the file, the 1-based line and the field, so the user can open the file at the
/// right place. <see cref="Exception.Message"/> reads <c>file:line: field 'name': reason</c>.
/// </summary>
public sealed class DataFormatException : Exception
{
    public DataFormatException(string filePath, long lineNumber, string? field, string reason, Exception? inner = null)
        : base(Format(filePath, lineNumber, field, reason), inner)
    {
        FilePath = filePath;
        LineNumber = lineNumber;
        Field = field;
        Reason = reason;
    }

    /// <summary>The file that holds the bad record.</summary>
    public string FilePath { get; }

    /// <summary>1-based line number (for multi-line CSV records, the line the record starts on); 0 for the file as a whole.</summary>
    public long LineNumber { get; }

    /// <summary>The field at fault, or null when the whole line is at fault (malformed JSON, invalid UTF-8).</summary>
    public string? Field { get; }

    /// <summary>What is wrong, without the location prefix.</summary>
    public string Reason { get; }

    internal static string Format(string filePath, long lineNumber, string? field, string reason)
    {
        var location = lineNumber > 0 ? $"{filePath}:{lineNumber}" : filePath;
        return field is null ? $"{location}: {reason}" : $"{location}: field '{field}': {reason}";
    }
}
