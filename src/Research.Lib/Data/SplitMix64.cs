namespace Research.Lib.Data;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood 2014): a tiny PRNG whose output is fixed by its seed on every .NET
/// version and platform, unlike <see cref="Random"/>, whose algorithm is an implementation detail.
/// </summary>
internal sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    /// <summary>SplitMix64's finalizer over (seed, index): independent, reproducible streams per epoch and per batch.</summary>
    public static ulong Mix(ulong seed, ulong index)
    {
        var z = seed + 0x9E3779B97F4A7C15UL * (index + 1);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniformly random permutation of 0..n−1 (Fisher–Yates).</summary>
    public int[] Permutation(int n)
    {
        var order = Enumerable.Range(0, n).ToArray();
        Shuffle(order);
        return order;
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, bound), without modulo bias (Lemire's method).</summary>
    public int NextInt(int bound)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bound);
        var threshold = (0UL - (ulong)bound) % (ulong)bound;
        while (true)
        {
            var r = Next();
            var product = Math.BigMul(r, (ulong)bound, out var low);
            if (low >= threshold)
                return (int)product;
        }
    }

    /// <summary>Fisher-Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
