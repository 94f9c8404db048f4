using System.Globalization;

namespace Research.Lib.Data;

/// <summary>
/// One part of a job split across machines: shard <see cref="Index"/> of <see cref="Count"/> takes the contiguous
/// records [Index·n/Count, (Index+1)·n/Count), so concatenating the shards' outputs in order gives the unsharded output.
/// A scheduler runs the shards (a Slurm job array's SLURM_ARRAY_TASK_ID, a Kubernetes indexed Job's
/// JOB_COMPLETION_INDEX) and <c>research merge</c> joins them.
/// </summary>
public sealed record ShardSpec(int Index, int Count)
{
    /// <summary>Parses "i/N" (0 &lt;= i &lt; N).</summary>
    public static ShardSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var i)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 && i < n)
            return new ShardSpec(i, n);
        throw new ArgumentException($"--shard '{text}': expected INDEX/COUNT with 0 <= INDEX < COUNT, such as 0/4.");
    }

    /// <summary>The shard's records among <paramref name="total"/>: [From, To).</summary>
    public (int From, int To) Range(int total) => ((int)((long)Index * total / Count), (int)((long)(Index + 1) * total / Count));

    /// <summary>The shard's part of <paramref name="items"/> (its <see cref="Range"/>).</summary>
    public List<T> Slice<T>(IReadOnlyList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var (from, to) = Range(items.Count);
        return items.Skip(from).Take(to - from).ToList();
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}
