using System.Text.Json.Nodes;

namespace Research.Notebooks;

/// <summary>One cell of a notebook: its kind, language, source and tags, and the JSON it came from.</summary>
public sealed class NotebookCell
{
    internal NotebookCell(int number, JsonObject json)
    {
        Number = number;
        Json = json;
        Kind = json["cell_type"]?.GetValue<string>() ?? "code";
        Source = json["source"] switch
        {
            null => "",
            JsonArray lines when lines.All(l => l is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String)
                => string.Concat(lines.Select(l => l!.GetValue<string>())),
            JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => v.GetValue<string>(),
            var other => throw new InvalidDataException($"cell {number}: 'source' is {other.ToJsonString()}; nbformat 4 expects a string or a list of strings."),
        };
        var metadata = json["metadata"] as JsonObject;
        Tags = metadata?["tags"] is JsonArray tags ? tags.Select(t => t!.GetValue<string>()).ToList() : [];
        Language = metadata?["dotnet_interactive"]?["language"]?.GetValue<string>()
            ?? metadata?["polyglot_notebook"]?["kernelName"]?.GetValue<string>()
            ?? "csharp";
        var first = Source.TrimStart().Split('\n', 2)[0].Trim();
        if (first.StartsWith("#!", StringComparison.Ordinal) && first.Length > 2 && !first.Contains(' ', StringComparison.Ordinal))
        {
            var magic = first[2..];
            if (magic is "csharp" or "c#" or "markdown" or "fsharp" or "f#" or "pwsh" or "powershell" or "javascript" or "js" or "html" or "sql" or "kql" or "mermaid")
                Language = magic switch { "c#" => "csharp", "f#" => "fsharp", "powershell" => "pwsh", "js" => "javascript", _ => magic };
        }
    }

    /// <summary>1-based position in the notebook, counting every cell.</summary>
    public int Number { get; }

    /// <summary>"code", "markdown" or "raw".</summary>
    public string Kind { get; }

    /// <summary>The kernel that runs it ("csharp", "markdown", ...), from metadata or a <c>#!</c> magic line.</summary>
    public string Language { get; }

    public string Source { get; }

    public IReadOnlyList<string> Tags { get; }

    public bool IsCode => Kind == "code" && Language != "markdown";

    public bool IsMarkdown => Kind == "markdown" || (Kind == "code" && Language == "markdown");

    internal JsonObject Json { get; }
}
