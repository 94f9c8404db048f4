namespace Research.Lib.Search;

/// <summary>How two rankings are combined.</summary>
public enum FusionMethod
{
    /// <summary>Reciprocal rank fusion, Σ 1 / (k + rank), k = 60 (Cormack et al. 2009).</summary>
    ReciprocalRank,

    /// <summary>Min-max normalized scores, averaged.</summary>
    WeightedScores,
}
