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
/// bert_reference.py --simcse) gets the kit's token ids, padded per batch in file order, after 2 warm-up steps. Each
/// side's matrix work per second is set against its own sgemm rate, measured in the same run (the utilisation line).
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

        var tokenized = pool.Chunk(batch).Select(c => encoder.Tokenize(c.ToList(), maxLength)).ToList();
        var batches = tokenized.Select(t => new { ids = TrainThroughputBenchmark.Rows(t.Ids, t.Count), mask = TrainThroughputBenchmark.Rows(t.Mask, t.Count) }).ToList();
        // Matrix work per sentence: each batch runs twice its rows (two dropout views) forward + backward, padded as
        // computed in file order (the kit's shuffled batches pad to lengths within a few tokens of these).
        var config = encoder.Model.Config;
        var flopsPerSentence = tokenized.Sum(t => 3 * TrainThroughputBenchmark.ForwardFlops(config, 2 * t.Count, t.Ids.Length / t.Count)) / pool.Count;
        var reference = TrainThroughputBenchmark.RunReference(model, new { batches }, "--simcse", threads);
        var refRate = reference.GetProperty("examples").GetDouble() / reference.GetProperty("seconds").GetDouble();
        var (sgemm, refSgemm) = (EncodeThroughputBenchmark.Sgemm(), reference.GetProperty("sgemm_gflops").GetDouble());
        Console.WriteLine(string.Create(Inv, $"threads {threads}; TorchSharp sgemm {sgemm:0.0} GFLOP/s; PyTorch {reference.GetProperty("torch").GetString()} sgemm {refSgemm:0.0} GFLOP/s"));
        Console.WriteLine(string.Create(Inv, $"matrix work per sentence (two views, forward + backward, padded as computed): {flopsPerSentence / 1e9:0.000} GFLOP"));
        Console.WriteLine("side | steps x batch | sentences/s | kit / PyTorch | GFLOP/s | share of the matrix rate");
        Console.WriteLine("---|---|---|---|---|---");
        Console.WriteLine(string.Create(Inv, $"kit UnsupervisedTrainer (SimCSE) | {result.Steps} x {batch} | {kitRate:0.0} | {kitRate / refRate:0.00} | {kitRate * flopsPerSentence / 1e9:0.0} | {100 * kitRate * flopsPerSentence / 1e9 / sgemm:0}% of sgemm"));
        Console.WriteLine(string.Create(Inv, $"PyTorch SimCSE loop | {reference.GetProperty("steps").GetInt32()} x {batch} | {refRate:0.0} | 1 | {refRate * flopsPerSentence / 1e9:0.0} | {100 * refRate * flopsPerSentence / 1e9 / refSgemm:0}% of its sgemm"));
        return 0;
    }
}
