using System.Text.Json;
using System.Text.Json.Nodes;

namespace Research.Lib.IO;

/// <summary>Reads a whole JSON file (comments and trailing commas allowed); errors name the file and line, never the parser's internals.</summary>
internal static class JsonFile
{
    private static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static JsonNode Parse(string path)
    {
        var text = File.ReadAllText(path);
        if (text.Trim().Length == 0) throw new InvalidDataException($"{path}: the file is empty; expected JSON.");
        try
        {
            return JsonNode.Parse(text, documentOptions: Lenient) ?? throw new InvalidDataException($"{path}: the file holds null; expected a JSON object.");
        }
        catch (JsonException e)
        {
            var reason = e.Message.Split([" Path:", " LineNumber:"], 2, StringSplitOptions.None)[0];
            throw new InvalidDataException($"{path}:{(e.LineNumber ?? 0) + 1}: not valid JSON: {reason}", e);
        }
    }
}
