namespace Research.Lib.Data;

/// <summary>
/// Distribution of text lengths in Unicode characters (code points). Percentiles use the nearest-rank
/// method; kept as a histogram, so memory depends on the longest text, not on the number of texts.
/// </summary>
public sealed class LengthSummary
{
    private readonly SortedDictionary<int, long> _histogram = [];
    private double _sum;

    public long Count { get; private set; }

    public int Min => Count == 0 ? 0 : _histogram.Keys.First();

    public int Max => Count == 0 ? 0 : _histogram.Keys.Last();

    public double Mean => Count == 0 ? 0 : _sum / Count;

    public void Add(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var length = 0;
        foreach (var _ in text.EnumerateRunes()) length++;
        AddLength(length);
    }

    public void AddLength(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _histogram[length] = _histogram.GetValueOrDefault(length) + 1;
        _sum += length;
        Count++;
    }

    /// <summary>Nearest-rank percentile: the smallest length L with at least p% of texts no longer than L.</summary>
    public int Percentile(double p)
    {
        if (p is < 0 or > 100) throw new ArgumentOutOfRangeException(nameof(p), p, "Percentile must be in [0, 100].");
        if (Count == 0) return 0;
        var rank = Math.Max(1, (long)Math.Ceiling(p / 100 * Count));
        long seen = 0;
        foreach (var (length, n) in _histogram)
        {
            seen += n;
            if (seen >= rank) return length;
        }
        return Max;
    }
}
