namespace Research.Lib.Cleaning;

/// <summary>
/// Settings of <see cref="QueryCleaner"/>. Threshold 0.70 is the seed article's example; exact duplicates (after
/// normalization) are removed first; the kept query of a group is its first occurrence (the seed keeps the first);
/// merging the group's positives into it is optional and off by default, since merging can join passages that only
/// look alike.
/// </summary>
public sealed record QueryCleanerOptions
{
    private readonly double _threshold = 0.70;

    /// <summary>Cosine at or above which two queries are near-duplicates, in (-1, 1].</summary>
    public double Threshold
    {
        get => _threshold;
        init => _threshold = value is > -1 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Threshold), value, "--threshold must be in (-1, 1].");
    }

    /// <summary>Remove queries equal after normalization (whitespace, full/half width, case) before embedding.</summary>
    public bool RemoveExactDuplicates { get; init; } = true;

    /// <summary>Give the kept query of a group the union of the group's positives (and negatives not among them).</summary>
    public bool MergePositives { get; init; }

    /// <summary>Queries embedded per batch (the index is searched in the same chunks, so memory stays bounded).</summary>
    public int ChunkSize { get; init; } = 8192;

    /// <summary>
    /// The index searched: "Flat" (exact; Faiss Flat or the kit's exact index), or a Faiss factory string such as
    /// "HNSW32" for millions of queries, where an exact range search would compare every pair.
    /// </summary>
    public string Index { get; init; } = "Flat";
}
