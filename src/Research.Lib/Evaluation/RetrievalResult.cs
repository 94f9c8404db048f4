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

    /// <summary>Reads a per-query file written by <see cref="WritePerQuery(string, IReadOnlyList{ValueTuple{string, RetrievalResult}})"/>: each run's per-query values and means.</summary>
    public static IReadOnlyDictionary<string, RetrievalResult> ReadPerQuery(string path)
    {
        var perQuery = new Dictionary<string, Dictionary<string, Dictionary<string, double>>>(StringComparer.Ordinal);
        var means = new Dictionary<string, Dictionary<string, double>>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (lineNumber == 1)
            {
                if (line != "run\tquery\tmetric\tvalue") throw new InvalidDataException($"{path}:1: expected the header run<TAB>query<TAB>metric<TAB>value.");
                continue;
            }
            if (line.Length == 0) continue;
            var f = line.Split('\t');
            if (f.Length != 4 || !double.TryParse(f[3], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value))
                throw new InvalidDataException($"{path}:{lineNumber}: expected run, query, metric and a number, tab-separated.");
            if (f[1] == "all")
                (means.TryGetValue(f[0], out var m) ? m : means[f[0]] = new(StringComparer.Ordinal))[f[2]] = value;
            else
            {
                var run = perQuery.TryGetValue(f[0], out var r) ? r : perQuery[f[0]] = new(StringComparer.Ordinal);
                (run.TryGetValue(f[1], out var q) ? q : run[f[1]] = new(StringComparer.Ordinal))[f[2]] = value;
            }
        }
        return perQuery.Keys.Union(means.Keys).ToDictionary(run => run, run => new RetrievalResult(
            perQuery.TryGetValue(run, out var r) ? r.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, double>)kv.Value, StringComparer.Ordinal) : new Dictionary<string, IReadOnlyDictionary<string, double>>(),
            means.TryGetValue(run, out var m) ? m : new Dictionary<string, double>()), StringComparer.Ordinal);
    }

    /// <summary>The mean of one metric, e.g. "ndcg_at_10".</summary>
    public double this[string metric] => Means.TryGetValue(metric, out var v)
        ? v
        : throw new KeyNotFoundException($"No metric '{metric}'; there are: {string.Join(", ", Means.Keys)}.");
}
