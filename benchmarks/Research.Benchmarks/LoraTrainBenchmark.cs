using System.Diagnostics;
using System.Globalization;
using Research.Lib.Data;
using Research.Lib.Modeling;
using Research.Lib.Training;
using TorchSharp;

namespace Research.Benchmarks;

/// <summary>
/// LoRA against full fine-tuning on the CPU, in one run: the recommended recipe's training step (configs/recommended_pairs.json:
/// batch 32, 1 hard negative, 256 tokens, InfoNCE scale 20, AdamW) on all-MiniLM-L6-v2 and the first SciFact pairs, each
/// mode in its own process — full fine-tuning, LoRA r 8 on query/value (PEFT's default targets) and LoRA r 16 on every
/// linear layer without and with dropout on the adapters' input — after one warm-up step: seconds per step, peak resident memory, trainable parameters and the size of the saved
/// folder, with each mode's ratio to full fine-tuning. Same data, same seed, same threads. The utilisation column sets
/// each mode's matrix work per second against the sgemm rate measured in the same run: the work of the examples' own
/// tokens (query, positive, hard negative, without padding), forward + backward — 3 × forward for full fine-tuning, and
/// for LoRA 2 × the frozen linear layers' forward (no weight gradients) + 3 × the attention products (adapters left out).
/// usage: lora-train [--model artifacts/models/minilm] [--data artifacts/experiments/scifact-st-recipe/mined/mined.jsonl] [--steps 4] [--threads 2]
/// </summary>
internal static class LoraTrainBenchmark
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static readonly (string Name, LoraOptions? Lora)[] Modes =
    [
        ("full fine-tuning", null),
        ("LoRA r 8, query + value (PEFT's default)", new LoraOptions { R = 8, LoraAlpha = 16 }),
        ("LoRA r 16, all-linear", new LoraOptions { R = 16, LoraAlpha = 32, TargetModules = [LoraOptions.AllLinear] }),
        ("LoRA r 16, all-linear, lora_dropout 0.1", new LoraOptions { R = 16, LoraAlpha = 32, LoraDropout = 0.1, TargetModules = [LoraOptions.AllLinear] }),
    ];

    public static int Run(string[] args)
    {
        if (BenchmarkArgs.Optional(args, "--child") is { } job) return Child(int.Parse(job, Inv), args);
        var model = BenchmarkArgs.Option(args, "--model", "artifacts/models/minilm");
        var data = BenchmarkArgs.Option(args, "--data", "artifacts/experiments/scifact-st-recipe/mined/mined.jsonl");
        var steps = BenchmarkArgs.Option(args, "--steps", "4");
        var threads = BenchmarkArgs.Option(args, "--threads", "2");
        var sgemm = EncodeThroughputBenchmark.Sgemm();
        Console.WriteLine(string.Create(Inv, $"threads {threads}; {steps} steps of the recommended recipe after 1 warm-up step; TorchSharp sgemm {sgemm:0.0} GFLOP/s"));
        Console.WriteLine("mode | trainable parameters | s/step | peak RSS MiB | saved folder MB | step time / full | peak RSS / full | share of sgemm");
        Console.WriteLine("---|---|---|---|---|---|---|---");
        double? fullStep = null, fullRss = null;
        for (var i = 0; i < Modes.Length; i++)
        {
            var line = TrainThroughputBenchmark.Spawn(["lora-train", "--child", i.ToString(Inv), "--model", model, "--data", data, "--steps", steps, "--threads", threads]);
            var parts = line.Split('|');
            if (parts.Length != 6) { Console.WriteLine($"{Modes[i].Name} | failed: {line}"); continue; }
            var (step, rss, stepFlops) = (double.Parse(parts[2], Inv), double.Parse(parts[3], Inv), double.Parse(parts[5], Inv));
            fullStep ??= step;
            fullRss ??= rss;
            Console.WriteLine(string.Create(Inv, $"{string.Join('|', parts[..5])} | {step / fullStep:0.00} | {rss / fullRss:0.00} | {100 * stepFlops / step / 1e9 / sgemm:0}%"));
        }
        return 0;
    }

    private static int Child(int mode, string[] args)
    {
        torch.set_num_threads(int.Parse(BenchmarkArgs.Option(args, "--threads", "2"), Inv));
        var steps = int.Parse(BenchmarkArgs.Option(args, "--steps", "4"), Inv);
        var (name, lora) = Modes[mode];
        var options = TrainingConfig.Read<SupervisedTrainingOptions>(Path.Combine(EncodeThroughputBenchmark.FindRoot(), "configs", "recommended_pairs.json")) with { Lora = lora, LogEvery = 1000 };
        var pool = TrainingExampleReader.Read(BenchmarkArgs.Option(args, "--data", "")).Take(options.BatchSize * (steps + 1)).ToList();
        using var encoder = SentenceEncoder.Load(BenchmarkArgs.Option(args, "--model", ""));
        SupervisedTrainer.Train(encoder, pool, options with { MaxSteps = 1 }); // warm-up (and, for LoRA, the adapter is attached here)
        var watch = Stopwatch.StartNew();
        var result = SupervisedTrainer.Train(encoder, pool, options with { MaxSteps = steps });
        var perStep = watch.Elapsed.TotalSeconds / result.Steps;
        var trainable = encoder.Model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
        using var folder = new EncodeThroughputBenchmark.TempFolder();
        encoder.Save(folder.Path);
        var bytes = Directory.EnumerateFiles(folder.Path, "*.safetensors", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        var flopsPerStep = StepFlops(encoder, pool, options) / pool.Count * options.BatchSize; // the mean batch of the pool the steps drew from
        Console.WriteLine(string.Create(Inv, $"{name} | {trainable:N0} | {perStep:0.00} | {BenchmarkArgs.PeakRssMiB():0} | {bytes / 1e6:0.0} | {flopsPerStep:0}"));
        return 0;
    }

    /// <summary>
    /// Matrix work of training on <paramref name="examples"/>: each text's own tokens (query, positive, the group's hard
    /// negatives, no padding) forward + backward; frozen linear layers (LoRA) need no weight gradients.
    /// </summary>
    private static double StepFlops(SentenceEncoder encoder, IReadOnlyList<TrainingExample> examples, SupervisedTrainingOptions options)
    {
        var config = encoder.Model.Config;
        var linearPasses = options.Lora is null ? 3 : 2;
        double Text(string text, int maxLength)
        {
            var length = (int)encoder.Tokenize([text], maxLength).Mask.Sum();
            return linearPasses * TrainThroughputBenchmark.LinearFlops(config, 1, length) + 3 * TrainThroughputBenchmark.AttentionFlops(config, 1, length);
        }
        return examples.Sum(e => Text(encoder.Settings.QueryInstruction + e.Query, options.QueryMaxLength)
            + Text(encoder.Settings.PassageInstruction + e.Pos[0], options.PassageMaxLength)
            + e.Neg.Take(options.GroupSize - 1).Sum(n => Text(encoder.Settings.PassageInstruction + n, options.PassageMaxLength)));
    }
}
