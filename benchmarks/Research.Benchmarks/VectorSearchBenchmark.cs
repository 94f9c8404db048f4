using System.Diagnostics;
using System.Globalization;
using Research.Lib.Modeling;
using Research.Lib.Search;

namespace Research.Benchmarks;

/// <summary>
/// Top-k and range search at scale. Each method runs in its own child process so its peak memory is its own:
/// Faiss Flat (the reference), ExactIndex (TorchSharp), HNSW32 (efSearch 64) and IVF (nprobe 16), on the same
/// generated unit vectors (clustered: every document has close neighbours, so range search has work to do),
/// reporting build and search time, queries/s, peak RSS and recall@k against Flat. No n×n matrix is built.
/// usage: vector-search [--docs 100000] [--queries 100000] [--dim 256] [--k 10] [--methods flat,exact,hnsw,hnsw-ef200,ivf] [--ef-search 64] [--uniform]
///        vector-search --range 0.9 [--docs 1000000] [--dim 256] [--methods hnsw]
/// </summary>
internal static class VectorSearchBenchmark
{
    public static int Run(string[] args)
    {
        if (BenchmarkArgs.Optional(args, "--child") is { } method) return Child(method, args);
        var methods = BenchmarkArgs.Option(args, "--methods", "flat,exact,hnsw,ivf").Split(',');
        Console.WriteLine("method | docs | queries | dim | k / range | build s | search s | queries/s | peak RSS MiB | recall@k vs Flat | hits");
        Console.WriteLine("---|---|---|---|---|---|---|---|---|---|---");
        foreach (var m in methods)
        {
            var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
            var self = Environment.GetCommandLineArgs()[0];
            if (self.EndsWith(".dll", StringComparison.Ordinal)) psi.ArgumentList.Add(self);
            psi.ArgumentList.Add("vector-search");
            foreach (var a in args) psi.ArgumentList.Add(a);
            psi.ArgumentList.Add("--child");
            psi.ArgumentList.Add(m);
            using var p = Process.Start(psi)!;
            Console.WriteLine(p.StandardOutput.ReadToEnd().Trim());
            p.WaitForExit();
        }
        return 0;
    }

    private static int Child(string method, string[] args)
    {
        var docs = int.Parse(BenchmarkArgs.Option(args, "--docs", "100000"), CultureInfo.InvariantCulture);
        var nq = int.Parse(BenchmarkArgs.Option(args, "--queries", "100000"), CultureInfo.InvariantCulture);
        var dim = int.Parse(BenchmarkArgs.Option(args, "--dim", "256"), CultureInfo.InvariantCulture);
        var k = int.Parse(BenchmarkArgs.Option(args, "--k", "10"), CultureInfo.InvariantCulture);
        var range = BenchmarkArgs.Optional(args, "--range") is { } r ? float.Parse(r, CultureInfo.InvariantCulture) : (float?)null;
        var uniform = args.Contains("--uniform");
        var corpus = uniform ? Uniform(docs, dim, seed: 1) : Clustered(docs, dim, seed: 1);
        var queries = range is null ? (uniform ? Uniform(nq, dim, seed: 2) : Clustered(nq, dim, seed: 2)) : corpus; // range search: the corpus against itself, as query cleaning does
        var ids = Enumerable.Range(0, docs).Select(i => (long)i).ToArray();

        var sw = Stopwatch.StartNew();
        IVectorIndex index = method switch
        {
            "exact" => new ExactIndex(dim),
            "hnsw" or "hnsw-ef200" => FaissIndex.Create(dim, "HNSW32"),
            "ivf" => FaissIndex.Create(dim, $"IVF{(int)Math.Sqrt(docs) * 4},Flat"),
            _ => FaissIndex.Create(dim, "Flat"),
        };
        if (index is FaissIndex { IsTrained: false } ivf) ivf.Train(corpus);
        if (method == "hnsw-ef200") ((FaissIndex)index).SetParameter("efConstruction", 200);
        index.Add(corpus, ids);
        if (method.StartsWith("hnsw", StringComparison.Ordinal))
            ((FaissIndex)index).SetParameter("efSearch", int.Parse(BenchmarkArgs.Option(args, "--ef-search", "64"), CultureInfo.InvariantCulture));
        if (method == "ivf") ((FaissIndex)index).SetParameter("nprobe", 16);
        var build = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var hits = range is { } threshold ? index.RangeSearch(queries, threshold) : index.Search(queries, k);
        var search = sw.Elapsed.TotalSeconds;
        var peak = BenchmarkArgs.PeakRssMiB();
        var recall = "";
        if (method != "flat" && range is null)
        {
            // Recall on the first 1,000 queries against Faiss Flat (measured after the peak above).
            using var flat = FaissIndex.Create(dim, "Flat");
            flat.Add(corpus, ids);
            var sample = new EmbeddingMatrix(queries.Data.AsSpan(0, 1000 * dim).ToArray(), 1000, dim);
            var truth = flat.Search(sample, k);
            recall = truth.Select((t, q) => (double)t.Select(h => h.Id).Intersect(hits[q].Select(h => h.Id)).Count() / t.Length).Average().ToString("0.0000", CultureInfo.InvariantCulture);
        }
        index.Dispose();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{method} | {docs:N0} | {queries.Rows:N0} | {dim} | {(range is { } t ? $"range > {t}" : $"top-{k}")} | {build:0.0} | {search:0.0} | {queries.Rows / search:0} | {peak:0} | {recall} | {hits.Sum(h => (long)h.Length):N0}"));
        return 0;
    }

    /// <summary>Unit vectors around docs/10 random Gaussian centres plus Gaussian noise of 0.35 per coordinate: members of a cluster have cosine about 0.89, so each has near neighbours.</summary>
    private static EmbeddingMatrix Clustered(int rows, int dim, int seed)
    {
        var rng = new Random(seed);
        var centres = Math.Max(1, rows / 10);
        var centre = new float[centres * dim];
        var centreRng = new Random(12345);
        for (var i = 0; i < centre.Length; i++) centre[i] = (float)Gaussian(centreRng);
        var data = new float[(long)rows * dim];
        const double noise = 0.35;
        for (var r = 0; r < rows; r++)
        {
            var c = rng.Next(centres);
            double norm = 0;
            for (var d = 0; d < dim; d++)
            {
                var v = centre[c * dim + d] + noise * Gaussian(rng);
                data[(long)r * dim + d] = (float)v;
                norm += v * v;
            }
            var inv = 1 / Math.Sqrt(norm);
            for (var d = 0; d < dim; d++) data[(long)r * dim + d] *= (float)inv;
        }
        return new EmbeddingMatrix(data, rows, dim);
    }

    /// <summary>Unit vectors uniform on the sphere (the hard case for approximate search: no structure).</summary>
    private static EmbeddingMatrix Uniform(int rows, int dim, int seed)
    {
        var rng = new Random(seed);
        var data = new float[(long)rows * dim];
        for (var r = 0; r < rows; r++)
        {
            double norm = 0;
            for (var d = 0; d < dim; d++) { var v = Gaussian(rng); data[(long)r * dim + d] = (float)v; norm += v * v; }
            var inv = 1 / Math.Sqrt(norm);
            for (var d = 0; d < dim; d++) data[(long)r * dim + d] *= (float)inv;
        }
        return new EmbeddingMatrix(data, rows, dim);
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());


}
