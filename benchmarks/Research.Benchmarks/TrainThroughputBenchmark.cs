using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Research.Lib.Data;
using Research.Lib.Modeling;
using Research.Lib.Training;
using TorchSharp;

namespace Research.Benchmarks;

/// <summary>
/// Supervised training throughput on the CPU, the kit's trainer against a plain PyTorch loop, in one run: the same model
/// folder (all-MiniLM-L6-v2 by default), the same pool of query/passage pairs (batch 32, queries 32 / passages 128
/// tokens, in-batch InfoNCE at temperature 0.05, mean pooling, L2 normalization, AdamW lr 2e-5 / weight decay 0.01,
/// clipping at 1.0), the same threads. The kit runs <see cref="SupervisedTrainer"/> for one epoch over the pool (batches
/// shuffled by its sampler, tokenization included) after a 2-step warm-up; PyTorch (Debian's python3-torch, the model
/// built from torch.nn blocks in reference/bert_reference.py, dropout as the model's config) trains on the same pairs,
/// tokenized by the kit and padded per batch in file order, after 2 warm-up steps. Examples/s and the ratio.
/// Then GradCache's memory: peak resident memory of a training step at batch 256, plain vs GradCache mini-batch 16,
/// each in its own process.
/// usage: train-throughput [--model DIR] [--data pairs.jsonl] [--steps 12] [--threads 2] [--memory-batch 256] [--chunk 16]
/// </summary>
internal static class TrainThroughputBenchmark
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(string[] args)
    {
        if (BenchmarkArgs.Optional(args, "--child") is { } job) return Child(job, args);
        var model = BenchmarkArgs.Option(args, "--model", "artifacts/models/minilm");
        var data = BenchmarkArgs.Option(args, "--data", "artifacts/experiments/scifact-finetune/train.jsonl");
        var steps = int.Parse(BenchmarkArgs.Option(args, "--steps", "12"), Inv);
        var threads = int.Parse(BenchmarkArgs.Option(args, "--threads", "2"), Inv);
        const int batch = 32;
        var pool = TrainingExampleReader.Read(data).Take(batch * steps).ToList();
        if (pool.Count < batch * steps) throw new ArgumentException($"{data}: {pool.Count} records; {batch * steps} needed for {steps} steps of {batch}.");

        torch.set_num_threads(threads);
        using var encoder = SentenceEncoder.Load(model);
        // The kit in float32, then with bfloat16 autocast (AMX / AVX-512-BF16 matrix units where the CPU has them).
        var kit = new List<(string Name, double Rate, long Steps)>();
        foreach (var precision in new[] { EncodePrecision.Float32, EncodePrecision.BFloat16 })
        {
            SupervisedTrainingOptions Options(int? maxSteps) => Recipe(batch, maxSteps) with { Precision = precision };
            SupervisedTrainer.Train(encoder, pool, Options(2)); // warm-up
            var watch = Stopwatch.StartNew();
            var result = SupervisedTrainer.Train(encoder, pool, Options(null));
            kit.Add(($"kit SupervisedTrainer, {(precision == EncodePrecision.Float32 ? "float32" : "bf16 autocast")}", result.Steps * batch / watch.Elapsed.TotalSeconds, result.Steps));
        }

        var tokenized = pool.Chunk(batch).Select(c =>
            (Q: encoder.Tokenize(c.Select(e => encoder.Settings.QueryInstruction + e.Query).ToList(), 32),
             P: encoder.Tokenize(c.Select(e => encoder.Settings.PassageInstruction + e.Pos[0]).ToList(), 128))).ToList();
        var batches = tokenized.Select(b => new { q_ids = Rows(b.Q.Ids, b.Q.Count), q_mask = Rows(b.Q.Mask, b.Q.Count), p_ids = Rows(b.P.Ids, b.P.Count), p_mask = Rows(b.P.Mask, b.P.Count) }).ToList();
        // Matrix work of one pass over the pool: forward + backward (2 × forward) of every padded batch as computed.
        var config = encoder.Model.Config;
        var flopsPerExample = tokenized.Sum(b => 3 * (ForwardFlops(config, b.Q.Count, b.Q.Ids.Length / b.Q.Count) + ForwardFlops(config, b.P.Count, b.P.Ids.Length / b.P.Count))) / pool.Count;
        var reference = RunReference(model, new { batches }, "--train", threads);
        var refRate = reference.GetProperty("examples").GetDouble() / reference.GetProperty("seconds").GetDouble();
        var (sgemm, bf16Gemm) = (EncodeThroughputBenchmark.Sgemm(), EncodeThroughputBenchmark.Gemm(torch.ScalarType.BFloat16));
        var refSgemm = reference.GetProperty("sgemm_gflops").GetDouble();
        Console.WriteLine(string.Create(Inv, $"threads {threads}; TorchSharp sgemm {sgemm:0.0} GFLOP/s, bf16 GEMM {bf16Gemm:0.0} GFLOP/s; PyTorch {reference.GetProperty("torch").GetString()} sgemm {refSgemm:0.0} GFLOP/s"));
        Console.WriteLine(string.Create(Inv, $"matrix work per example (query + passage, forward + backward, padded as computed): {flopsPerExample / 1e9:0.00} GFLOP"));
        Console.WriteLine("side | steps x batch | examples/s | kit / PyTorch (float32) | GFLOP/s | share of the matrix rate");
        Console.WriteLine("---|---|---|---|---|---");
        foreach (var (name, rate, kitSteps) in kit)
        {
            var peak = name.EndsWith("float32", StringComparison.Ordinal) ? sgemm : bf16Gemm;
            Console.WriteLine(string.Create(Inv, $"{name} | {kitSteps} x {batch} | {rate:0.0} | {rate / refRate:0.00} | {rate * flopsPerExample / 1e9:0.0} | {100 * rate * flopsPerExample / 1e9 / peak:0}% of {(peak == sgemm ? "sgemm" : "bf16 GEMM")}"));
        }
        Console.WriteLine(string.Create(Inv, $"PyTorch loop, float32 | {reference.GetProperty("steps").GetInt32()} x {batch} | {refRate:0.0} | 1 | {refRate * flopsPerExample / 1e9:0.0} | {100 * refRate * flopsPerExample / 1e9 / refSgemm:0}% of its sgemm"));
        Console.WriteLine(string.Create(Inv, $"bf16 / float32 (kit): {kit[1].Rate / kit[0].Rate:0.00}x"));

        var memoryBatch = BenchmarkArgs.Option(args, "--memory-batch", "256");
        var chunk = BenchmarkArgs.Option(args, "--chunk", "16");
        Console.WriteLine();
        Console.WriteLine("training step (1 step, queries 32 / passages 128 tokens) | peak RSS MiB | seconds");
        Console.WriteLine("---|---|---");
        foreach (var c in new[] { "0", chunk })
            Console.WriteLine(Spawn(["train-throughput", "--child", $"memory:{memoryBatch}:{c}", "--model", model, "--data", data, "--threads", threads.ToString(Inv)]));
        return 0;
    }

    /// <summary>
    /// Floating-point operations of one forward pass of a BERT encoder over <paramref name="rows"/> sequences padded to
    /// <paramref name="length"/> tokens: per layer the four H×H attention projections and the two feed-forward
    /// products (2 × tokens × (4H² + 2HI)) and the two attention products (QKᵀ and AV, 2 × 2 × tokens × length × H).
    /// Embeddings, normalization, softmax and the loss are left out (under 2% here).
    /// </summary>
    internal static double ForwardFlops(TransformerConfig config, int rows, int length) =>
        LinearFlops(config, rows, length) + AttentionFlops(config, rows, length);

    /// <summary>The linear layers' share of <see cref="ForwardFlops"/>: 2 × tokens × (4H² + 2HI) a layer.</summary>
    internal static double LinearFlops(TransformerConfig config, int rows, int length)
    {
        double h = config.HiddenSize, i = config.IntermediateSize, tokens = (double)rows * length;
        return config.NumHiddenLayers * 2 * tokens * (4 * h * h + 2 * h * i);
    }

    /// <summary>The two attention products' share of <see cref="ForwardFlops"/>: 4 × tokens × length × H a layer.</summary>
    internal static double AttentionFlops(TransformerConfig config, int rows, int length) =>
        config.NumHiddenLayers * 4.0 * rows * length * length * config.HiddenSize;

    /// <summary>The benchmark's training settings: in-batch InfoNCE (τ 0.05), 32 / 128 tokens, no warm-up.</summary>
    private static SupervisedTrainingOptions Recipe(int batch, int? maxSteps) => new()
    {
        BatchSize = batch,
        GroupSize = 1,
        Epochs = 1,
        MaxSteps = maxSteps,
        LearningRate = 2e-5,
        WarmupRatio = 0,
        LogEvery = 1000,
        QueryMaxLength = 32,
        PassageMaxLength = 128,
        InfoNce = new() { Temperature = 0.05 },
    };

    private static int Child(string job, string[] args)
    {
        var parts = job.Split(':');
        var (batch, chunk) = (int.Parse(parts[1], Inv), int.Parse(parts[2], Inv));
        torch.set_num_threads(int.Parse(BenchmarkArgs.Option(args, "--threads", "2"), Inv));
        var pool = TrainingExampleReader.Read(BenchmarkArgs.Option(args, "--data", "")).Take(batch).ToList();
        using var encoder = SentenceEncoder.Load(BenchmarkArgs.Option(args, "--model", ""));
        var before = BenchmarkArgs.RssMiB();
        var watch = Stopwatch.StartNew();
        SupervisedTrainer.Train(encoder, pool, Recipe(batch, 1) with { GradCacheChunk = chunk });
        Console.WriteLine(string.Create(Inv, $"batch {batch}, {(chunk == 0 ? "plain" : $"GradCache mini-batch {chunk}")} | {BenchmarkArgs.PeakRssMiB():0} (model loaded: {before:0}) | {watch.Elapsed.TotalSeconds:0.0}"));
        return 0;
    }

    /// <summary>Runs this benchmark program again with <paramref name="arguments"/> (a child job in its own process) and returns its output.</summary>
    internal static string Spawn(string[] arguments)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
        var self = Environment.GetCommandLineArgs()[0];
        if (self.EndsWith(".dll", StringComparison.Ordinal)) psi.ArgumentList.Add(self);
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var text = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return p.ExitCode == 0 ? text : $"failed (exit {p.ExitCode}): {text}";
    }

    /// <summary>
    /// Runs reference/bert_reference.py with Debian's python3-torch on <paramref name="input"/> (written as JSON) in
    /// <paramref name="mode"/> (--train or --simcse, 2 warm-up steps) and returns its JSON output.
    /// </summary>
    internal static JsonElement RunReference(string model, object input, string mode, int threads)
    {
        using var work = new EncodeThroughputBenchmark.TempFolder();
        var inputPath = Path.Combine(work.Path, "batches.json");
        var output = Path.Combine(work.Path, "reference.json");
        File.WriteAllText(inputPath, JsonSerializer.Serialize(input));
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(EncodeThroughputBenchmark.FindRoot(), "benchmarks", "reference", "bert_reference.py"), model, inputPath, output, mode, "2", "--threads", threads.ToString(Inv) })
            psi.ArgumentList.Add(a);
        using (var p = Process.Start(psi)!)
        {
            var err = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"bert_reference.py {mode} failed: " + err.Result);
        }
        return JsonSerializer.Deserialize<JsonElement>(File.ReadAllText(output));
    }

    internal static long[][] Rows(long[] flat, int rows)
    {
        var width = flat.Length / rows;
        return Enumerable.Range(0, rows).Select(r => flat.AsSpan(r * width, width).ToArray()).ToArray();
    }
}
