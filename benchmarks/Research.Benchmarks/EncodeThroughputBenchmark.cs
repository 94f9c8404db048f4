using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Research.Lib.Data;
using Research.Lib.Devices;
using Research.Lib.Modeling;
using Research.Lib.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Research.Benchmarks;

/// <summary>
/// Encoder forward throughput, ours (TorchSharp) against PyTorch's own nn.TransformerEncoderLayer
/// (benchmarks/reference/bert_reference.py) on the same weights and the same padded batch (32 texts, up to 128
/// tokens), in the same run, for the tiny toy model and a BERT-base-sized random model (12 layers, hidden 768).
/// Also prints each side's sgemm GFLOP/s (so the comparison is fair) and our resident memory after each of the
/// batches (flat = no leak), plus the full Encode() path (tokenization, sorting, pooling) for the same texts.
/// </summary>
internal static class EncodeThroughputBenchmark
{
    public static int Run(string[] args)
    {
        var batches = int.Parse(BenchmarkArgs.Option(args, "--batches", "20"), CultureInfo.InvariantCulture);
        var threads = int.Parse(BenchmarkArgs.Option(args, "--threads", "2"), CultureInfo.InvariantCulture);
        var sizes = BenchmarkArgs.Option(args, "--models", "tiny,base").Split(',');
        var root = FindRoot();
        torch.set_num_threads(threads);
        Console.WriteLine($"threads {threads}; TorchSharp sgemm {Sgemm():0.0} GFLOP/s (1024x1024, float32); {TorchRuntime.Status}");
        using var work = new TempFolder();
        var tokenizer = TokenizerLoader.Load(Path.Combine(root, "toy_data", "tiny-bert"));
        var texts = Texts(root);
        Console.WriteLine("model | params | batch x max tokens | ours sent/s | ours tokens/s | PyTorch sent/s | ours/PyTorch | PyTorch sgemm GFLOP/s | RSS first -> last batch MiB | live tensors first -> last | Encode() sent/s");
        Console.WriteLine("---|---|---|---|---|---|---|---|---|---|---");
        foreach (var size in sizes)
        {
            var options = size == "base"
                ? new ModelInitOptions { Layers = 12, Hidden = 768, Heads = 12, MaxPositions = 512, Seed = 1 }
                : new ModelInitOptions { Layers = 2, Hidden = 64, Heads = 4, Seed = 1 };
            using var encoder = ModelInitializer.Create(tokenizer, options);
            var dir = Path.Combine(work.Path, size);
            encoder.Save(dir);
            var batch = TokenBatch.Pad(texts.Take(32).Select(t => tokenizer.Encode(t, 128)).ToList(), tokenizer.PadId);
            var n = size == "base" ? batches : batches * 10;

            encoder.Model.eval();
            var rss = new List<double>();
            var live = new List<long>();
            double seconds;
            using (torch.no_grad())
            {
                var (ids, mask, types) = batch.ToTensors();
                using (var warm = encoder.Model.forward(ids, mask, types)) { }
                var sw = Stopwatch.StartNew();
                for (var i = 0; i < n; i++)
                {
                    using var scope = NewDisposeScope();
                    encoder.Model.forward(ids, mask, types);
                    rss.Add(BenchmarkArgs.RssMiB());
                    live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
                }
                seconds = sw.Elapsed.TotalSeconds;
            }
            var ours = n * batch.Count / seconds;

            var input = Path.Combine(work.Path, $"{size}-batch.json");
            File.WriteAllText(input, JsonSerializer.Serialize(new { ids = Rows(batch.Ids, batch.Count, batch.Length), mask = Rows(batch.Mask, batch.Count, batch.Length) }));
            var output = Path.Combine(work.Path, $"{size}-timing.json");
            var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true };
            foreach (var a in new[] { Path.Combine(root, "benchmarks", "reference", "bert_reference.py"), dir, input, output, "--bench", n.ToString(CultureInfo.InvariantCulture), "--threads", threads.ToString(CultureInfo.InvariantCulture) })
                psi.ArgumentList.Add(a);
            using (var p = Process.Start(psi)!)
            {
                var err = p.StandardError.ReadToEnd();
                p.WaitForExit();
                if (p.ExitCode != 0) throw new InvalidOperationException("PyTorch reference failed: " + err);
            }
            var timing = JsonSerializer.Deserialize<JsonElement>(File.ReadAllText(output));
            var reference = n * batch.Count / timing.GetProperty("seconds").GetDouble();

            var encodeTexts = texts.Take(n * 32 / (size == "base" ? 4 : 1)).ToList();
            var swEncode = Stopwatch.StartNew();
            encoder.Encode(encodeTexts, new EncodeOptions { BatchSize = 32, MaxLength = 128 });
            var encodeRate = encodeTexts.Count / swEncode.Elapsed.TotalSeconds;

            var parameters = encoder.Model.parameters().Sum(p => p.numel());
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{size} | {parameters / 1e6:0.0}M | {batch.Count} x {batch.Length} ({batch.TokenCount} real tokens) | {ours:0.0} | {ours * batch.TokenCount / batch.Count:0} | {reference:0.0} | {ours / reference:0.00} | {timing.GetProperty("sgemm_gflops").GetDouble():0.0} | {rss[0]:0} -> {rss[^1]:0} (max {rss.Max():0}) | {live[0]} -> {live[^1]} | {encodeRate:0.0}"));
        }
        return 0;
    }

    private static List<string> Texts(string root)
    {
        // Queries, passages and query+passage concatenations: lengths from a few tokens to past 128.
        var examples = TrainingExampleReader.Read(Path.Combine(root, "toy_data", "toy_source.json")).ToList();
        var texts = new List<string>();
        for (var i = 0; texts.Count < 4000; i++)
        {
            var e = examples[i % examples.Count];
            texts.Add((i % 3) switch { 0 => e.Query, 1 => e.Pos[0], _ => e.Pos[0] + " " + e.Neg[0] + " " + e.Neg[1] });
        }
        return texts;
    }

    internal static double Sgemm() => Gemm(torch.ScalarType.Float32);

    /// <summary>GFLOP/s of 1024² matrix products in <paramref name="type"/> through this libtorch (threads as set).</summary>
    internal static double Gemm(torch.ScalarType type, int repeats = 10)
    {
        using var a = torch.randn(1024, 1024).to(type);
        using (var w = a.mm(a)) { }
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < repeats; i++) using (var c = a.mm(a)) { }
        return repeats * 2.0 * Math.Pow(1024, 3) / sw.Elapsed.TotalSeconds / 1e9;
    }


    private static long[][] Rows(long[] flat, int rows, int cols) =>
        Enumerable.Range(0, rows).Select(r => flat.AsSpan(r * cols, cols).ToArray()).ToArray();

    internal static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Research.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Research.sln not found");
    }


    internal sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("research-bench-").FullName;
        public void Dispose() => Directory.Delete(Path, true);
    }
}
