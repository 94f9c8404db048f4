namespace Research.Lib.Evaluation;

/// <summary>Per-query metric values (metric name → value) and their means over the evaluated queries.</summary>
public sealed record RetrievalResult(
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> PerQuery,
    IReadOnlyDictionary<string, double> Means)
{
    public int QueryCount => PerQuery.Count;

    /// <summary>The mean of one metric, e.g. "ndcg_at_10".</summary>
    public double this[string metric] => Means.TryGetValue(metric, out var v)
        ? v
        : throw new KeyNotFoundException($"No metric '{metric}'; there are: {string.Join(", ", Means.Keys)}.");
}
