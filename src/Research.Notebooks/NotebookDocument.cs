using System.Text.Json;
using System.Text.Json.Nodes;
using Research.Lib.IO;

namespace Research.Notebooks;

/// <summary>
/// An .ipynb file (nbformat 4) as VS Code Polyglot writes it. Unknown metadata is kept as it is, so a notebook
/// read and written back differs only in what the runner sets (outputs, execution counts).
/// </summary>
public sealed class NotebookDocument
{
    private readonly JsonObject _root;

    private NotebookDocument(string path, JsonObject root)
    {
        Path = path;
        _root = root;
        var cells = root["cells"] as JsonArray ?? throw new InvalidDataException($"{path}: no \"cells\" list; is this an .ipynb notebook?");
        try
        {
            Cells = cells.Select((c, i) => new NotebookCell(i + 1, c as JsonObject ?? throw new InvalidDataException($"cell {i + 1} is not a JSON object."))).ToList();
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    public string Path { get; }

    public IReadOnlyList<NotebookCell> Cells { get; }

    /// <summary>The kernelspec name, ".net-csharp" for Polyglot C# notebooks.</summary>
    public string? KernelName => _root["metadata"]?["kernelspec"]?["name"]?.GetValue<string>();

    public static NotebookDocument Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: notebook not found.", path);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            // JsonException counts lines and bytes from 0 and appends them to its message; say them once, from 1.
            var reason = e.Message.Split(" LineNumber:", 2)[0].TrimEnd();
            throw new InvalidDataException($"{path}:{(e.LineNumber ?? 0) + 1}: not valid JSON at byte {(e.BytePositionInLine ?? 0) + 1} ({reason}); is it an .ipynb notebook?", e);
        }
        if (node is not JsonObject root) throw new InvalidDataException($"{path}: not a notebook (the top level is not an object).");
        var major = root["nbformat"] is JsonValue n && n.TryGetValue<int>(out var m) ? m : 0;
        if (major != 4) throw new InvalidDataException($"{path}: nbformat {major} is not supported; save it as nbformat 4.");
        return new NotebookDocument(path, root);
    }

    /// <summary>Sets a cell's outputs and execution count (null: not run).</summary>
    internal void SetOutputs(NotebookCell cell, IReadOnlyList<JsonObject> outputs, int? executionCount)
    {
        cell.Json["outputs"] = new JsonArray(outputs.Select(o => (JsonNode)o.DeepClone()).ToArray());
        cell.Json["execution_count"] = executionCount;
    }

    /// <summary>Clears every code cell's outputs (for committing notebooks without outputs).</summary>
    internal void ClearOutputs()
    {
        foreach (var c in Cells.Where(c => c.Kind == "code")) SetOutputs(c, [], null);
    }

    /// <summary>Inserts a code cell after <paramref name="after"/> (papermill's injected-parameters cell).</summary>
    internal NotebookCell InsertAfter(NotebookCell after, string source, string tag)
    {
        var json = new JsonObject
        {
            ["cell_type"] = "code",
            ["execution_count"] = null,
            ["metadata"] = new JsonObject
            {
                ["tags"] = new JsonArray(tag),
                ["dotnet_interactive"] = new JsonObject { ["language"] = "csharp" },
                ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" },
            },
            ["outputs"] = new JsonArray(),
            ["source"] = source,
        };
        var cells = (JsonArray)_root["cells"]!;
        cells.Insert(after.Number, json);
        return new NotebookCell(after.Number + 1, json);
    }

    public void Save(string path) =>
        AtomicFile.WriteAllText(path, _root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");

    /// <summary>A copy to run: same JSON, so the original stays as it was.</summary>
    internal NotebookDocument Copy() => new(Path, (JsonObject)_root.DeepClone());
}
