using System.Text.Json;
using System.Text.Json.Nodes;
using Research.Lib.Devices;
using Research.Lib.IO;
using Research.Lib.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Research.Lib.Modeling;

/// <summary>
/// A cross-encoder (reranker): the query and a passage read together as one sequence pair ([CLS] q [SEP] p [SEP]) by a
/// BERT or XLM-R transformer, the first token's state scored by <see cref="CrossEncoderHead"/> into one logit — what
/// sentence-transformers' <c>CrossEncoder</c> and FlagEmbedding's <c>FlagReranker</c> run. Slower than a bi-encoder (every
/// pair is a forward pass) and more accurate, so it re-ranks a first stage's top candidates, filters mined negatives
/// and gives teacher scores for distillation. Saved as a Hugging Face <c>BertForSequenceClassification</c> /
/// <c>XLMRobertaForSequenceClassification</c> folder (num_labels 1), which transformers and sentence-transformers load.
/// <para>
/// <see cref="Load"/> also starts one from any encoder folder (e.g. all-MiniLM-L6-v2): the transformer and, for BERT,
/// its pooler come from the checkpoint, the classifier is new (N(0, 0.02) from a seed) — as transformers does when a
/// sequence classifier is made from a base model.
/// </para>
/// </summary>
public sealed class CrossEncoder : IDisposable
{
    private CrossEncoder(SentenceEncoder encoder, CrossEncoderHead head, string? source)
    {
        (Encoder, Head, SourceDirectory) = (encoder, head, source);
        Head.to(encoder.Device);
    }

    /// <summary>The tokenizer and transformer (its settings' max_seq_length is the pairs' token budget); trained by the kit's loop.</summary>
    public SentenceEncoder Encoder { get; }

    public CrossEncoderHead Head { get; }

    /// <summary>Tokens per pair at most (both texts and the special tokens; truncated longest-first).</summary>
    public int MaxLength => Encoder.Settings.MaxSeqLength;

    public Device Device => Encoder.Device;

    /// <summary>The folder this cross-encoder was loaded from (full path).</summary>
    public string? SourceDirectory { get; }

    /// <summary>Whether a model folder holds a sequence classifier (its config.json's architectures say ...ForSequenceClassification).</summary>
    public static bool IsCrossEncoderFolder(string directory)
    {
        var path = Path.Combine(directory, "config.json");
        if (!File.Exists(path)) return false;
        try
        {
            return JsonNode.Parse(File.ReadAllText(path))?["architectures"] is JsonArray a
                && a.Any(x => x?.GetValueKind() == JsonValueKind.String && x.GetValue<string>().EndsWith("ForSequenceClassification", StringComparison.Ordinal));
        }
        catch (JsonException) { return false; }
    }

    /// <summary>
    /// Loads a cross-encoder folder, or starts one from an encoder folder (new classifier from <paramref name="seed"/>).
    /// <paramref name="maxLength"/> overrides the folder's token budget (its config.json's <c>max_length</c>, else the
    /// position limit).
    /// </summary>
    public static CrossEncoder Load(string directory, DeviceSpec? device = null, int? maxLength = null, long seed = 42)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var configPath = Path.Combine(directory, "config.json");
        if (!File.Exists(configPath))
            throw new FileNotFoundException($"{directory}: config.json not found; is this a Hugging Face model folder?", configPath);
        var config = TransformerConfig.Load(configPath);
        var raw = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        if (IsCrossEncoderFolder(directory))
        {
            var labels = raw["num_labels"]?.GetValue<int>() ?? (raw["id2label"] as JsonObject)?.Count ?? 1;
            if (labels != 1)
                throw new InvalidDataException($"{configPath}: a sequence classifier with {labels} labels; a reranker scores a pair with one logit (num_labels 1).");
        }
        var weightsPath = Path.Combine(directory, "model.safetensors");
        if (!File.Exists(weightsPath)) throw new FileNotFoundException($"{directory}: model.safetensors not found.", weightsPath);
        if (maxLength is { } m && m < 5) throw new ArgumentException($"max_length {m}: a pair needs at least 5 tokens (three special tokens and a word each).");
        var budget = Math.Min(maxLength ?? raw["max_length"]?.GetValue<int>() ?? config.MaxTokens, config.MaxTokens);
        var weights = Safetensors.Read(weightsPath);
        var head = new CrossEncoderHead(config);
        try
        {
            head.Initialize(weights, seed);
            var body = weights.Where(kv => !CrossEncoderHead.IsHeadKey(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            foreach (var key in weights.Keys.Where(CrossEncoderHead.IsHeadKey)) weights[key].Dispose();
            var model = CheckpointLoader.CreateModel(config, body, weightsPath);
            var settings = new SentenceEncoderSettings { Pooling = PoolingMode.Cls, Normalize = false, MaxSeqLength = budget };
            var encoder = new SentenceEncoder(TokenizerLoader.Load(directory), model, settings, device: (device ?? DeviceSpec.Cpu).Resolve());
            return new CrossEncoder(encoder, head, Path.GetFullPath(directory));
        }
        catch
        {
            head.Dispose();
            throw;
        }
    }

    /// <summary>The pairs tokenized as one padded batch (query first, segment ids 0 then 1), at most <see cref="MaxLength"/> tokens each.</summary>
    public TokenBatch Tokenize(IReadOnlyList<(string Query, string Passage)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        return TokenBatch.Pad(pairs.Select(p => Encoder.Tokenizer.EncodePair(p.Query, p.Passage, MaxLength)).ToList(), Encoder.Tokenizer.PadId);
    }

    /// <summary>(batch) logits of a tokenized batch of pairs, with gradients when training.</summary>
    public Tensor Forward(TokenBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = NewDisposeScope();
        var (ids, mask, types) = batch.ToTensors(Device);
        return Head.forward(Encoder.Model.forward(ids, mask, types)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Scores pairs in eval mode without gradients: the raw logit of each (higher = more relevant; FlagEmbedding's
    /// compute_score without normalize; apply a sigmoid for sentence-transformers' default probability). Pairs are run in
    /// batches sorted by length, and the scores returned in input order.
    /// </summary>
    public float[] Predict(IReadOnlyList<(string Query, string Passage)> pairs, int batchSize = 32, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (batchSize < 1) throw new ArgumentException($"batch size {batchSize}: expected at least 1.", nameof(batchSize));
        var order = Enumerable.Range(0, pairs.Count).OrderByDescending(i => pairs[i].Query.Length + pairs[i].Passage.Length).ThenBy(i => i).ToArray();
        var scores = new float[pairs.Count];
        var (wasTraining, headTraining) = (Encoder.Model.training, Head.training);
        Encoder.Model.eval();
        Head.eval();
        try
        {
            using var noGrad = no_grad();
            for (var start = 0; start < order.Length; start += batchSize)
            {
                var rows = order.AsSpan(start, Math.Min(batchSize, order.Length - start)).ToArray();
                using var scope = NewDisposeScope();
                var logits = Forward(Tokenize(rows.Select(r => pairs[r]).ToList())).cpu();
                var values = logits.data<float>().ToArray();
                for (var j = 0; j < rows.Length; j++) scores[rows[j]] = values[j];
                progress?.Report(start + rows.Length);
            }
        }
        finally
        {
            if (wasTraining) Encoder.Model.train();
            if (headTraining) Head.train();
        }
        return scores;
    }

    /// <summary>
    /// Writes a Hugging Face sequence-classifier folder (config.json with architectures, num_labels 1 and this
    /// cross-encoder's max_length; model.safetensors with Hugging Face's names; the tokenizer), file by file atomically.
    /// A LoRA adapter on the transformer is merged into the saved weights.
    /// </summary>
    public void Save(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Directory.CreateDirectory(directory);
        var config = Encoder.Model.Config;
        var configPath = Path.Combine(directory, "config.json");
        config.Save(configPath);
        var json = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        json["architectures"] = new JsonArray(config.IsRoberta ? "XLMRobertaForSequenceClassification" : "BertForSequenceClassification");
        json["id2label"] = new JsonObject { ["0"] = "LABEL_0" };
        json["label2id"] = new JsonObject { ["LABEL_0"] = 0 };
        json["max_length"] = MaxLength;
        AtomicFile.WriteAllText(configPath, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        var prefix = config.IsRoberta ? "roberta." : "bert.";
        var state = CheckpointLoader.StateDict(Encoder.Model).ToDictionary(kv => prefix + kv.Key, kv => kv.Value, StringComparer.Ordinal);
        foreach (var (name, t) in Head.StateDict()) state[name] = t;
        try
        {
            Safetensors.Write(Path.Combine(directory, "model.safetensors"), state, SafetensorsDType.F32, new Dictionary<string, string> { ["format"] = "pt" });
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
        Encoder.Tokenizer.Save(directory);
        // A sentence-transformers bi-encoder's metadata left in the folder would describe another model.
        foreach (var stale in new[] { "modules.json", "sentence_bert_config.json", "config_sentence_transformers.json" })
            File.Delete(Path.Combine(directory, stale));
        if (Directory.Exists(Path.Combine(directory, "1_Pooling"))) Directory.Delete(Path.Combine(directory, "1_Pooling"), recursive: true);
    }

    public void Dispose()
    {
        Encoder.Dispose();
        Head.Dispose();
    }
}
