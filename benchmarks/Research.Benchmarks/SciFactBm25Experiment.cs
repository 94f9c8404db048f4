using System.Globalization;
using System.Text.RegularExpressions;
using Research.Lib.Data;
using Research.Lib.Evaluation;
using Research.Lib.Search;

namespace Research.Benchmarks;

/// <summary>
/// A plain BM25 over BEIR SciFact (title + text, lower-cased alphanumeric tokens, no stemming, Lucene's idf
/// ln(1 + (N − df + 0.5) / (df + 0.5))), written as TREC runs for two (k1, b) settings, to check the evaluation
/// code against the published reference figures and to show two runs side by side. The kit's Lucene.Net index
/// (Search issue) replaces this scorer; the metric check stays.
/// usage: scifact-bm25 --data ../shared/data/beir_scifact --out DIR
/// </summary>
internal static partial class SciFactBm25Experiment
{
    public static int Run(string[] args)
    {
        var data = BenchmarkArgs.Option(args, "--data", Path.Combine("..", "shared", "data", "beir_scifact"));
        var outDir = BenchmarkArgs.Option(args, "--out", Path.Combine("benchmarks", "out", "scifact"));
        if (!Directory.Exists(data))
        {
            Console.Error.WriteLine($"{data}: not found; pass --data PATH to BEIR SciFact.");
            return 1;
        }
        var ds = BeirReader.Read(data, "test");
        var docs = ds.Corpus.Select(d => Tokens(d.FullText)).ToList();
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var d in docs)
            foreach (var t in d.Distinct()) df[t] = df.GetValueOrDefault(t) + 1;
        var avgdl = docs.Average(d => d.Count);
        var tfs = docs.Select(d => d.GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal)).ToList();
        var table = new MetricTable();
        foreach (var (k1, b) in new[] { (0.9, 0.4), (1.2, 0.75) })
        {
            var run = new Dictionary<string, IReadOnlyList<ScoredDocument>>(StringComparer.Ordinal);
            foreach (var q in ds.Queries)
            {
                var terms = Tokens(q.Text);
                var scores = new double[docs.Count];
                foreach (var t in terms)
                {
                    if (!df.TryGetValue(t, out var n)) continue;
                    var idf = Math.Log(1 + (docs.Count - n + 0.5) / (n + 0.5));
                    for (var i = 0; i < docs.Count; i++)
                        if (tfs[i].TryGetValue(t, out var tf))
                            scores[i] += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * docs[i].Count / avgdl));
                }
                run[q.Id] = Enumerable.Range(0, docs.Count).Where(i => scores[i] > 0)
                    .Select(i => new ScoredDocument(ds.Corpus[i].Id, Math.Round(scores[i], 6)))
                    .OrderByDescending(d => d.Score).Take(100).ToList();
            }
            var name = string.Create(CultureInfo.InvariantCulture, $"bm25-k1_{k1}-b_{b}");
            Directory.CreateDirectory(outDir);
            TrecFiles.WriteRun(Path.Combine(outDir, name + ".trec"), run, name);
            var result = RetrievalEvaluation.Evaluate(run, ds.Qrels, new RetrievalEvaluationOptions { Ks = [10, 100] });
            table.Add(name, "SciFact", "test", result.Means, "ndcg_at_10");
        }
        Console.Write(table.ToMarkdown(["ndcg_at_10", "mrr_at_10", "recall_at_10", "recall_at_100", "map_at_100", "map", "mrr"]));
        Console.WriteLine($"runs in {outDir}; re-score with: research eval run --qrels {Path.Combine(data, "qrels", "test.trec")} --run {outDir}/*.trec");
        return 0;
    }

    private static List<string> Tokens(string text) => Word().Matches(text.ToLowerInvariant()).Select(m => m.Value).ToList();

    [GeneratedRegex("[a-z0-9]+")]
    private static partial Regex Word();

}
