namespace Research.Lib.Mining;

/// <summary>How negatives are picked from the sampled rank range.</summary>
public enum NegativeSampling
{
    /// <summary>At random (seeded), as FlagEmbedding: varied difficulty.</summary>
    Random,

    /// <summary>The best-ranked survivors: the hardest negatives.</summary>
    Top,
}
