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
        SupervisedTrainingOptions Options(int? maxSteps) => Recipe(batch, maxSteps);
        SupervisedTrainer.Train(encoder, pool, Options(2)); // warm-up
        var watch = Stopwatch.StartNew();
        var result = SupervisedTrainer.Train(encoder, pool, Options(null));
        var kitRate = result.Steps * batch / watch.Elapsed.TotalSeconds;

        var batches = pool.Chunk(batch).Select(c =>
        {
            var q = encoder.Tokenize(c.Select(e => encoder.Settings.QueryInstruction + e.Query).ToList(), 32);
            var p = encoder.Tokenize(c.Select(e => encoder.Settings.PassageInstruction + e.Pos[0]).ToList(), 128);
            return new { q_ids = Rows(q.Ids, q.Count), q_mask = Rows(q.Mask, q.Count), p_ids = Rows(p.Ids, p.Count), p_mask = Rows(p.Mask, p.Count) };
        }).ToList();
        var reference = RunReference(model, new { batches }, "--train", threads);
        var refRate = reference.GetProperty("examples").GetDouble() / reference.GetProperty("seconds").GetDouble();
        Console.WriteLine($"threads {threads}; TorchSharp sgemm {EncodeThroughputBenchmark.Sgemm():0.0} GFLOP/s; PyTorch {reference.GetProperty("torch").GetString()} sgemm {reference.GetProperty("sgemm_gflops").GetDouble():0.0} GFLOP/s");
        Console.WriteLine("side | steps x batch | examples/s | kit / PyTorch");
        Console.WriteLine("---|---|---|---");
        Console.WriteLine(string.Create(Inv, $"kit SupervisedTrainer | {result.Steps} x {batch} | {kitRate:0.0} | {kitRate / refRate:0.00}"));
        Console.WriteLine(string.Create(Inv, $"PyTorch loop | {reference.GetProperty("steps").GetInt32()} x {batch} | {refRate:0.0} | 1"));

        var memoryBatch = BenchmarkArgs.Option(args, "--memory-batch", "256");
        var chunk = BenchmarkArgs.Option(args, "--chunk", "16");
        Console.WriteLine();
        Console.WriteLine("training step (1 step, queries 32 / passages 128 tokens) | peak RSS MiB | seconds");
        Console.WriteLine("---|---|---");
        foreach (var c in new[] { "0", chunk })
            Console.WriteLine(Spawn(["train-throughput", "--child", $"memory:{memoryBatch}:{c}", "--model", model, "--data", data, "--threads", threads.ToString(Inv)]));
        return 0;
    }

    /// <summary>One training step at a batch, plain (chunk 0) or with GradCache, in this process: peak RSS.</summary>
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
