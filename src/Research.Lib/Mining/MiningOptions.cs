using System.Globalization;
using Research.Lib.Search;

namespace Research.Lib.Mining;

/// <summary>
/// Settings of <see cref="HardNegativeMiner"/>. Defaults are FlagEmbedding's hn_mine.py: sample 15 negatives at random
/// from ranks 10 to 210 of the retrieval (<c>range_for_sampling "10-210"</c>, <c>negative_number 15</c>);
/// sentence-transformers' mine_hard_negatives is the same with <see cref="RangeStart"/> = range_min,
/// <see cref="RangeEnd"/> = range_max, <see cref="Sampling"/> = top or random. The false-negative filters are off
/// unless set: an absolute maximum score, a margin below the positive's score (sentence-transformers' margin), and a
/// relative margin (drop candidates scoring above <see cref="MaxScoreRatio"/> × the positive's score, e.g. 0.95).
/// </summary>
public sealed record MiningOptions
{
    public MiningMethod Method { get; init; } = MiningMethod.Dense;

    /// <summary>First rank sampled (0-based, inclusive): FlagEmbedding's 10 skips the likely false negatives at the top.</summary>
    public int RangeStart { get; init; } = 10;

    /// <summary>Rank after the last one sampled (exclusive).</summary>
    public int RangeEnd { get; init; } = 210;

    /// <summary>Negatives per query.</summary>
    public int Count { get; init; } = 15;

    public NegativeSampling Sampling { get; init; } = NegativeSampling.Random;

    /// <summary>Drop candidates scoring at or above this (null: off).</summary>
    public double? MaxScore { get; init; }

    /// <summary>Drop candidates scoring above the positive's score minus this margin (null: off).</summary>
    public double? Margin { get; init; }

    /// <summary>Drop candidates scoring above this fraction of the positive's score (null: off); for a negative positive
    /// score, above the score less (1 − ratio) of its size, so a candidate that outscores the positive is never kept.
    /// sentence-transformers' relative_margin is 1 − this ratio.</summary>
    public double? MaxScoreRatio { get; init; }

    /// <summary>Keep the records' existing negatives (mined ones are added after them); false replaces them.</summary>
    public bool KeepExisting { get; init; } = true;

    /// <summary>Fill up to <see cref="Count"/> with random passages when too few candidates survive.</summary>
    public bool PadWithRandom { get; init; } = true;

    /// <summary>Bm25 and Hybrid: how BM25 splits the texts into terms (null: by the candidates' content,
    /// <see cref="Bm25Index.AnalyzerFor"/> — CJK bigrams for Chinese, Japanese, Korean; the standard analyzer otherwise).</summary>
    public Bm25Analyzer? Analyzer { get; init; }

    /// <summary>Hybrid: how the BM25 and dense rankings are combined.</summary>
    public FusionMethod Fusion { get; init; } = FusionMethod.ReciprocalRank;

    /// <summary>Random sampling and padding draw from a generator seeded by (Seed, the query's position), so a query's
    /// negatives do not depend on which shard or batch it is mined in.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Mine only this shard's queries (null: all); the shards' outputs concatenated equal the unsharded output.</summary>
    public Research.Lib.Data.ShardSpec? Shard { get; init; }

    /// <summary>After <see cref="MiningRun.Rescore"/>: the reranker's margin (a negative above the lowest positive score minus it was dropped; null: none dropped).</summary>
    public double? RescoreMargin { get; init; }

    /// <summary>Parses FlagEmbedding's "10-210".</summary>
    public static (int Start, int End) ParseRange(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var end) || end <= start)
            throw new ArgumentException($"--range '{text}': expected START-END with 0 <= START < END, such as 10-210.");
        return (start, end);
    }

    /// <summary>Refuses settings no corpus can satisfy, naming the option.</summary>
    public void Validate(int corpusSize)
    {
        if (Count <= 0) throw new ArgumentException($"--negatives {Count}: expected a positive number.");
        if (RangeStart < 0 || RangeEnd <= RangeStart) throw new ArgumentException($"--range {RangeStart}-{RangeEnd}: expected 0 <= START < END.");
        if (Count > RangeEnd - RangeStart)
            throw new ArgumentException($"--negatives {Count} is more than the {RangeEnd - RangeStart} ranks of --range {RangeStart}-{RangeEnd}.");
        if (RangeStart >= corpusSize)
            throw new ArgumentException($"--range {RangeStart}-{RangeEnd} starts beyond the corpus: it has {corpusSize} passages.");
        if (MaxScoreRatio is { } r && r is <= 0 or > 1) throw new ArgumentException($"--max-score-ratio {r.ToString(CultureInfo.InvariantCulture)}: expected a number in (0, 1].");
    }
}
