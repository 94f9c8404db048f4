using System.Text;
using Research.Lib.IO;

namespace Research.Lib.Data;

/// <summary>
/// Every record a lenient read skipped, so nothing disappears silently. Write it next to the output
/// with <see cref="WriteTsv"/> (columns: file, line, field, reason).
/// </summary>
public sealed class SkipReport
{
    private readonly List<SkippedRecord> _records = [];

    public IReadOnlyList<SkippedRecord> Records => _records;

    public int Count => _records.Count;

    public void Add(SkippedRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        _records.Add(record);
    }

    /// <summary>Writes the report atomically as TSV with a header line.</summary>
    public void WriteTsv(string path)
    {
        AtomicFile.WriteText(path, writer =>
        {
            writer.Write("file\tline\tfield\treason\n");
            foreach (var r in _records)
            {
                writer.Write(Clean(r.FilePath));
                writer.Write('\t');
                writer.Write(r.LineNumber);
                writer.Write('\t');
                writer.Write(Clean(r.Field ?? ""));
                writer.Write('\t');
                writer.Write(Clean(r.Reason));
                writer.Write('\n');
            }
        });
    }

    private static string Clean(string s)
    {
        if (s.AsSpan().IndexOfAny('\t', '\n', '\r') < 0)
            return s;
        var sb = new StringBuilder(s);
        return sb.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ').ToString();
    }
}
