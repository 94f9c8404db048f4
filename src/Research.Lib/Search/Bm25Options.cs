namespace Research.Lib.Search;

/// <summary>
/// BM25 settings. Defaults k1 = 0.9, b = 0.4 are Anserini/Pyserini's (the BEIR BM25 baselines); Lucene's own
/// defaults are 1.2 / 0.75.
/// </summary>
public sealed record Bm25Options
{
    private readonly float _k1 = 0.9f;
    private readonly float _b = 0.4f;

    public Bm25Analyzer Analyzer { get; init; } = Bm25Analyzer.Standard;

    /// <summary>Term-frequency saturation, ≥ 0 (default 0.9).</summary>
    public float K1
    {
        get => _k1;
        init => _k1 = value >= 0 && float.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(K1), value, "K1 must be a finite number >= 0.");
    }

    /// <summary>Length normalization in [0, 1] (default 0.4).</summary>
    public float B
    {
        get => _b;
        init => _b = value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(B), value, "B must be in [0, 1].");
    }
}
