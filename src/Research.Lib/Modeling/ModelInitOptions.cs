namespace Research.Lib.Modeling;

/// <summary>
/// Shape of a freshly initialized encoder (for tests, notebooks and benchmarks). Defaults make a tiny model:
/// 2 layers, hidden 64, 4 heads, intermediate 4 × hidden (the BERT ratio), 512 positions.
/// </summary>
public sealed record ModelInitOptions
{
    public string Architecture { get; init; } = "bert";
    public int Layers { get; init; } = 2;
    public int Hidden { get; init; } = 64;
    public int Heads { get; init; } = 4;
    /// <summary>null = 4 × <see cref="Hidden"/>.</summary>
    public int? Intermediate { get; init; }
    public int MaxPositions { get; init; } = 512;
    public string HiddenAct { get; init; } = "gelu";
    public long Seed { get; init; } = 42;
    public PoolingMode Pooling { get; init; } = PoolingMode.Cls;
    public bool Normalize { get; init; } = true;
    /// <summary>Optional projection of the pooled vector to this many dimensions (sentence-transformers Dense).</summary>
    public int? ProjectionDimension { get; init; }
    public bool WithPooler { get; init; } = true;
}
