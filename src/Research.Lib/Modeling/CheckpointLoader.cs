using TorchSharp;
using static TorchSharp.torch;

namespace Research.Lib.Modeling;

/// <summary>
/// Loads Hugging Face weights into a <see cref="BertModel"/> by name, strictly: every parameter of the model
/// must be in the checkpoint with the same shape, and every checkpoint tensor must belong to the model,
/// except those that are known not to (pre-training heads <c>cls.*</c> / <c>lm_head.*</c>, the
/// <c>position_ids</c> buffer). A mismatch is one error listing every missing and unexpected key.
/// The <c>bert.</c> / <c>roberta.</c> prefix of task-model checkpoints is removed.
/// </summary>
public static class CheckpointLoader
{
    private static readonly string[] Prefixes = ["bert.", "roberta.", "model."];

    /// <summary>Does the checkpoint carry pooler weights?</summary>
    public static bool HasPooler(IReadOnlyDictionary<string, Tensor> weights) =>
        weights.Keys.Select(Normalize).Any(k => k.StartsWith("pooler.", StringComparison.Ordinal));

    public static void Load(BertModel model, IReadOnlyDictionary<string, Tensor> weights, string source)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(weights);
        var byName = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var unexpected = new List<string>();
        foreach (var (key, tensor) in weights)
        {
            var name = Normalize(key);
            if (IsIgnorable(name)) continue;
            byName[name] = tensor;
        }
        var parameters = model.BaseParameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        var missing = parameters.Keys.Where(k => !byName.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        unexpected.AddRange(byName.Keys.Where(k => !parameters.ContainsKey(k)).Order(StringComparer.Ordinal));
        var shapeErrors = parameters.Where(p => byName.TryGetValue(p.Key, out var t) && !t.shape.SequenceEqual(p.Value.shape))
            .Select(p => $"{p.Key}: checkpoint {Shape(byName[p.Key].shape)}, model {Shape(p.Value.shape)}").ToList();
        if (missing.Count > 0 || unexpected.Count > 0 || shapeErrors.Count > 0)
        {
            var parts = new List<string>();
            if (missing.Count > 0) parts.Add($"missing keys ({missing.Count}): {string.Join(", ", missing)}");
            if (unexpected.Count > 0) parts.Add($"unexpected keys ({unexpected.Count}): {string.Join(", ", unexpected)}");
            if (shapeErrors.Count > 0) parts.Add($"shape mismatches ({shapeErrors.Count}): {string.Join("; ", shapeErrors)}");
            throw new InvalidDataException($"{source}: the weights do not match the model described by config.json: {string.Join("; ", parts)}.");
        }
        using var noGrad = torch.no_grad();
        foreach (var (name, p) in parameters)
            p.copy_(byName[name]);
    }

    /// <summary>A model for <paramref name="config"/> (with a pooler when the weights have one) loaded from the weights, which it disposes.</summary>
    public static BertModel CreateModel(TransformerConfig config, Dictionary<string, Tensor> weights, string source)
    {
        ArgumentNullException.ThrowIfNull(weights);
        try
        {
            var model = new BertModel(config, HasPooler(weights));
            Load(model, weights, source);
            return model;
        }
        finally
        {
            foreach (var t in weights.Values) t.Dispose();
        }
    }

    /// <summary>
    /// Parameters by Hugging Face name, detached CPU tensors, for saving. With a LoRA adapter, the weights it adapts come
    /// merged (W + scaling · B A, as PEFT's <c>merge_and_unload</c>), so the result is the plain model the adapter makes.
    /// </summary>
    public static Dictionary<string, Tensor> StateDict(BertModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using var noGrad = torch.no_grad();
        foreach (var (name, p) in model.BaseParameters())
        {
            using var delta = name.EndsWith(".weight", StringComparison.Ordinal) ? model.Lora?.Delta(name[..^".weight".Length]) : null;
            result[name] = delta is null ? p.detach().cpu() : p.detach().add(delta.to_type(p.dtype), Tensors.Scalars.One).cpu();
        }
        return result;
    }

    private static string Normalize(string key)
    {
        foreach (var prefix in Prefixes)
            if (key.StartsWith(prefix, StringComparison.Ordinal))
                return key[prefix.Length..];
        return key;
    }

    private static bool IsIgnorable(string name) =>
        name.StartsWith("cls.", StringComparison.Ordinal) || name.StartsWith("lm_head.", StringComparison.Ordinal)
        || name.EndsWith("position_ids", StringComparison.Ordinal);

    private static string Shape(long[] shape) => "[" + string.Join(", ", shape) + "]";
}
