using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Research.Lib.Cleaning;
using Research.Lib.Data;
using Research.Lib.Mining;
using Research.Lib.Modeling;

namespace Research.Benchmarks;

/// <summary>
/// Cleaning and mining at scale, with the model-free hashed encoder (128 dimensions) so that search, not a model,
/// dominates. Generated English-like queries from a 20,000-word vocabulary, one in ten a near copy of an earlier one
/// (one word changed). Each size runs in its own child process (wall time, peak RSS):
/// <c>clean</c> N queries at cosine 0.9 with an IVF index (4·√n lists, nprobe 16; <c>--index</c> to change); <c>mine</c> Q queries against P passages (dense,
/// Flat, ranks 10-210, 15 negatives), also as 4 shards whose concatenation is compared byte for byte.
/// usage: clean-mine-scale [--clean 100000,1000000] [--mine 100000x1000000] [--shards 4]
/// </summary>
internal static class CleanMineScaleBenchmark
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(string[] args)
    {
        if (BenchmarkArgs.Optional(args, "--child") is { } job) return Child(job, args);
        Console.WriteLine("job | size | wall s | peak RSS MiB | µs per query | result");
        Console.WriteLine("---|---|---|---|---|---");
        foreach (var n in BenchmarkArgs.Option(args, "--clean", "100000,1000000").Split(',', StringSplitOptions.RemoveEmptyEntries))
            Spawn("clean", n, "--index", BenchmarkArgs.Option(args, "--index", "IVF"), "--nprobe", BenchmarkArgs.Option(args, "--nprobe", "16"));
        foreach (var qp in BenchmarkArgs.Option(args, "--mine", "100000x1000000").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            Spawn("mine", qp);
            var shards = int.Parse(BenchmarkArgs.Option(args, "--shards", "4"), Inv);
            for (var i = 0; i < shards; i++) Spawn("mine", qp + $"@{i}/{shards}");
            var whole = Hash(Path.Combine(Path.GetTempPath(), $"mine-{qp}.jsonl"));
            var parts = Enumerable.Range(0, shards).Select(i => Path.Combine(Path.GetTempPath(), $"mine-{qp}@{i}-{shards}.jsonl")).ToList();
            var merged = Path.Combine(Path.GetTempPath(), $"mine-{qp}-merged.jsonl");
            using (var output = File.Create(merged))
                foreach (var part in parts) using (var input = File.OpenRead(part)) input.CopyTo(output);
            Console.WriteLine($"mine, {shards} shards merged | {qp} | | | | byte-identical to the unsharded output: {(Hash(merged) == whole ? "yes" : "NO")}");
        }
        return 0;
    }

    private static void Spawn(string job, string size, params string[] options)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
        var self = Environment.GetCommandLineArgs()[0];
        if (self.EndsWith(".dll", StringComparison.Ordinal)) psi.ArgumentList.Add(self);
        foreach (var a in new[] { "clean-mine-scale", "--child", job + ":" + size }) psi.ArgumentList.Add(a);
        foreach (var o in options) psi.ArgumentList.Add(o);
        using var p = Process.Start(psi)!;
        Console.WriteLine(p.StandardOutput.ReadToEnd().Trim());
        p.WaitForExit();
    }

    private static int Child(string job, string[] args)
    {
        var (kind, size) = (job.Split(':')[0], job.Split(':')[1]);
        var encoderOptions = new HashedNgramOptions { Dimension = 128 };
        var sw = Stopwatch.StartNew();
        if (kind == "clean")
        {
            var n = int.Parse(size, Inv);
            var examples = Queries(n, seed: 1).Select((q, i) => new TrainingExample(q, [$"passage {i}"], [])).ToList();
            var encoder = HashedNgramEncoder.Unfitted(encoderOptions);
            sw.Restart();
            var result = QueryCleaner.Clean(examples, encoder, new QueryCleanerOptions { Threshold = 0.9, Index = BenchmarkArgs.Option(args, "--index", "IVF"), Nprobe = int.Parse(BenchmarkArgs.Option(args, "--nprobe", "16"), Inv) });
            var seconds = sw.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(Inv, $"clean | {n:N0} queries | {seconds:0.0} | {BenchmarkArgs.PeakRssMiB():0} | {seconds * 1e6 / n:0} | {result.ExactDuplicates:N0} exact + {result.NearDuplicates:N0} near duplicates removed"));
            return 0;
        }
        var shard = size.Contains('@') ? ShardSpec.Parse(size[(size.IndexOf('@') + 1)..]) : null;
        var dims = (shard is null ? size : size[..size.IndexOf('@')]).Split('x');
        var (nq, np) = (int.Parse(dims[0], Inv), int.Parse(dims[1], Inv));
        var passages = Queries(np, seed: 2).Select(q => q + " " + q).ToList();
        var queries = Queries(nq, seed: 3);
        var records = queries.Select((q, i) => new TrainingExample(q, [passages[(int)((long)i * np / nq)]], [])).ToList();
        var hashed = HashedNgramEncoder.Unfitted(encoderOptions);
        sw.Restart();
        var mined = HardNegativeMiner.Mine(records, passages, hashed, new MiningOptions { Method = MiningMethod.Dense, KeepExisting = false, Shard = shard });
        var secs = sw.Elapsed.TotalSeconds;
        var path = Path.Combine(Path.GetTempPath(), shard is null ? $"mine-{size}.jsonl" : $"mine-{dims[0]}x{dims[1]}@{shard.Index}-{shard.Count}.jsonl");
        TrainingExampleWriter.Write(path, mined.Examples);
        Console.WriteLine(string.Create(Inv, $"mine{(shard is null ? "" : " shard " + shard)} | {nq:N0} queries x {np:N0} passages | {secs:0.0} | {BenchmarkArgs.PeakRssMiB():0} | {secs * 1e6 / Math.Max(1, mined.Examples.Count):0} | {mined.Report.NegativesPerQuery:0.0} negatives per query"));
        return 0;
    }

    /// <summary>Generated queries: 5-9 words from a Zipf-like vocabulary; every tenth one is an earlier query with one word changed.</summary>
    private static List<string> Queries(int n, int seed)
    {
        var rng = new Random(seed);
        var vocabulary = Enumerable.Range(0, 20_000).Select(i => "w" + (i * 2654435761L % 1_000_003).ToString("x", Inv)).ToArray();
        string Word() => vocabulary[(int)Math.Min(vocabulary.Length - 1, Math.Floor(Math.Pow(rng.NextDouble(), 2) * vocabulary.Length))];
        var list = new List<string>(n);
        for (var i = 0; i < n; i++)
        {
            if (i > 0 && i % 10 == 0)
            {
                var words = list[rng.Next(i)].Split(' ');
                words[rng.Next(words.Length)] = Word();
                list.Add(string.Join(' ', words));
            }
            else
            {
                list.Add(string.Join(' ', Enumerable.Range(0, 5 + rng.Next(5)).Select(_ => Word())));
            }
        }
        return list;
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
}
