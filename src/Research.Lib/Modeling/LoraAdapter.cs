using System.Text.Json;
using System.Text.Json.Nodes;
using Research.Lib.IO;
using Research.Lib.Modeling.Bert;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Research.Lib.Modeling;

/// <summary>
/// LoRA adapters on a <see cref="BertModel"/>'s linear layers (Hu et al. 2021; PEFT's <c>LoraModel</c>,
/// sentence-transformers' <c>model.add_adapter(LoraConfig(...))</c>): <see cref="Attach"/> freezes every weight of the
/// transformer and gives each targeted layer a trainable low-rank update (<see cref="LoraOptions"/>), so that training
/// updates and stores only the adapters. Saved as PEFT saves them — <c>adapter_config.json</c> and
/// <c>adapter_model.safetensors</c> with keys <c>base_model.model.encoder.layer.N.….lora_A.weight</c> — so
/// <c>PeftModel.from_pretrained(AutoModel.from_pretrained(base), folder)</c> and sentence-transformers load the folder;
/// <see cref="SentenceEncoder.Load"/> loads it back (base model from <c>base_model_name_or_path</c>), and
/// <see cref="SentenceEncoder.MergeLora"/> folds it into a plain model (PEFT's <c>merge_and_unload</c>).
/// </summary>
public sealed class LoraAdapter : nn.Module
{
    /// <summary>The adapter's settings file in a folder (PEFT's name).</summary>
    public const string ConfigFile = "adapter_config.json";

    /// <summary>The adapter's weights in a folder (PEFT's name).</summary>
    public const string WeightsFile = "adapter_model.safetensors";

    /// <summary>PEFT's prefix of every saved key: the tuner model inside the PEFT model.</summary>
    public const string KeyPrefix = "base_model.model.";

    private readonly ModuleList<LoraBranch> branches;

    private LoraAdapter(LoraOptions options, IReadOnlyList<string> paths, IEnumerable<LoraBranch> made, string? baseModel) : base(nameof(LoraAdapter))
    {
        Options = options;
        Paths = paths;
        BaseModel = baseModel;
        branches = nn.ModuleList(made.ToArray());
        RegisterComponents();
    }

    /// <summary>The adapter's settings (target_modules as given; the layers it matched are <see cref="Paths"/>).</summary>
    public LoraOptions Options { get; }

    /// <summary>The adapted layers by Hugging Face path (<c>encoder.layer.0.attention.self.query</c>), in the model's order.</summary>
    public IReadOnlyList<string> Paths { get; }

    /// <summary>The base model's folder, written as <c>base_model_name_or_path</c> (null when unknown).</summary>
    public string? BaseModel { get; }

    /// <summary>Parameters the adapter trains (every lora_A and lora_B weight).</summary>
    public long TrainableParameterCount => parameters().Sum(p => p.numel());

    /// <summary>
    /// Adds LoRA updates to the layers of <paramref name="model"/> that <paramref name="options"/> target and freezes every
    /// parameter of the transformer (requires_grad false), so that only the adapters are trained. A target entry that
    /// matches no linear layer is an error (PEFT ignores such entries as long as one matches), as is a model that already
    /// has an adapter or holds half-precision weights.
    /// </summary>
    /// <param name="model">the transformer to adapt</param>
    /// <param name="options">rank, alpha, dropout, targets</param>
    /// <param name="seed">draws the A matrices</param>
    /// <param name="baseModel">the base model's folder, for <c>base_model_name_or_path</c></param>
    public static LoraAdapter Attach(BertModel model, LoraOptions options, long seed, string? baseModel)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (model.Lora is not null) throw new InvalidOperationException("This model already has a LoRA adapter; merge it (SentenceEncoder.MergeLora) before adding another.");
        if (model.WeightType != ScalarType.Float32)
            throw new InvalidOperationException($"LoRA training needs float32 weights; this model holds {model.WeightType} weights (loaded for inference).");
        var candidates = model.named_modules()
            .Where(m => m.module is Linear && m.name.StartsWith("encoder.", StringComparison.Ordinal))
            .Select(m => (Path: m.name, Layer: (Linear)m.module)).ToList();
        var unmatched = options.TargetModules.Where(t => !candidates.Any(c => new LoraOptions { TargetModules = [t] }.Targets(c.Path))).ToList();
        if (unmatched.Count > 0)
            throw new ArgumentException($"lora.target_modules: {string.Join(", ", unmatched.Select(t => $"\"{t}\""))} matches no linear layer of the model; its linear layers are "
                + "query, key, value (attention.self), attention.output.dense, intermediate.dense and output.dense in every encoder.layer.N (\"dense\" targets the last three), or \"all-linear\".");
        var targets = candidates.Where(c => options.Targets(c.Path)).ToList();
        var generator = new Generator((ulong)seed);
        var made = targets.Select(t => new LoraBranch(t.Layer.weight!.shape[1], t.Layer.weight!.shape[0], options, generator)).ToList();
        var adapter = new LoraAdapter(options, targets.Select(t => t.Path).ToList(), made, baseModel);
        adapter.to(model.WordEmbeddingWeight.device);
        foreach (var p in model.BaseParameters()) p.parameter.requires_grad = false;
        var byLayer = new Dictionary<Linear, LoraBranch>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < targets.Count; i++) byLayer[targets[i].Layer] = made[i];
        model.AttachLora(adapter, byLayer);
        return adapter;
    }

    /// <summary>scaling · B A of the layer at <paramref name="path"/> (the update a merge adds to its weight), or null when the layer is not adapted.</summary>
    internal Tensor? Delta(string path)
    {
        var i = IndexOf(path);
        return i < 0 ? null : branches[i].Delta();
    }

    private int IndexOf(string path)
    {
        for (var i = 0; i < Paths.Count; i++)
            if (Paths[i] == path) return i;
        return -1;
    }

    /// <summary>The adapter's weights by PEFT's key names (<c>base_model.model.PATH.lora_A.weight</c>), detached CPU float32 copies.</summary>
    public Dictionary<string, Tensor> PeftStateDict()
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (var i = 0; i < Paths.Count; i++)
            foreach (var (name, p) in branches[i].named_parameters())
                result[KeyPrefix + Paths[i] + "." + name] = p.detach().to(ScalarType.Float32).cpu().clone();
        return result;
    }

    /// <summary>
    /// Loads weights saved by <see cref="PeftStateDict"/> or by PEFT (keys with or without the adapter name
    /// <c>.default</c>), strictly: every adapter weight present with its shape, nothing else.
    /// </summary>
    public void LoadPeftStateDict(IReadOnlyDictionary<string, Tensor> weights, string source)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var mine = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (var i = 0; i < Paths.Count; i++)
            foreach (var (name, p) in branches[i].named_parameters())
                mine[KeyPrefix + Paths[i] + "." + name] = p;
        var given = weights.ToDictionary(kv => kv.Key.Replace(".default.", ".", StringComparison.Ordinal), kv => kv.Value, StringComparer.Ordinal);
        var missing = mine.Keys.Where(k => !given.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var unexpected = given.Keys.Where(k => !mine.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var shapes = mine.Where(m => given.TryGetValue(m.Key, out var t) && !t.shape.SequenceEqual(m.Value.shape))
            .Select(m => $"{m.Key}: file [{string.Join(", ", given[m.Key].shape)}], adapter [{string.Join(", ", m.Value.shape)}]").ToList();
        if (missing.Count + unexpected.Count + shapes.Count > 0)
        {
            var parts = new List<string>();
            if (missing.Count > 0) parts.Add($"missing keys ({missing.Count}): {string.Join(", ", missing.Take(8))}{(missing.Count > 8 ? ", …" : "")}");
            if (unexpected.Count > 0) parts.Add($"unexpected keys ({unexpected.Count}): {string.Join(", ", unexpected.Take(8))}{(unexpected.Count > 8 ? ", …" : "")}");
            if (shapes.Count > 0) parts.Add($"shape mismatches: {string.Join("; ", shapes.Take(8))}");
            throw new InvalidDataException($"{source}: the adapter's weights do not match its adapter_config.json (r {Options.R}, target_modules {string.Join(", ", Options.TargetModules)}): {string.Join("; ", parts)}.");
        }
        using var noGrad = no_grad();
        foreach (var (key, p) in mine) p.copy_(given[key]);
    }

    /// <summary>Writes <c>adapter_config.json</c> and <c>adapter_model.safetensors</c> into <paramref name="directory"/> (each atomically).</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        var state = PeftStateDict();
        try
        {
            Safetensors.Write(Path.Combine(directory, WeightsFile), state, SafetensorsDType.F32, new Dictionary<string, string> { ["format"] = "pt" });
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
        AtomicFile.WriteAllText(Path.Combine(directory, ConfigFile), ConfigJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>adapter_config.json as PEFT writes it for a LoRA adapter on a BertModel (target_modules: the names given).</summary>
    public JsonObject ConfigJson() => new()
    {
        ["base_model_name_or_path"] = BaseModel,
        ["bias"] = "none",
        ["fan_in_fan_out"] = false,
        ["inference_mode"] = true,
        ["init_lora_weights"] = true,
        ["layers_to_transform"] = null,
        ["lora_alpha"] = Options.LoraAlpha,
        ["lora_dropout"] = Options.LoraDropout,
        ["modules_to_save"] = null,
        ["peft_type"] = "LORA",
        ["r"] = Options.R,
        ["revision"] = null,
        ["target_modules"] = new JsonArray(ResolvedTargets().Select(t => (JsonNode)JsonValue.Create(t)!).ToArray()),
        ["task_type"] = "FEATURE_EXTRACTION",
        ["use_dora"] = false,
        ["use_rslora"] = Options.UseRslora,
    };

    /// <summary>The target names to write: as given, except "all-linear", which PEFT also writes as the layer names it matched.</summary>
    private IEnumerable<string> ResolvedTargets() =>
        Options.TargetModules is [LoraOptions.AllLinear]
            ? Paths.Select(p => p.Split('.')[^1]).Distinct(StringComparer.Ordinal)
            : Options.TargetModules;

    /// <summary>Does <paramref name="directory"/> hold a LoRA adapter (adapter_config.json)?</summary>
    public static bool IsAdapterFolder(string directory) => File.Exists(Path.Combine(directory, ConfigFile));

    /// <summary>
    /// Reads a folder's adapter_config.json: the LoRA settings and the base model's folder (resolved against the adapter
    /// folder when relative and present there, else as given). Errors name the file and the field.
    /// </summary>
    public static (LoraOptions Options, string? BaseModel) ReadConfig(string directory)
    {
        var path = Path.Combine(directory, ConfigFile);
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{path}: expected a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}:{(e.LineNumber ?? 0) + 1}: {e.Message.Split(" Path:", 2)[0]}", e);
        }
        string Text(string field) => json[field]?.GetValueKind() == JsonValueKind.String ? json[field]!.GetValue<string>() : throw new InvalidDataException($"{path}: {field}: expected a string.");
        if (Text("peft_type") != "LORA") throw new InvalidDataException($"{path}: peft_type {Text("peft_type")}: this kit reads LoRA adapters only (peft_type \"LORA\").");
        foreach (var field in new[] { "use_dora", "fan_in_fan_out" })
            if (json[field]?.GetValueKind() == JsonValueKind.True)
                throw new InvalidDataException($"{path}: {field} true is not supported (a plain LoRA adapter on BERT-family linear layers is).");
        if (json["bias"] is { } bias && bias.GetValueKind() == JsonValueKind.String && bias.GetValue<string>() != "none")
            throw new InvalidDataException($"{path}: bias \"{bias.GetValue<string>()}\" is not supported (adapters without trained biases, \"none\").");
        if (json["modules_to_save"] is JsonArray { Count: > 0 })
            throw new InvalidDataException($"{path}: modules_to_save is not supported (only the LoRA matrices are read).");
        int r;
        double alpha, dropout;
        string[] targets;
        try
        {
            r = json["r"]?.GetValue<int>() ?? 8;
            alpha = json["lora_alpha"]?.GetValue<double>() ?? 8;
            dropout = json["lora_dropout"]?.GetValue<double>() ?? 0;
            targets = json["target_modules"] switch
            {
                JsonArray a => a.Select(x => x!.GetValue<string>()).ToArray(),
                JsonValue v when v.GetValueKind() == JsonValueKind.String => [v.GetValue<string>()],
                _ => throw new InvalidDataException($"{path}: target_modules: expected a list of layer names."),
            };
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException)
        {
            throw new InvalidDataException($"{path}: r, lora_alpha, lora_dropout or target_modules has the wrong type: {e.Message}", e);
        }
        var options = new LoraOptions
        {
            R = r,
            LoraAlpha = alpha,
            LoraDropout = dropout,
            TargetModules = targets,
            UseRslora = json["use_rslora"]?.GetValueKind() == JsonValueKind.True,
        };
        try { options.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
        var baseModel = json["base_model_name_or_path"]?.GetValueKind() == JsonValueKind.String ? json["base_model_name_or_path"]!.GetValue<string>() : null;
        if (baseModel is not null && !Path.IsPathRooted(baseModel) && Directory.Exists(Path.Combine(directory, baseModel)))
            baseModel = Path.GetFullPath(Path.Combine(directory, baseModel));
        return (options, baseModel);
    }
}
