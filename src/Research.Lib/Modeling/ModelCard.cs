using System.Globalization;
using Research.Lib.IO;

namespace Research.Lib.Modeling;

/// <summary>Writes README.md in a model folder: where the weights came from, their licence, and the settings the kit applies.</summary>
public static class ModelCard
{
    /// <summary>The card of an imported or downloaded model: where its weights came from and their licence.</summary>
    public static void Write(string directory, SentenceEncoder encoder, string name, string source, string license, string description) =>
        Write(directory, encoder, name, description,
            [("source", source), ("licence", license), ("imported", $"{DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} by the research kit")]);

    /// <summary>
    /// A card with the model's own facts (<paramref name="provenance"/> rows first, then architecture, vocabulary, pooling,
    /// normalization, length, instruction) and optional markdown after the table (e.g. a trained model's configuration and
    /// dev metrics), with sentence-transformers' front matter so the Hugging Face hub and sentence-transformers read it.
    /// </summary>
    public static void Write(string directory, SentenceEncoder encoder, string name, string description, IEnumerable<(string Field, string Value)> provenance, string? details = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(provenance);
        var s = encoder.Settings;
        var lines = Header("sentence-similarity", "feature-extraction", name, description, provenance, encoder);
        lines.AddRange(
        [
            $"| pooling | {s.Pooling.ToString().ToLowerInvariant()} |",
            $"| normalized | {(s.Normalize ? "yes" : "no")} |",
            $"| max tokens | {s.MaxSeqLength} |",
            $"| query instruction | {(s.QueryInstruction.Length == 0 ? "(none)" : "`" + s.QueryInstruction + "`")} |",
        ]);
        if (encoder.Model.Lora is { } lora)
        {
            var total = encoder.Model.BaseParameters().Sum(p => p.parameter.numel());
            lines.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"| LoRA adapter | r {lora.Options.R}, lora_alpha {lora.Options.LoraAlpha}, lora_dropout {lora.Options.LoraDropout}, target_modules {string.Join(", ", lora.Options.TargetModules)}: {lora.Paths.Count} layers, {lora.TrainableParameterCount:N0} trainable parameters ({100.0 * lora.TrainableParameterCount / total:0.00}% of the transformer's {total:N0}) |"));
        }
        lines.Add("");
        if (details is { Length: > 0 }) lines.AddRange([details.TrimEnd('\n'), ""]);
        lines.Add(encoder.Model.Lora is null
            ? "Load it with `SentenceEncoder.Load(dir)` in the kit, or `SentenceTransformer(dir)` in Python."
            : "This folder holds a PEFT LoRA adapter (adapter_config.json, adapter_model.safetensors) on the base model named by base_model_name_or_path. "
              + "Load it with `SentenceEncoder.Load(dir)` in the kit, `SentenceTransformer(dir)` with PEFT installed in Python, or fold it into a full model folder with `research model merge-lora`.");
        AtomicFile.WriteAllText(Path.Combine(directory, "README.md"), string.Join("\n", lines) + "\n");
    }
    /// <summary>
    /// A cross-encoder's (reranker's) card: <paramref name="provenance"/> rows, then architecture, vocabulary, pair token
    /// budget and head, with sentence-transformers' front matter for a text-ranking model.
    /// </summary>
    public static void WriteCrossEncoder(string directory, CrossEncoder model, string name, string description, IEnumerable<(string Field, string Value)> provenance, string? details = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(provenance);
        var lines = Header("text-ranking", "cross-encoder, reranker", name, description, provenance, model.Encoder);
        lines.AddRange(
        [
            $"| max tokens per pair | {model.MaxLength} |",
            "| head | first token → pooler → classifier, one logit per (query, passage) pair (num_labels 1) |",
            "",
        ]);
        if (details is { Length: > 0 }) lines.AddRange([details.TrimEnd('\n'), ""]);
        lines.Add("Load it with `CrossEncoder.Load(dir)` in the kit, `CrossEncoder(dir)` from sentence-transformers or `AutoModelForSequenceClassification.from_pretrained(dir)` in Python; its logits are raw scores (apply a sigmoid for a probability).");
        AtomicFile.WriteAllText(Path.Combine(directory, "README.md"), string.Join("\n", lines) + "\n");
    }

    /// <summary>sentence-transformers' front matter, the title and description, then the table: provenance rows, architecture, vocabulary.</summary>
    private static List<string> Header(string pipelineTag, string tags, string name, string description, IEnumerable<(string Field, string Value)> provenance, SentenceEncoder encoder)
    {
        var c = encoder.Model.Config;
        var lines = new List<string>
        {
            "---",
            "library_name: sentence-transformers",
            $"pipeline_tag: {pipelineTag}",
            $"tags: [sentence-transformers, {tags}, research-kit]",
            "---",
            "",
            $"# {name}",
            "",
            description,
            "",
            "| field | value |",
            "|---|---|",
        };
        lines.AddRange(provenance.Select(r => $"| {r.Field} | {r.Value.Replace("|", "\\|", StringComparison.Ordinal)} |"));
        lines.Add($"| architecture | {c.ModelType}, {c.NumHiddenLayers} layers, hidden {c.HiddenSize}, {c.NumAttentionHeads} heads, intermediate {c.IntermediateSize}, {c.HiddenAct} |");
        lines.Add($"| vocabulary | {encoder.Tokenizer.VocabSize} tokens ({encoder.Tokenizer.Kind}) |");
        return lines;
    }
}
