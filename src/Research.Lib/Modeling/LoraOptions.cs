namespace Research.Lib.Modeling;

/// <summary>
/// A LoRA adapter's settings (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models"), named as PEFT's
/// <c>LoraConfig</c> names them so that a config's <c>"lora"</c> object and the saved <c>adapter_config.json</c> read the
/// same: each targeted linear layer y = W x + b gains (lora_alpha / r) · B A dropout(x), with A (r × in) drawn as
/// <c>nn.Linear</c>'s default (Kaiming-uniform, a = √5) and B (out × r) zero, so training starts from the base model.
/// Defaults are PEFT's for BERT: r 8, lora_alpha 8, no dropout, the attention's query and value projections.
/// </summary>
public sealed record LoraOptions
{
    /// <summary>The adapter's rank.</summary>
    public int R { get; init; } = 8;

    /// <summary>The scale numerator: the update is multiplied by lora_alpha / r (lora_alpha / √r with use_rslora).</summary>
    public double LoraAlpha { get; init; } = 8;

    /// <summary>Dropout on the adapter's input (training only).</summary>
    public double LoraDropout { get; init; }

    /// <summary>
    /// The linear layers to adapt, by PEFT's rule: a layer is targeted when its name equals an entry or ends with "." +
    /// the entry (<c>query</c>, <c>key</c>, <c>value</c>, <c>dense</c> = every attention-output, intermediate and output
    /// projection, <c>attention.output.dense</c>, …). <c>["all-linear"]</c> targets every linear layer of the encoder.
    /// </summary>
    public string[] TargetModules { get; init; } = ["query", "value"];

    /// <summary>Rank-stabilized LoRA (Kalajdzievski 2023): scale by lora_alpha / √r instead of lora_alpha / r.</summary>
    public bool UseRslora { get; init; }

    /// <summary>The factor the low-rank update is multiplied by.</summary>
    public double Scaling => UseRslora ? LoraAlpha / Math.Sqrt(R) : LoraAlpha / R;

    /// <summary>Refuses settings no adapter can have, naming them as the config spells them (lora.r, lora.target_modules…).</summary>
    public void Validate()
    {
        if (R < 1) throw new ArgumentException($"lora.r {R}: expected a positive rank.");
        if (!(LoraAlpha > 0) || !double.IsFinite(LoraAlpha)) throw new ArgumentException($"lora.lora_alpha {LoraAlpha}: expected a positive number.");
        if (!(LoraDropout >= 0 && LoraDropout < 1)) throw new ArgumentException($"lora.lora_dropout {LoraDropout}: expected a number in [0, 1).");
        if (TargetModules is null || TargetModules.Length == 0)
            throw new ArgumentException("lora.target_modules: expected at least one layer name (e.g. [\"query\", \"value\"]) or [\"all-linear\"].");
        if (TargetModules.FirstOrDefault(string.IsNullOrWhiteSpace) is not null)
            throw new ArgumentException("lora.target_modules: an entry is empty.");
        if (TargetModules.Contains(AllLinear) && TargetModules.Length > 1)
            throw new ArgumentException($"lora.target_modules: \"{AllLinear}\" stands alone; got {string.Join(", ", TargetModules)}.");
    }

    /// <summary>The target_modules entry that adapts every linear layer (PEFT's shorthand).</summary>
    public const string AllLinear = "all-linear";

    /// <summary>Is the layer at <paramref name="path"/> (e.g. <c>encoder.layer.0.attention.self.query</c>) targeted?</summary>
    public bool Targets(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return TargetModules.Any(t => t == AllLinear || path == t || path.EndsWith("." + t, StringComparison.Ordinal));
    }
}
