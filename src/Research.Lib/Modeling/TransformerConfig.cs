using System.Text.Json;
using System.Text.Json.Nodes;
using Research.Lib.IO;

namespace Research.Lib.Modeling;

/// <summary>
/// The fields of a Hugging Face <c>config.json</c> that a BERT-family encoder needs. Defaults are
/// bert-base's (Devlin et al. 2019) where a checkpoint leaves a field out. <c>model_type</c> "bert" and
/// "xlm-roberta" (also "roberta") are supported; RoBERTa-style models number positions from
/// <c>pad_token_id + 1</c>.
/// </summary>
public sealed record TransformerConfig
{
    public string ModelType { get; init; } = "bert";
    public int VocabSize { get; init; } = 30522;
    public int HiddenSize { get; init; } = 768;
    public int NumHiddenLayers { get; init; } = 12;
    public int NumAttentionHeads { get; init; } = 12;
    public int IntermediateSize { get; init; } = 3072;
    /// <summary>"gelu" (exact, erf) or "gelu_new" / "gelu_pytorch_tanh" (tanh approximation); "relu" too.</summary>
    public string HiddenAct { get; init; } = "gelu";
    public double HiddenDropoutProb { get; init; } = 0.1;
    public double AttentionProbsDropoutProb { get; init; } = 0.1;
    public int MaxPositionEmbeddings { get; init; } = 512;
    public int TypeVocabSize { get; init; } = 2;
    public double LayerNormEps { get; init; } = 1e-12;
    public int PadTokenId { get; init; }

    /// <summary>True for RoBERTa / XLM-R: position ids start at <c>pad_token_id + 1</c> and skip padding.</summary>
    public bool IsRoberta => ModelType is "xlm-roberta" or "roberta";

    /// <summary>Positions usable by tokens (RoBERTa-style models lose pad_token_id + 1 of them to the offset).</summary>
    public int MaxTokens => IsRoberta ? MaxPositionEmbeddings - PadTokenId - 1 : MaxPositionEmbeddings;

    public void Validate()
    {
        if (ModelType is not ("bert" or "xlm-roberta" or "roberta"))
            throw new NotSupportedException($"config.json: model_type '{ModelType}' is not supported (bert, xlm-roberta, roberta).");
        if (HiddenSize <= 0 || NumAttentionHeads <= 0 || HiddenSize % NumAttentionHeads != 0)
            throw new ArgumentException($"config.json: hidden_size {HiddenSize} must be a positive multiple of num_attention_heads {NumAttentionHeads}.");
        if (HiddenAct is not ("gelu" or "gelu_new" or "gelu_pytorch_tanh" or "relu"))
            throw new NotSupportedException($"config.json: hidden_act '{HiddenAct}' is not supported (gelu, gelu_new, gelu_pytorch_tanh, relu).");
        foreach (var (name, v) in new[] { ("vocab_size", VocabSize), ("num_hidden_layers", NumHiddenLayers), ("intermediate_size", IntermediateSize), ("max_position_embeddings", MaxPositionEmbeddings), ("type_vocab_size", TypeVocabSize) })
            if (v <= 0) throw new ArgumentException($"config.json: {name} must be positive, got {v}.");
    }

    public static TransformerConfig Load(string path)
    {
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON: {e.Message}", e);
        }
        T Get<T>(string name, T fallback)
        {
            try
            {
                return json[name] is { } node ? node.GetValue<T>() : fallback;
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"{path}: field '{name}' has value {json[name]!.ToJsonString()}, expected a {typeof(T).Name}.", e);
            }
        }
        var modelType = Get("model_type", "bert");
        var roberta = modelType is "xlm-roberta" or "roberta";
        var config = new TransformerConfig
        {
            ModelType = modelType,
            VocabSize = Get("vocab_size", 30522),
            HiddenSize = Get("hidden_size", 768),
            NumHiddenLayers = Get("num_hidden_layers", 12),
            NumAttentionHeads = Get("num_attention_heads", 12),
            IntermediateSize = Get("intermediate_size", 3072),
            HiddenAct = Get("hidden_act", "gelu"),
            HiddenDropoutProb = Get("hidden_dropout_prob", 0.1),
            AttentionProbsDropoutProb = Get("attention_probs_dropout_prob", 0.1),
            MaxPositionEmbeddings = Get("max_position_embeddings", 512),
            TypeVocabSize = Get("type_vocab_size", roberta ? 1 : 2),
            LayerNormEps = Get("layer_norm_eps", roberta ? 1e-5 : 1e-12),
            PadTokenId = Get("pad_token_id", roberta ? 1 : 0),
        };
        try
        {
            config.Validate();
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new InvalidDataException($"{path}: {e.Message["config.json: ".Length..]}", e);
        }
        return config;
    }

    /// <summary>Writes a config.json that Hugging Face transformers loads (architectures, model_type and the fields above).</summary>
    public void Save(string path)
    {
        var json = new JsonObject
        {
            ["architectures"] = new JsonArray(IsRoberta ? "XLMRobertaModel" : "BertModel"),
            ["model_type"] = ModelType,
            ["vocab_size"] = VocabSize,
            ["hidden_size"] = HiddenSize,
            ["num_hidden_layers"] = NumHiddenLayers,
            ["num_attention_heads"] = NumAttentionHeads,
            ["intermediate_size"] = IntermediateSize,
            ["hidden_act"] = HiddenAct,
            ["hidden_dropout_prob"] = HiddenDropoutProb,
            ["attention_probs_dropout_prob"] = AttentionProbsDropoutProb,
            ["max_position_embeddings"] = MaxPositionEmbeddings,
            ["type_vocab_size"] = TypeVocabSize,
            ["layer_norm_eps"] = LayerNormEps,
            ["pad_token_id"] = PadTokenId,
            ["position_embedding_type"] = "absolute",
            ["initializer_range"] = 0.02,
            ["torch_dtype"] = "float32",
        };
        if (IsRoberta)
        {
            json["bos_token_id"] = 0;
            json["eos_token_id"] = 2;
        }
        AtomicFile.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
