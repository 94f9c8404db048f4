using System.Text.Json.Nodes;

namespace Research.Notebooks;

/// <summary>nbformat 4 output objects.</summary>
internal static class Outputs
{
    public static JsonObject Stream(string name, string text) =>
        new() { ["output_type"] = "stream", ["name"] = name, ["text"] = Lines(text) };

    public static JsonObject Result(IReadOnlyDictionary<string, string> data, int executionCount) =>
        new() { ["output_type"] = "execute_result", ["execution_count"] = executionCount, ["data"] = Data(data), ["metadata"] = new JsonObject() };

    public static JsonObject Display(IReadOnlyDictionary<string, string> data) =>
        new() { ["output_type"] = "display_data", ["data"] = Data(data), ["metadata"] = new JsonObject() };

    public static JsonObject Error(string name, string value, IEnumerable<string> traceback) =>
        new() { ["output_type"] = "error", ["ename"] = name, ["evalue"] = value, ["traceback"] = new JsonArray(traceback.Select(t => (JsonNode)t).ToArray()) };

    private static JsonObject Data(IReadOnlyDictionary<string, string> data)
    {
        var o = new JsonObject();
        foreach (var (mime, content) in data)
            o[mime] = mime.EndsWith("json", StringComparison.Ordinal) ? JsonNode.Parse(content) : Lines(content);
        return o;
    }

    /// <summary>Multi-line text as nbformat's list of lines, each but the last ending in "\n".</summary>
    public static JsonArray Lines(string text)
    {
        var parts = new List<JsonNode>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
            if (text[i] == '\n')
            {
                parts.Add(text[start..(i + 1)]);
                start = i + 1;
            }
        if (start < text.Length) parts.Add(text[start..]);
        return new JsonArray(parts.ToArray());
    }
}
