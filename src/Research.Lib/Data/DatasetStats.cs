using System.Text;

namespace Research.Lib.Data;

/// <summary>
/// Counts and length distributions of a training file, and its exact duplicates: repeated query texts,
/// and repeated (query, positive) pairs. Duplicates are found through 64-bit FNV-1a hashes of the text, so
/// memory grows with distinct queries by 8 bytes each (the chance of a false duplicate among 10^6 queries is
/// about 3e-8).
/// </summary>
public sealed class DatasetStats
{
    private readonly HashSet<ulong> _queries = [];
    private readonly HashSet<ulong> _pairs = [];

    public long Records { get; private set; }
    public long Positives { get; private set; }
    public long Negatives { get; private set; }
    public long WithScores { get; private set; }
    public long WithPrompt { get; private set; }

    /// <summary>Records whose query text already appeared in an earlier record.</summary>
    public long DuplicateQueries { get; private set; }

    /// <summary>Records whose (query, first positive) pair already appeared.</summary>
    public long DuplicatePairs { get; private set; }

    /// <summary>Records that list one of their positives among their negatives as well.</summary>
    public long PositiveAmongNegatives { get; private set; }

    public LengthSummary QueryLengths { get; } = new();
    public LengthSummary PassageLengths { get; } = new();
    public LengthSummary NegativesPerRecord { get; } = new();

    public static DatasetStats Compute(IEnumerable<TrainingExample> examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var stats = new DatasetStats();
        foreach (var e in examples) stats.Add(e);
        return stats;
    }

    public void Add(TrainingExample e)
    {
        ArgumentNullException.ThrowIfNull(e);
        Records++;
        Positives += e.Pos.Count;
        Negatives += e.Neg.Count;
        if (e.PosScores is not null || e.NegScores is not null) WithScores++;
        if (e.Prompt is not null) WithPrompt++;
        QueryLengths.Add(e.Query);
        foreach (var p in e.Pos) PassageLengths.Add(p);
        foreach (var n in e.Neg) PassageLengths.Add(n);
        NegativesPerRecord.AddLength(e.Neg.Count);
        var q = Fnv1a(e.Query, 0xcbf29ce484222325UL);
        if (!_queries.Add(q)) DuplicateQueries++;
        if (!_pairs.Add(Fnv1a(e.Pos[0], q ^ 0x9E3779B97F4A7C15UL))) DuplicatePairs++;
        if (e.Neg.Count > 0 && e.Pos.Any(p => e.Neg.Contains(p))) PositiveAmongNegatives++;
    }

    internal static ulong Fnv1a(string text, ulong hash)
    {
        foreach (var c in text)
        {
            hash ^= (byte)c;
            hash *= 0x100000001b3UL;
            hash ^= (byte)(c >> 8);
            hash *= 0x100000001b3UL;
        }
        return hash;
    }

    /// <summary>A plain-text summary, one fact per line.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.AppendLine(FormattableString.Invariant($"records: {Records}"));
        sb.AppendLine(FormattableString.Invariant($"positives: {Positives}, negatives: {Negatives}"));
        sb.AppendLine(FormattableString.Invariant($"duplicate queries: {DuplicateQueries}, duplicate (query, pos) pairs: {DuplicatePairs}"));
        sb.AppendLine(FormattableString.Invariant($"records with a positive among their negatives: {PositiveAmongNegatives}"));
        foreach (var (name, s) in new[] { ("query length", QueryLengths), ("passage length", PassageLengths), ("negatives per record", NegativesPerRecord) })
            sb.AppendLine(FormattableString.Invariant(
                $"{name}: min {s.Min}, p50 {s.Percentile(50)}, p90 {s.Percentile(90)}, p99 {s.Percentile(99)}, max {s.Max}, mean {s.Mean:0.0}"));
        return sb.ToString();
    }
}
