using System.Diagnostics;
using System.Globalization;
using System.Text;
using Research.Lib.Data;

namespace Research.Benchmarks;

/// <summary>
/// Streams generated FlagEmbedding JSONL files of several sizes and reports, for each, records/s of
/// <see cref="TrainingExampleReader"/> against a reference pass over the same file in the same process
/// (StreamReader.ReadLine: decoding lines only, no JSON), and the process's peak resident memory. Each size
/// runs in its own child process, so the peak belongs to that size alone: flat peaks across sizes mean
/// memory does not grow with the file.
/// </summary>
internal static class JsonlStreamingBenchmark
{
    public static int Run(string[] args)
    {
        var sizes = BenchmarkArgs.Option(args, "--records", "100000,300000,1000000").Split(',').Select(long.Parse).ToArray();
        var dir = BenchmarkArgs.Option(args, "--dir", Path.Combine(Path.GetTempPath(), "research-bench"));
        if (BenchmarkArgs.Option(args, "--child", "") is { Length: > 0 } child)
            return Child(child);

        Directory.CreateDirectory(dir);
        Console.WriteLine("records   | file MiB | ours rec/s | reference rec/s | ours/reference | peak RSS MiB | managed heap after MiB");
        Console.WriteLine("----------|----------|------------|-----------------|----------------|--------------|-----------------------");
        foreach (var n in sizes)
        {
            var path = Path.Combine(dir, $"bench-{n}.jsonl");
            if (!File.Exists(path) || File.ReadLines(path).Take(1).Count() == 0) Generate(path, n);
            var psi = new ProcessStartInfo(Environment.ProcessPath!, [.. Environment.GetCommandLineArgs().Skip(1).Take(0)])
            {
                RedirectStandardOutput = true,
            };
            var self = Environment.GetCommandLineArgs()[0];
            if (self.EndsWith(".dll", StringComparison.Ordinal)) psi.ArgumentList.Add(self);
            psi.ArgumentList.Add("jsonl-streaming");
            psi.ArgumentList.Add("--child");
            psi.ArgumentList.Add(path);
            using var p = Process.Start(psi)!;
            var line = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            Console.WriteLine(line);
        }
        return 0;
    }

    private static int Child(string path)
    {
        var mib = new FileInfo(path).Length / 1048576.0;
        // Warm up (JIT, page cache) on the first records, then time full passes.
        TrainingExampleReader.Read(path).Take(10_000).Count();
        var sw = Stopwatch.StartNew();
        long refCount = 0;
        using (var reader = new StreamReader(path, Encoding.UTF8))
            while (reader.ReadLine() is not null) refCount++;
        var refSeconds = sw.Elapsed.TotalSeconds;

        sw.Restart();
        long count = 0, chars = 0;
        foreach (var e in TrainingExampleReader.Read(path))
        {
            count++;
            chars += e.Query.Length;
        }
        var seconds = sw.Elapsed.TotalSeconds;
        if (count != refCount) throw new InvalidOperationException($"read {count} records but the file has {refCount} lines");
        var heap = GC.GetTotalMemory(forceFullCollection: true) / 1048576.0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{count,-9} | {mib,8:0.0} | {count / seconds,10:0} | {refCount / refSeconds,15:0} | {(count / seconds) / (refCount / refSeconds),14:0.000} | {BenchmarkArgs.PeakRssMiB(),12:0.0} | {heap,8:0.0}"));
        return chars > 0 ? 0 : 1;
    }


    /// <summary>Deterministic synthetic records shaped like real fine-tuning data: a query, 1 positive, 7 negatives, scores.</summary>
    private static void Generate(string path, long n)
    {
        var words = "embedding contrastive retrieval passage query negative positive model 向量 检索 负样本 训练 数据 金融 中医".Split(' ');
        var rng = new Random(1234);
        string Sentence(int len)
        {
            var sb = new StringBuilder();
            for (var i = 0; i < len; i++) sb.Append(words[rng.Next(words.Length)]).Append(' ');
            return sb.ToString().TrimEnd();
        }
        IEnumerable<TrainingExample> Records()
        {
            for (long i = 0; i < n; i++)
                yield return new TrainingExample($"q{i} " + Sentence(8), [Sentence(40)],
                    Enumerable.Range(0, 7).Select(_ => Sentence(40)).ToArray(), [1.0], Enumerable.Repeat(0.1, 7).ToArray());
        }
        TrainingExampleWriter.Write(path, Records());
    }

}
