namespace Research.Lib.Experiments;

/// <summary>
/// One cell of an experiment grid: a model trained with a variant under a seed, or a baseline evaluated as it is
/// (<see cref="Variant"/> null: the model zero-shot, or the <c>bm25</c> / <c>hashed</c> baselines with no model).
/// </summary>
public sealed record ExperimentCell(string Model, string? ModelPath, ExperimentVariant? Variant, ulong? Seed)
{
    /// <summary>The row the cell is aggregated under: "model / variant", or the baseline's name.</summary>
    public string Group => Variant is null ? (ModelPath is null ? Model : $"{Model} / zero-shot") : $"{Model} / {Variant.Name}";

    /// <summary>A unique, file-safe name: model__variant__seedN, model__zero-shot, bm25, hashed.</summary>
    public string Id => Variant is null ? (ModelPath is null ? Model : $"{Model}__zero-shot") : $"{Model}__{Variant.Name}__seed{Seed}";

    public bool IsBaseline => Variant is null;
}
