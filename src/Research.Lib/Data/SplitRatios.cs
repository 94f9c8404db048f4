using System.Globalization;

namespace Research.Lib.Data;

/// <summary>Train/dev/test proportions, e.g. 8:1:1 (the seed article's choice). Need not sum to 1; they are normalized.</summary>
public sealed record SplitRatios
{
    public SplitRatios(double train, double dev, double test)
    {
        foreach (var (name, v) in new[] { ("train", train), ("dev", dev), ("test", test) })
            if (!double.IsFinite(v) || v < 0)
                throw new ArgumentOutOfRangeException(name, v, $"Split ratio '{name}' must be a finite number >= 0, got {v}.");
        var sum = train + dev + test;
        if (sum <= 0)
            throw new ArgumentException("At least one split ratio must be positive.");
        Train = train / sum;
        Dev = dev / sum;
        Test = test / sum;
    }

    public double Train { get; }
    public double Dev { get; }
    public double Test { get; }

    /// <summary>Parses "8,1,1" or "0.8,0.1,0.1" (also ':' separated).</summary>
    public static SplitRatios Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split([',', ':'], StringSplitOptions.TrimEntries);
        if (parts.Length != 3)
            throw new FormatException($"Ratios '{text}': expected three numbers (train,dev,test) such as 8,1,1.");
        var v = new double[3];
        for (var i = 0; i < 3; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out v[i]) || !double.IsFinite(v[i]) || v[i] < 0)
                throw new FormatException($"Ratios '{text}': '{parts[i]}' is not a number >= 0.");
        if (v.Sum() <= 0)
            throw new FormatException($"Ratios '{text}': at least one proportion must be positive.");
        return new SplitRatios(v[0], v[1], v[2]);
    }

    public override string ToString() => FormattableString.Invariant($"{Train:0.###},{Dev:0.###},{Test:0.###}");
}
