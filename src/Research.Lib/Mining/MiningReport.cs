namespace Research.Lib.Mining;

/// <summary>What mining did, counted over all queries.</summary>
public sealed record MiningReport
{
    public required string Method { get; init; }
    /// <summary>BM25's analyzer (standard, english, cjk) for Bm25 and Hybrid mining; null for Dense.</summary>
    public string? Bm25Analyzer { get; init; }
    public int Queries { get; init; }
    public int Passages { get; init; }
    /// <summary>Mined negatives written (padding included).</summary>
    public long Mined { get; init; }
    /// <summary>Candidates skipped because they are a positive of the query or the query itself (normalized text).</summary>
    public long ExcludedPositives { get; init; }
    public long FilteredMaxScore { get; init; }
    public long FilteredMargin { get; init; }
    public long FilteredRatio { get; init; }
    /// <summary>Random passages added where too few candidates survived, and the queries that needed them.</summary>
    public long Padded { get; init; }
    public int QueriesPadded { get; init; }
    /// <summary>Existing negatives dropped because they equal a positive of their record.</summary>
    public long ExistingDroppedAsPositive { get; init; }
    /// <summary>Records whose input pos_scores / neg_scores were dropped because their kept negatives would mix scorers.</summary>
    public int ScoresDropped { get; init; }

    /// <summary>The cross-encoder folder that re-scored the records (<see cref="MiningRun.Rescore"/>), or null.</summary>
    public string? RescoredBy { get; init; }

    /// <summary>Negatives the reranker scored above a positive of their query (less the margin), dropped.</summary>
    public long DroppedByReranker { get; init; }

    /// <summary>Queries the reranker's filter left with no negative (they train on in-batch negatives alone).</summary>
    public int QueriesLeftWithoutNegatives { get; init; }

    public double NegativesPerQuery => Queries == 0 ? 0 : (double)Mined / Queries;

    /// <summary>Share of examined candidates removed by the false-negative filters.</summary>
    public double FilteredFraction { get; init; }

    public double PaddedFraction => Mined == 0 ? 0 : (double)Padded / Mined;
}
