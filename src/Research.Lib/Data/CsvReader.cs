using System.Text;
using Research.Lib.IO;

namespace Research.Lib.Data;

/// <summary>
/// Streams an RFC 4180 CSV file with a header line (such as financial-qa-10K): comma-separated, fields
/// optionally double-quoted, <c>""</c> for a quote inside quotes, quoted fields may hold commas and line
/// breaks. Each record must have as many fields as the header. Blank lines are skipped.
/// </summary>
public static class CsvReader
{
    /// <summary>Reads records lazily; <paramref name="requiredColumns"/> must all be in the header.</summary>
    public static IEnumerable<CsvRecord> Read(string path, ReadOptions? options = null, params string[] requiredColumns)
    {
        options ??= ReadOptions.Strict;
        options.Validate();
        return Iterate(path, Utf8LineReader.ReadLines(path, options.BytesRead), options, requiredColumns);
    }

    /// <summary>
    /// Reads query/positive pairs from named columns (e.g. financial-qa-10K: question -> query, context -> pos),
    /// as training examples without negatives (mine them later).
    /// </summary>
    public static IEnumerable<TrainingExample> ReadTrainingExamples(string path, string queryColumn, string posColumn, ReadOptions? options = null)
    {
        options ??= ReadOptions.Strict;
        foreach (var record in Read(path, options, queryColumn, posColumn))
        {
            var query = record[queryColumn].Trim();
            var pos = record[posColumn].Trim();
            var bad = query.Length == 0 ? queryColumn : pos.Length == 0 ? posColumn : null;
            if (bad is not null)
            {
                options.Fail(new DataFormatException(path, record.LineNumber, bad, "is empty"));
                continue;
            }
            yield return new TrainingExample(query, [pos]);
        }
    }

    private static IEnumerable<CsvRecord> Iterate(string path, IEnumerable<TextLine> lines, ReadOptions options, string[] requiredColumns)
    {
        Dictionary<string, int>? columns = null;
        var fields = new List<string>();
        var field = new StringBuilder();
        var inQuotes = false;
        long recordStart = 0;
        string? error = null;
        foreach (var line in lines)
        {
            var text = Utf8LineReader.TryDecode(line.Bytes.Span, out var utf8Error);
            if (!inQuotes)
            {
                if (line.IsBlank) continue;
                recordStart = line.Number;
                fields.Clear();
                field.Clear();
                error = null;
            }
            else
            {
                field.Append('\n');
            }
            if (text is null)
            {
                error ??= utf8Error;
                text = "";
            }
            inQuotes = ParseLine(text, fields, field, inQuotes, ref error);
            if (inQuotes) continue;
            fields.Add(field.ToString());
            field.Clear();

            if (columns is null)
            {
                if (error is not null)
                    throw new DataFormatException(path, recordStart, null, $"header: {error}");
                columns = new Dictionary<string, int>(StringComparer.Ordinal);
                for (var i = 0; i < fields.Count; i++)
                {
                    var name = fields[i].Trim();
                    if (!columns.TryAdd(name, i))
                        throw new DataFormatException(path, recordStart, name, "column name appears twice in the header");
                }
                foreach (var required in requiredColumns)
                    if (!columns.ContainsKey(required))
                        throw new DataFormatException(path, recordStart, required, $"required column is missing; the header has: {string.Join(", ", columns.Keys)}");
                continue;
            }
            if (error is null && fields.Count != columns.Count)
                error = $"expected {columns.Count} comma-separated fields as in the header, found {fields.Count}";
            if (error is not null)
            {
                options.Fail(new DataFormatException(path, recordStart, null, error));
                continue;
            }
            yield return new CsvRecord(path, recordStart, columns, fields.ToArray());
        }
        if (inQuotes)
            options.Fail(new DataFormatException(path, recordStart, null, "a quoted field is not closed before the end of the file"));
    }

    /// <summary>Parses one physical line into <paramref name="fields"/>; returns whether a quoted field continues on the next line.</summary>
    private static bool ParseLine(string text, List<string> fields, StringBuilder field, bool inQuotes, ref string? error)
    {
        var fieldStart = !inQuotes && field.Length == 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inQuotes)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else inQuotes = false;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
                fieldStart = true;
                continue;
            }
            else if (c == '"' && fieldStart) inQuotes = true;
            else if (c == '"') error ??= $"a quote inside an unquoted field at character {i + 1}";
            else field.Append(c);
            fieldStart = false;
        }
        return inQuotes;
    }
}
