using System.Text.Json.Nodes;

namespace Research.Notebooks.Tests;

/// <summary>Writes small Polyglot notebooks to a temporary folder.</summary>
internal sealed class TestNotebooks : IDisposable
{
    /// <param name="parent">where the folder goes (default: the system's temporary folder); a host that finds its
    /// tools through the repository's tool manifest needs a folder inside the repository</param>
    public TestNotebooks(string? parent = null)
    {
        if (parent is null)
        {
            Dir = Directory.CreateTempSubdirectory("notebook-tests-").FullName;
            return;
        }
        Dir = Path.Combine(parent, "notebook-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Dir);
    }

    public string Dir { get; }

    public string Write(string name, params (string Source, string[]? Tags, string? Language)[] cells)
    {
        var array = new JsonArray();
        foreach (var (source, tags, language) in cells)
        {
            if (language == "markdown-cell")
            {
                array.Add(new JsonObject { ["cell_type"] = "markdown", ["metadata"] = new JsonObject(), ["source"] = source });
                continue;
            }
            var metadata = new JsonObject
            {
                ["dotnet_interactive"] = new JsonObject { ["language"] = language ?? "csharp" },
                ["polyglot_notebook"] = new JsonObject { ["kernelName"] = language ?? "csharp" },
            };
            if (tags is not null) metadata["tags"] = new JsonArray(tags.Select(t => (JsonNode)t).ToArray());
            array.Add(new JsonObject { ["cell_type"] = "code", ["execution_count"] = null, ["metadata"] = metadata, ["outputs"] = new JsonArray(), ["source"] = source });
        }
        var root = new JsonObject
        {
            ["cells"] = array,
            ["metadata"] = new JsonObject { ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" } },
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
        var path = Path.Combine(Dir, name);
        File.WriteAllText(path, root.ToJsonString());
        return path;
    }

    public static (string, string[]?, string?) Cell(string source, params string[] tags) => (source, tags.Length == 0 ? null : tags, null);

    /// <summary>The outputs of the executed notebook's code cell at 1-based position <paramref name="cell"/>.</summary>
    public static JsonArray Outputs(string executedPath, int cell) =>
        (JsonArray)JsonNode.Parse(File.ReadAllText(executedPath))!["cells"]![cell - 1]!["outputs"]!;

    /// <summary>
    /// What a display shows as text: text/plain where the kernel wrote it, else the text inside the kernel's
    /// plain-text HTML (<c>&lt;div class="dni-plaintext"&gt;&lt;pre&gt;…&lt;/pre&gt;</c>).
    /// </summary>
    public static string Shown(JsonNode data)
    {
        if (data["text/plain"] is { } plain) return Text(plain);
        var html = Text(data["text/html"]);
        var start = html.IndexOf("<pre>", StringComparison.Ordinal);
        var end = html.IndexOf("</pre>", StringComparison.Ordinal);
        return start >= 0 && end > start ? System.Net.WebUtility.HtmlDecode(html[(start + 5)..end]) : html;
    }

    /// <summary>Non-overlapping occurrences of <paramref name="part"/> in <paramref name="text"/>.</summary>
    public static int CountOf(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    public static string Text(JsonNode? node) => node switch
    {
        JsonArray a => string.Concat(a.Select(x => x!.GetValue<string>())),
        JsonValue v => v.GetValue<string>(),
        _ => "",
    };

    public void Dispose()
    {
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}
