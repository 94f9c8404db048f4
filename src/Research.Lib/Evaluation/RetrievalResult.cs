namespace Research.Lib.Evaluation;

/// <summary>Per-query metric values (metric name → value) and their means over the evaluated queries.</summary>
public sealed record RetrievalResult(
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> PerQuery,
    IReadOnlyDictionary<string, double> Means)
{
    public int QueryCount => PerQuery.Count;

    /// <summary>The means as a result table row set (main score nDCG@10 when computed, else the first metric).</summary>
    public MetricTable ToTable(string model, string task, string split) =>
        new MetricTable().Add(model, task, split, Means, Means.ContainsKey(RetrievalEvaluator.MainScore) ? RetrievalEvaluator.MainScore : Means.Keys.First());

    /// <summary>
    /// Per-query values as <c>trec_eval -q</c> gives them: one TSV row per query and metric (<c>run, query, metric,
    /// value</c>), queries in order, then the means under query "all". Written atomically.
    /// </summary>
    public void WritePerQuery(string path, string run) => WritePerQuery(path, [(run, this)]);

    /// <summary>Several runs' per-query values in one file (the header once, each run's rows in turn).</summary>
    public static void WritePerQuery(string path, IReadOnlyList<(string Run, RetrievalResult Result)> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        IO.AtomicFile.WriteText(path, w =>
        {
            w.Write("run\tquery\tmetric\tvalue\n");
            foreach (var (run, result) in results)
            {
                foreach (var query in result.PerQuery.Keys.Order(StringComparer.Ordinal))
                    foreach (var (metric, value) in result.PerQuery[query])
                        w.Write(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{run}\t{query}\t{metric}\t{value:R}\n"));
                foreach (var (metric, value) in result.Means)
                    w.Write(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{run}\tall\t{metric}\t{value:R}\n"));
            }
        });
    }

    /// <summary>The mean of one metric, e.g. "ndcg_at_10".</summary>
    public double this[string metric] => Means.TryGetValue(metric, out var v)
        ? v
        : throw new KeyNotFoundException($"No metric '{metric}'; there are: {string.Join(", ", Means.Keys)}.");
}
