using System.Diagnostics;
using System.Globalization;
using Research.Lib.Modeling;
using Research.Lib.Search;

namespace Research.Benchmarks;

/// <summary>
/// Memory of <c>ExactSearch.TopK</c> beyond its inputs, at 100k and 1M documents, each size in its own child
/// process: resident memory once the documents are on the device (baseline), then the peak during a search of 1,024
/// queries. With one dispose scope per score block the extra stays at about one block (256 × 65,536 scores, 64 MiB)
/// whatever the corpus size.
/// usage: exact-memory [--sizes 100000,1000000] [--dim 128] [--queries 1024]
/// </summary>
internal static class ExactSearchMemoryBenchmark
{
    public static int Run(string[] args)
    {
        if (BenchmarkArgs.Optional(args, "--child") is { } size) return Child(int.Parse(size, CultureInfo.InvariantCulture), args);
        Console.WriteLine("documents | dim | queries | search s | RSS before search MiB | peak RSS MiB | extra during search MiB");
        Console.WriteLine("---|---|---|---|---|---|---");
        foreach (var docs in BenchmarkArgs.Option(args, "--sizes", "100000,1000000").Split(','))
        {
            var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
            var self = Environment.GetCommandLineArgs()[0];
            if (self.EndsWith(".dll", StringComparison.Ordinal)) psi.ArgumentList.Add(self);
            psi.ArgumentList.Add("exact-memory");
            foreach (var a in args) psi.ArgumentList.Add(a);
            psi.ArgumentList.Add("--child");
            psi.ArgumentList.Add(docs);
            using var p = Process.Start(psi)!;
            Console.WriteLine(p.StandardOutput.ReadToEnd().Trim());
            p.WaitForExit();
        }
        return 0;
    }

    private static int Child(int docs, string[] args)
    {
        var dim = int.Parse(BenchmarkArgs.Option(args, "--dim", "128"), CultureInfo.InvariantCulture);
        var nq = int.Parse(BenchmarkArgs.Option(args, "--queries", "1024"), CultureInfo.InvariantCulture);
        var rng = new Random(1);
        var queries = new EmbeddingMatrix(Enumerable.Range(0, nq * dim).Select(_ => (float)rng.NextDouble()).ToArray(), nq, dim);
        var data = new float[(long)docs * dim];
        for (long i = 0; i < data.LongLength; i++) data[i] = (float)rng.NextDouble();
        using var noGrad = TorchSharp.torch.no_grad();
        using var tensor = TorchSharp.torch.tensor(data, [docs, dim]);
        data = null;
        GC.Collect();
        var before = BenchmarkArgs.RssMiB();
        var sw = Stopwatch.StartNew();
        var (indices, _) = ExactSearch.TopK(queries, tensor, 10);
        var seconds = sw.Elapsed.TotalSeconds;
        var peak = BenchmarkArgs.PeakRssMiB();
        GC.KeepAlive(indices);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{docs:N0} | {dim} | {nq} | {seconds:0.00} | {before:0} | {peak:0} | {peak - before:0}"));
        return 0;
    }
}
