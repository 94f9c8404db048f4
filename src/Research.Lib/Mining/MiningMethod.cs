namespace Research.Lib.Mining;

/// <summary>Where candidate negatives come from.</summary>
public enum MiningMethod
{
    /// <summary>Nearest passages by embedding (query instruction on queries only).</summary>
    Dense,

    /// <summary>BM25 (Lucene.Net) over the passages.</summary>
    Bm25,

    /// <summary>Both rankings fused (reciprocal rank fusion or weighted normalized scores).</summary>
    Hybrid,
}
