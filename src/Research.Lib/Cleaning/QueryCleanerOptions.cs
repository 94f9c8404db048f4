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
    /// The index searched: "Flat" (exact; Faiss Flat or the kit's exact index); "IVF" for millions of queries, where an
    /// exact range search would compare every pair: the kit's inverted-file self-join (<c>IvfRangeJoin</c>: 4·√n
    /// spherical k-means lists, each joined as one matrix product; deterministic); or any Faiss factory string
    /// ("IVF4096,Flat", "HNSW32"). Measured on 2 cores with Debian's packaged Faiss 1.7.3: building HNSW32 over
    /// 100,000 vectors of 128 dimensions takes 53 s and its range search is emulated by widening top-k; Faiss's IVF range
    /// search scans lists vector by vector (1M queries: 8 minutes); the kit's join does the same work as BLAS products.
    /// </summary>
    public string Index { get; init; } = "Flat";

    /// <summary>Inverted lists probed per query by an IVF index (Faiss's nprobe; default 16): more finds more near duplicates, slower.</summary>
    public int Nprobe
    {
        get => _nprobe;
        init => _nprobe = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Nprobe), value, "--nprobe must be at least 1.");
    }

    private readonly int _nprobe = 16;
}
