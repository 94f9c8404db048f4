using System.Diagnostics;
using System.Globalization;
using Research.Lib.Data;
using Research.Lib.Modeling;
using Research.Lib.Training;
using TorchSharp;

namespace Research.Benchmarks;

/// <summary>
/// Unsupervised SimCSE training throughput on the CPU, the kit's <see cref="UnsupervisedTrainer"/> against a plain
/// PyTorch SimCSE loop, in one run: the same model folder (all-MiniLM-L6-v2 by default), the same sentences (the first
/// steps × 64 of the file), batch 64, 32 tokens, each sentence twice in one forward pass with dropout on (the paper's
/// way), the model's pooling (mean for MiniLM, no training-only MLP), cosine / temperature 0.05 cross-entropy, AdamW
/// lr 3e-5, clipping at 1.0, the same threads. The kit trains one epoch over those sentences (its seeded order,
/// tokenization inside the timed loop) after a 2-step warm-up; PyTorch (Debian's python3-torch, reference/
/// bert_reference.py --simcse) gets the kit's token ids, padded per batch in file order, after 2 warm-up steps.
/// usage: simcse-throughput [--model DIR] [--data sentences.txt] [--steps 12] [--threads 2]
/// </summary>
internal static class SimCseThroughputBenchmark
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(string[] args)
    {
        var model = BenchmarkArgs.Option(args, "--model", "artifacts/models/minilm");
        var data = BenchmarkArgs.Option(args, "--data", "artifacts/experiments/scifact-unsup/sentences.txt");
        var steps = int.Parse(BenchmarkArgs.Option(args, "--steps", "12"), Inv);
        var threads = int.Parse(BenchmarkArgs.Option(args, "--threads", "2"), Inv);
        const int batch = 64, maxLength = 32;
        var pool = SentenceReader.Read(data).Take(batch * steps).ToList();
        if (pool.Count < batch * steps) throw new ArgumentException($"{data}: {pool.Count} sentences; {batch * steps} needed for {steps} steps of {batch}.");

        torch.set_num_threads(threads);
        using var encoder = SentenceEncoder.Load(model);
        UnsupervisedTrainingOptions Options(int? maxSteps) => new()
        {
            Method = UnsupervisedMethod.SimCse,
            BatchSize = batch,
            MaxLength = maxLength,
            Epochs = 1,
            MaxSteps = maxSteps,
            LearningRate = 3e-5,
            Temperature = 0.05,
            TrainingMlp = false,
            EvaluateEvery = 0,
            LogEvery = 1000,
        };
        UnsupervisedTrainer.Train(encoder, pool, Options(2)); // warm-up
        var watch = Stopwatch.StartNew();
        var result = UnsupervisedTrainer.Train(encoder, pool, Options(null));
        var kitRate = result.Steps * batch / watch.Elapsed.TotalSeconds;

        var batches = pool.Chunk(batch).Select(c =>
        {
            var t = encoder.Tokenize(c.ToList(), maxLength);
            return new { ids = TrainThroughputBenchmark.Rows(t.Ids, t.Count), mask = TrainThroughputBenchmark.Rows(t.Mask, t.Count) };
        }).ToList();
        var reference = TrainThroughputBenchmark.RunReference(model, new { batches }, "--simcse", threads);
        var refRate = reference.GetProperty("examples").GetDouble() / reference.GetProperty("seconds").GetDouble();
        Console.WriteLine($"threads {threads}; TorchSharp sgemm {EncodeThroughputBenchmark.Sgemm():0.0} GFLOP/s; PyTorch {reference.GetProperty("torch").GetString()} sgemm {reference.GetProperty("sgemm_gflops").GetDouble():0.0} GFLOP/s");
        Console.WriteLine("side | steps x batch | sentences/s | kit / PyTorch");
        Console.WriteLine("---|---|---|---");
        Console.WriteLine(string.Create(Inv, $"kit UnsupervisedTrainer (SimCSE) | {result.Steps} x {batch} | {kitRate:0.0} | {kitRate / refRate:0.00}"));
        Console.WriteLine(string.Create(Inv, $"PyTorch SimCSE loop | {reference.GetProperty("steps").GetInt32()} x {batch} | {refRate:0.0} | 1"));
        return 0;
    }
}
