using System.Text.Json;
using Research.Lib.IO;

namespace Research.Lib.Data;

/// <summary>
/// Field access on one parsed JSONL record, with errors that name the file, line and field.
/// Shared by every JSONL reader of the kit.
/// </summary>
internal readonly struct JsonFields
{
    private readonly string _file;
    private readonly long _line;

    private JsonFields(string file, long line, JsonElement root)
    {
        _file = file;
        _line = line;
        Root = root;
    }

    public JsonElement Root { get; }

    /// <summary>Parses one line as a JSON object; the caller disposes the returned document.</summary>
    public static JsonDocument ParseObject(string file, TextLine line, out JsonFields fields)
    {
        if (!System.Text.Unicode.Utf8.IsValid(line.Bytes.Span))
        {
            Utf8LineReader.TryDecode(line.Bytes.Span, out var utf8Error);
            throw new DataFormatException(file, line.Number, null, utf8Error!);
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line.Bytes);
        }
        catch (JsonException e)
        {
            var text = System.Text.Encoding.UTF8.GetString(line.Bytes.Span);
            throw new DataFormatException(file, line.Number, null, DescribeJsonError(text, e), e);
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            var kind = Describe(document.RootElement.ValueKind);
            document.Dispose();
            throw new DataFormatException(file, line.Number, null, $"expected a JSON object {{...}} on each line, found {kind}");
        }
        fields = new JsonFields(file, line.Number, document.RootElement);
        return document;
    }

    internal static string DescribeJsonError(string text, JsonException e)
    {
        var trimmed = text.TrimStart();
        if (trimmed.Contains("['", StringComparison.Ordinal) || trimmed.Contains("': ", StringComparison.Ordinal)
            || trimmed.StartsWith("{'", StringComparison.Ordinal) || trimmed.Contains(", '", StringComparison.Ordinal))
            return "not JSON: strings use Python-style single quotes (e.g. ['text']); JSON needs double quotes "
                 + "(write records with json.dumps(record, ensure_ascii=False))";
        foreach (var token in new[] { "NaN", "Infinity" })
            if (ContainsBareToken(trimmed, token))
                return $"not JSON: contains a bare {token} (Python's json.dumps writes it for non-finite floats; scores must be finite numbers)";
        var where = e.BytePositionInLine is { } pos ? $" at byte {pos + 1}" : "";
        return $"malformed JSON{where}: {FirstSentence(e.Message)}";
    }

    private static bool ContainsBareToken(string text, string token)
    {
        var inString = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\') i++;
                else if (c == '"') inString = false;
            }
            else if (c == '"') inString = true;
            else if (string.CompareOrdinal(text, i, token, 0, token.Length) == 0) return true;
        }
        return false;
    }

    private static string FirstSentence(string message)
    {
        foreach (var marker in new[] { " Path:", " LineNumber:" })
        {
            var cut = message.IndexOf(marker, StringComparison.Ordinal);
            if (cut > 0) message = message[..cut];
        }
        return message.TrimEnd('.', ' ', '|');
    }

    public bool Has(string name) => Root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public string RequiredString(string name)
    {
        if (!Root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            throw Error(name, "missing");
        if (value.ValueKind != JsonValueKind.String)
            throw Error(name, $"expected a string, found {Describe(value.ValueKind)}");
        var s = value.GetString()!;
        if (string.IsNullOrWhiteSpace(s))
            throw Error(name, "is empty");
        return s;
    }

    public string? OptionalString(string name)
    {
        if (!Root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind != JsonValueKind.String)
            throw Error(name, $"expected a string, found {Describe(value.ValueKind)}");
        return value.GetString();
    }

    /// <summary>A list of non-empty strings, or null when the field is absent.</summary>
    public List<string>? StringList(string name)
    {
        if (!Root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind == JsonValueKind.String)
            throw Error(name, "expected a list of strings, found a single string (wrap it in [ ])");
        if (value.ValueKind != JsonValueKind.Array)
            throw Error(name, $"expected a list of strings, found {Describe(value.ValueKind)}");
        var list = new List<string>(value.GetArrayLength());
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
                throw Error($"{name}[{i}]", $"expected a string, found {Describe(item.ValueKind)}");
            var s = item.GetString()!;
            if (string.IsNullOrWhiteSpace(s))
                throw Error($"{name}[{i}]", "is empty");
            list.Add(s);
            i++;
        }
        return list;
    }

    /// <summary>A list of finite numbers, or null when the field is absent.</summary>
    public List<double>? NumberList(string name)
    {
        if (!Root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind != JsonValueKind.Array)
            throw Error(name, $"expected a list of numbers, found {Describe(value.ValueKind)}");
        var list = new List<double>(value.GetArrayLength());
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number)
                throw Error($"{name}[{i}]", $"expected a number, found {Describe(item.ValueKind)}");
            if (!item.TryGetDouble(out var d) || !double.IsFinite(d))
                throw Error($"{name}[{i}]", $"{item.GetRawText()} is not a finite number");
            list.Add(d);
            i++;
        }
        return list;
    }

    public DataFormatException Error(string? field, string reason) => new(_file, _line, field, reason);

    internal static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
