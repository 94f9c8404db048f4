namespace Research.Lib.Data;

/// <summary>
/// Seeded, deterministic train/dev/test split. Records are grouped by query text (trimmed, ordinal), and a
/// group goes whole into one part, so the same query never lands in two parts; groups are shuffled with
/// <see cref="SplitMix64"/> and cut by largest-remainder rounding of the ratios, per stratum when a
/// stratification key is given (each stratum then keeps the ratios as closely as its size allows).
/// </summary>
public static class DataSplitter
{
    public static DataSplit<T> Split<T>(IReadOnlyList<T> items, Func<T, string> queryOf, SplitRatios ratios, ulong seed,
        Func<T, string>? stratifyBy = null, Func<T, string>? groupBy = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(queryOf);
        ArgumentNullException.ThrowIfNull(ratios);

        // Groups in first-seen order, so the result depends only on the input order and the seed.
        var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var order = new List<string>();
        for (var i = 0; i < items.Count; i++)
        {
            var key = (groupBy ?? queryOf)(items[i]).Trim();
            if (!groups.TryGetValue(key, out var members))
            {
                groups[key] = members = [];
                order.Add(key);
            }
            members.Add(i);
        }

        var strata = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var key in order)
        {
            var stratum = stratifyBy is null ? "" : stratifyBy(items[groups[key][0]]) ?? "";
            if (!strata.TryGetValue(stratum, out var list))
                strata[stratum] = list = [];
            list.Add(key);
        }

        var rng = new SplitMix64(seed);
        var part = new int[items.Count];
        foreach (var keys in strata.Values)
        {
            rng.Shuffle(keys);
            var (train, dev, _) = Counts(keys.Count, ratios);
            for (var g = 0; g < keys.Count; g++)
            {
                var p = g < train ? 0 : g < train + dev ? 1 : 2;
                foreach (var i in groups[keys[g]])
                    part[i] = p;
            }
        }

        var parts = new[] { new List<T>(), new List<T>(), new List<T>() };
        for (var i = 0; i < items.Count; i++)
            parts[part[i]].Add(items[i]);
        var split = new DataSplit<T>(parts[0], parts[1], parts[2]);
        EnsureDisjoint(split, queryOf);
        return split;
    }

    /// <summary>Largest-remainder rounding of n * ratios; ties go to train, then dev, then test.</summary>
    internal static (int Train, int Dev, int Test) Counts(int n, SplitRatios ratios)
    {
        double[] exact = [n * ratios.Train, n * ratios.Dev, n * ratios.Test];
        var counts = exact.Select(x => (int)Math.Floor(x)).ToArray();
        var left = n - counts.Sum();
        foreach (var i in Enumerable.Range(0, 3).OrderByDescending(i => exact[i] - counts[i]).ThenBy(i => i).Take(left))
            counts[i]++;
        return (counts[0], counts[1], counts[2]);
    }

    /// <summary>Throws when a query text (trimmed) occurs in two parts: the leak check every split runs.</summary>
    public static void EnsureDisjoint<T>(DataSplit<T> split, Func<T, string> queryOf)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, list) in new[] { ("train", split.Train), ("dev", split.Dev), ("test", split.Test) })
            foreach (var item in list)
            {
                var q = queryOf(item).Trim();
                if (seen.TryGetValue(q, out var other) && other != name)
                    throw new InvalidOperationException($"Query '{q}' is in both the {other} and the {name} split.");
                seen[q] = name;
            }
    }
}
