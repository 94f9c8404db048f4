using System.Globalization;
using Research.Lib.IO;

namespace Research.Lib.Data;

/// <summary>
/// Reads a retrieval corpus or a query list, recognizing the format by content, not by extension:
/// <list type="bullet">
/// <item>JSON Lines (the first non-blank line starts with <c>{</c>): BEIR's <c>corpus.jsonl</c> (<c>_id</c>, optional
/// <c>title</c>, <c>text</c>) or <c>queries.jsonl</c> (<c>_id</c>, <c>text</c>); <c>_id</c> may be a string or a number.</item>
/// <item>Plain text: one document or query per non-blank line, ids 0, 1, 2, ... in file order.</item>
/// </list>
/// A JSON array, a training file (query/pos records), duplicate ids, empty texts and invalid UTF-8 are errors naming
/// file, line and field (or reported skips in lenient mode); an input without any record is an error.
/// </summary>
public static class CorpusReader
{
    public static IEnumerable<CorpusDocument> ReadDocuments(string path, ReadOptions? options = null) =>
        Read(path, options ?? ReadOptions.Strict, "document", (f, id) =>
        {
            var text = f.OptionalString("text") ?? "";
            var title = f.OptionalString("title") ?? "";
            if (string.IsNullOrWhiteSpace(text) && string.IsNullOrWhiteSpace(title)) throw f.Error("text", "document has neither text nor title");
            return new CorpusDocument(id, title, text);
        }, (id, text) => new CorpusDocument(id, "", text));

    public static IEnumerable<EvalQuery> ReadQueries(string path, ReadOptions? options = null) =>
        Read(path, options ?? ReadOptions.Strict, "query", (f, id) =>
        {
            var text = f.RequiredString("text");
            if (string.IsNullOrWhiteSpace(text)) throw f.Error("text", "empty query");
            return new EvalQuery(id, text);
        }, (id, text) => new EvalQuery(id, text));

    /// <summary>The <c>_id</c> of a BEIR record (a string, or a number kept as written).</summary>
    internal static string Id(JsonFields f)
    {
        if (f.Root.TryGetProperty("_id", out var v) && v.ValueKind == System.Text.Json.JsonValueKind.Number)
            return v.GetRawText();
        if (!f.Has("_id"))
            throw f.Error("_id", f.Has("query") || f.Has("pos")
                ? "missing; this looks like a training file (query/pos records), not a BEIR corpus or query file"
                : "missing; BEIR records need an _id");
        return f.RequiredString("_id");
    }

    private static IEnumerable<T> Read<T>(string path, ReadOptions options, string what, Func<JsonFields, string, T> fromJson, Func<string, string, T> fromText)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options.Validate();
        var lines = Utf8LineReader.ReadLines(path, options.BytesRead); // checks the path at once, not at first enumeration
        return Iterate(path, lines, options, what, fromJson, fromText);
    }

    private static IEnumerable<T> Iterate<T>(string path, IEnumerable<TextLine> lines, ReadOptions options, string what,
        Func<JsonFields, string, T> fromJson, Func<string, string, T> fromText)
    {
        bool? json = null;
        var ids = new HashSet<string>(StringComparer.Ordinal);
        long count = 0, plainNumber = 0;
        foreach (var line in lines)
        {
            if (line.IsBlank) continue;
            T item;
            try
            {
                var text = Utf8LineReader.TryDecode(line.Bytes.Span, out var error) ?? throw new DataFormatException(path, line.Number, null, error!);
                var trimmed = text.TrimStart();
                if (json is null)
                {
                    if (trimmed.StartsWith('['))
                        throw new DataFormatException(path, line.Number, null, "a JSON array; expected JSON Lines (one object per line) or plain text (one per line)");
                    json = trimmed.StartsWith('{');
                }
                if (json == true)
                {
                    using var doc = JsonFields.ParseObject(path, line, out var fields);
                    var id = Id(fields);
                    if (!ids.Add(id)) throw fields.Error("_id", $"duplicate {what} id '{id}'");
                    item = fromJson(fields, id);
                }
                else
                {
                    var id = (plainNumber++).ToString(CultureInfo.InvariantCulture);
                    item = fromText(id, text.Trim());
                }
            }
            catch (DataFormatException e)
            {
                options.Fail(e);
                continue;
            }
            count++;
            yield return item;
        }
        if (count == 0)
            throw new DataFormatException(path, 0, null, $"no {what}s (the file is empty or every record was skipped)");
    }
}
