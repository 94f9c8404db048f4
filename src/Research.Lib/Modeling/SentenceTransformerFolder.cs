using System.Text.Json;
using System.Text.Json.Nodes;
using Research.Lib.IO;

namespace Research.Lib.Modeling;

/// <summary>Reads and writes sentence-transformers' metadata files in a model folder.</summary>
internal static class SentenceTransformerFolder
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static (SentenceEncoderSettings Settings, string? DensePath) Read(string dir, int maxTokens)
    {
        var settings = new SentenceEncoderSettings { MaxSeqLength = Math.Min(512, maxTokens) };
        string? densePath = null;
        var modulesPath = Path.Combine(dir, "modules.json");
        if (!File.Exists(modulesPath))
            return (settings, null);
        foreach (var node in JsonFile.Parse(modulesPath) as JsonArray ?? throw new InvalidDataException($"{modulesPath}: expected a JSON array of modules (sentence-transformers' modules.json)."))
        {
            var type = node!["type"]?.GetValue<string>() ?? "";
            var path = Path.Combine(dir, node["path"]?.GetValue<string>() ?? "");
            if (type.EndsWith(".Pooling", StringComparison.Ordinal))
                settings = settings with { Pooling = ReadPooling(Path.Combine(path, "config.json")) };
            else if (type.EndsWith(".Normalize", StringComparison.Ordinal))
                settings = settings with { Normalize = true };
            else if (type.EndsWith(".Dense", StringComparison.Ordinal))
                densePath = path;
            else if (!type.EndsWith(".Transformer", StringComparison.Ordinal))
                throw new NotSupportedException($"{modulesPath}: module type '{type}' is not supported (Transformer, Pooling, Dense, Normalize).");
        }
        var stConfig = Path.Combine(dir, "sentence_bert_config.json");
        if (File.Exists(stConfig) && JsonFile.Parse(stConfig)?["max_seq_length"] is JsonValue max)
            settings = settings with { MaxSeqLength = Math.Min(max.GetValue<int>(), maxTokens) };
        var prompts = Path.Combine(dir, "config_sentence_transformers.json");
        if (File.Exists(prompts) && JsonFile.Parse(prompts)?["prompts"] is JsonObject p)
            settings = settings with
            {
                QueryInstruction = p["query"]?.GetValue<string>() ?? "",
                PassageInstruction = (p["passage"] ?? p["document"])?.GetValue<string>() ?? "",
            };
        return (settings, densePath);
    }

    private static PoolingMode ReadPooling(string path)
    {
        var json = JsonFile.Parse(path).AsObject();
        bool Flag(string name) => json[name]?.GetValue<bool>() ?? false;
        if (Flag("pooling_mode_cls_token")) return PoolingMode.Cls;
        if (Flag("pooling_mode_mean_tokens")) return PoolingMode.Mean;
        if (Flag("pooling_mode_lasttoken")) return PoolingMode.LastToken;
        throw new NotSupportedException($"{path}: no supported pooling mode is on (cls_token, mean_tokens, lasttoken).");
    }

    public static void Write(string dir, SentenceEncoderSettings s, int dimension, DenseProjection? dense)
    {
        var modules = new JsonArray(
            Module(0, "", "sentence_transformers.models.Transformer"),
            Module(1, "1_Pooling", "sentence_transformers.models.Pooling"));
        var next = 2;
        if (dense is not null) modules.Add(Module(next, $"{next++}_Dense", "sentence_transformers.models.Dense"));
        if (s.Normalize) modules.Add(Module(next, $"{next}_Normalize", "sentence_transformers.models.Normalize"));
        Json(Path.Combine(dir, "modules.json"), modules);
        Json(Path.Combine(dir, "sentence_bert_config.json"), new JsonObject { ["max_seq_length"] = s.MaxSeqLength, ["do_lower_case"] = false });
        Json(Path.Combine(dir, "1_Pooling", "config.json"), new JsonObject
        {
            ["word_embedding_dimension"] = dimension,
            ["pooling_mode_cls_token"] = s.Pooling == PoolingMode.Cls,
            ["pooling_mode_mean_tokens"] = s.Pooling == PoolingMode.Mean,
            ["pooling_mode_max_tokens"] = false,
            ["pooling_mode_mean_sqrt_len_tokens"] = false,
            ["pooling_mode_weightedmean_tokens"] = false,
            ["pooling_mode_lasttoken"] = s.Pooling == PoolingMode.LastToken,
            ["include_prompt"] = true,
        });
        if (s.Normalize)
            Directory.CreateDirectory(Path.Combine(dir, $"{next}_Normalize"));
        Json(Path.Combine(dir, "config_sentence_transformers.json"), new JsonObject
        {
            ["__version__"] = new JsonObject { ["sentence_transformers"] = "3.0.0", ["research_kit"] = "0.1" },
            ["prompts"] = new JsonObject { ["query"] = s.QueryInstruction, ["passage"] = s.PassageInstruction },
            ["default_prompt_name"] = null,
            ["similarity_fn_name"] = "cosine",
        });
        if (dense is not null)
        {
            var denseDir = Path.Combine(dir, "2_Dense");
            Json(Path.Combine(denseDir, "config.json"), new JsonObject
            {
                ["in_features"] = dense.InFeatures,
                ["out_features"] = dense.OutFeatures,
                ["bias"] = dense.HasBias,
                ["activation_function"] = dense.Tanh ? "torch.nn.modules.activation.Tanh" : "torch.nn.modules.linear.Identity",
            });
            Safetensors.Write(Path.Combine(denseDir, "model.safetensors"),
                dense.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach()));
        }
    }

    public static DenseProjection ReadDense(string path)
    {
        var config = JsonFile.Parse(Path.Combine(path, "config.json")).AsObject();
        var activation = config["activation_function"]?.GetValue<string>() ?? "torch.nn.modules.activation.Tanh";
        if (!activation.EndsWith("Identity", StringComparison.Ordinal) && !activation.EndsWith("Tanh", StringComparison.Ordinal))
            throw new NotSupportedException($"{path}/config.json: Dense activation '{activation}' is not supported (Identity, Tanh).");
        var dense = new DenseProjection(config["in_features"]!.GetValue<int>(), config["out_features"]!.GetValue<int>(),
            config["bias"]?.GetValue<bool>() ?? true, activation.EndsWith("Tanh", StringComparison.Ordinal));
        var weightsPath = Path.Combine(path, "model.safetensors");
        if (!File.Exists(weightsPath))
            throw new FileNotFoundException($"{path}: model.safetensors not found (pytorch_model.bin is not read yet; convert it to safetensors).");
        var weights = Safetensors.Read(weightsPath);
        try
        {
            using var noGrad = TorchSharp.torch.no_grad();
            var parameters = dense.named_parameters().ToList();
            var missing = parameters.Where(p => !weights.ContainsKey(p.name)).Select(p => p.name).ToList();
            if (missing.Count > 0)
                throw new InvalidDataException($"{weightsPath}: missing keys: {string.Join(", ", missing)}.");
            foreach (var (name, p) in parameters) p.copy_(weights[name]);
        }
        finally
        {
            foreach (var t in weights.Values) t.Dispose();
        }
        return dense;
    }

    private static JsonObject Module(int idx, string path, string type) =>
        new() { ["idx"] = idx, ["name"] = idx.ToString(System.Globalization.CultureInfo.InvariantCulture), ["path"] = path, ["type"] = type };

    private static void Json(string path, JsonNode node)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllText(path, node.ToJsonString(Indented) + "\n");
    }
}
