using System.Globalization;
using Research.Lib.IO;

namespace Research.Lib.Modeling;

/// <summary>Writes README.md in a model folder: where the weights came from, their licence, and the settings the kit applies.</summary>
public static class ModelCard
{
    public static void Write(string directory, SentenceEncoder encoder, string name, string source, string license, string description)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        var c = encoder.Model.Config;
        var s = encoder.Settings;
        var lines = new List<string>
        {
            "---",
            "library_name: sentence-transformers",
            "pipeline_tag: sentence-similarity",
            "tags: [sentence-transformers, feature-extraction, research-kit]",
            "---",
            "",
            $"# {name}",
            "",
            description,
            "",
            "| field | value |",
            "|---|---|",
            $"| source | {source} |",
            $"| licence | {license} |",
            $"| imported | {DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} by the research kit |",
            $"| architecture | {c.ModelType}, {c.NumHiddenLayers} layers, hidden {c.HiddenSize}, {c.NumAttentionHeads} heads, intermediate {c.IntermediateSize}, {c.HiddenAct} |",
            $"| vocabulary | {encoder.Tokenizer.VocabSize} tokens ({encoder.Tokenizer.Kind}) |",
            $"| pooling | {s.Pooling.ToString().ToLowerInvariant()} |",
            $"| normalized | {(s.Normalize ? "yes" : "no")} |",
            $"| max tokens | {s.MaxSeqLength} |",
            $"| query instruction | {(s.QueryInstruction.Length == 0 ? "(none)" : "`" + s.QueryInstruction + "`")} |",
            "",
            "Load it with `SentenceEncoder.Load(dir)` in the kit, or `SentenceTransformer(dir)` in Python.",
        };
        AtomicFile.WriteAllText(Path.Combine(directory, "README.md"), string.Join("\n", lines) + "\n");
    }
}
