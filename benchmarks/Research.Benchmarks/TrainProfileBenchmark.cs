using System.Diagnostics;
using System.Globalization;
using Research.Lib.Data;
using Research.Lib.Losses;
using Research.Lib.Modeling;
using Research.Lib.Modeling.Bert;
using Research.Lib.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Research.Benchmarks;

/// <summary>
/// Where a CPU training step goes (issue 29, item 2): the train-throughput recipe (batch 32, in-batch InfoNCE, queries 32 /
/// passages 128 tokens, AdamW, clipping) as the trainer runs it, step by step with each phase timed — tokenization and
/// padding, forward, loss, backward, clipping and AdamW, and freeing the step's tensors — then the same step's work
/// redone piece by piece on tensors of the step's own shapes: every GEMM of forward and backward (at the rate those shapes
/// get), softmax, dropout, GELU and LayerNorm forward + backward. What the pieces leave of the backward and forward time
/// is the rest (residual adds, reshapes and copies, embeddings, pooling, autograd's own work).
/// usage: train-profile [--model DIR] [--data pairs.jsonl] [--steps 8] [--threads 2] [--libtorch-dropout]
/// </summary>
internal static class TrainProfileBenchmark
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(string[] args)
    {
        var model = BenchmarkArgs.Option(args, "--model", "artifacts/models/minilm");
        var data = BenchmarkArgs.Option(args, "--data", "artifacts/real/scifact/train.jsonl");
        var steps = int.Parse(BenchmarkArgs.Option(args, "--steps", "8"), Inv);
        var threads = int.Parse(BenchmarkArgs.Option(args, "--threads", "2"), Inv);
        FastDropout.Enabled = !args.Contains("--libtorch-dropout"); // the kit's masks unless asked for libtorch's one-thread ones
        const int batch = 32;
        torch.set_num_threads(threads);
        var pool = TrainingExampleReader.Read(data).Take(batch * (steps + 2)).ToList();
        if (pool.Count < batch * (steps + 2)) throw new ArgumentException($"{data}: {pool.Count} records; {batch * (steps + 2)} needed.");
        using var encoder = SentenceEncoder.Load(model);
        var config = encoder.Model.Config;
        var options = new SupervisedTrainingOptions { BatchSize = batch, GroupSize = 1, LearningRate = 2e-5, QueryMaxLength = 32, PassageMaxLength = 128, InfoNce = new() { Temperature = 0.05 } };
        var loss = options.CreateLoss();
        var parameters = encoder.Model.parameters().Where(p => p.requires_grad).ToList();
        using var optimizer = new FlatAdamW(parameters, options.LearningRate, options.WeightDecay, FlatAdamW.WithoutDecay(parameters));
        encoder.Model.train();

        var phases = new[] { "tokenize + pad", "forward", "loss", "backward", "clip + AdamW", "free the step's tensors" };
        var totals = new double[phases.Length];
        var shapes = new List<(int Rows, int Length)>();
        double flops = 0;
        var wall = Stopwatch.StartNew();
        for (var s = 0; s < steps + 2; s++)
        {
            if (s == 2) { Array.Clear(totals); shapes.Clear(); flops = 0; wall.Restart(); } // 2 warm-up steps
            var records = pool.Skip(s * batch).Take(batch).ToList();
            var t = new double[phases.Length];
            var watch = Stopwatch.StartNew();
            var scope = NewDisposeScope();
            var q = encoder.Tokenize(records.Select(e => encoder.Settings.QueryInstruction + e.Query).ToList(), 32);
            var p = encoder.Tokenize(records.Select(e => encoder.Settings.PassageInstruction + e.Pos[0]).ToList(), 128);
            t[0] = Lap(watch);
            var qv = encoder.Forward(q);
            var pv = encoder.Forward(p);
            t[1] = Lap(watch);
            var value = loss.Compute(new ContrastiveBatch(qv, pv, 1, Enumerable.Range(0, batch).Select(i => (long)i).ToList()));
            value.item<float>();
            t[2] = Lap(watch);
            value.backward();
            t[3] = Lap(watch);
            optimizer.ClipGradNorm(1.0);
            optimizer.Step();
            optimizer.ZeroGrad();
            t[4] = Lap(watch);
            scope.Dispose();
            t[5] = Lap(watch);
            for (var i = 0; i < t.Length; i++) totals[i] += t[i];
            foreach (var b in new[] { q, p })
            {
                shapes.Add((b.Count, b.Ids.Length / b.Count));
                flops += 3 * TrainThroughputBenchmark.ForwardFlops(config, b.Count, b.Ids.Length / b.Count);
            }
        }
        var stepMs = wall.Elapsed.TotalMilliseconds / steps;
        var sgemm = EncodeThroughputBenchmark.Sgemm();

        // The same work piece by piece, on tensors of the shapes the steps had.
        var pieces = new Dictionary<string, double>
        {
            ["GEMMs (linear layers and attention products, forward + backward)"] = 0,
            ["softmax over attention scores"] = 0,
            ["dropout (attention probabilities, 2 per layer + embeddings on hidden states)"] = 0,
            ["GELU"] = 0,
            ["LayerNorm (2 per layer + embeddings)"] = 0,
        };
        var keys = pieces.Keys.ToList();
        foreach (var (rows, length) in shapes)
        {
            var (h, inter, heads, layers) = (config.HiddenSize, config.IntermediateSize, config.NumAttentionHeads, config.NumHiddenLayers);
            long tokens = (long)rows * length, headDim = h / heads;
            double gemm = 0;
            foreach (var (inDim, outDim, count) in new[] { (h, h, 4), (h, inter, 1), (inter, h, 1) })
            {
                gemm += count * Time(() => { var x = randn(tokens, inDim); var w = randn(outDim, inDim); return () => x.matmul(w.t()); });        // forward
                gemm += count * Time(() => { var g = randn(tokens, outDim); var w = randn(outDim, inDim); return () => g.matmul(w); });          // input gradient
                gemm += count * Time(() => { var g = randn(tokens, outDim); var x = randn(tokens, inDim); return () => g.t().matmul(x); });      // weight gradient
            }
            // Q Kᵀ and A V, forward (2) and backward (4 of the same size).
            gemm += 6 * Time(() => { var a = randn(rows * heads, length, headDim); var b = randn(rows * heads, headDim, length); return () => a.bmm(b); });
            pieces[keys[0]] += layers * gemm;
            pieces[keys[1]] += layers * Backward(() => randn(rows, heads, length, length), x => x.softmax(-1));
            pieces[keys[2]] += layers * Backward(() => randn(rows, heads, length, length), x => Dropout(x))
                + (2 * layers + 1) * Backward(() => randn(rows, length, h), x => Dropout(x));
            pieces[keys[3]] += layers * Backward(() => randn(rows, length, inter), x => nn.functional.gelu(x));
            pieces[keys[4]] += (2 * layers + 1) * Backward(() => randn(rows, length, h), x => nn.functional.layer_norm(x, [h]));
        }

        Console.WriteLine(string.Create(Inv, $"threads {threads}; sgemm {sgemm:0.0} GFLOP/s (1024³); {steps} steps of {batch} after 2 warm-up steps; {stepMs:0} ms a step = {batch * 1000 / stepMs:0.0} examples/s; matrix work {flops / steps / 1e9:0.0} GFLOP a step = {flops / steps / stepMs / 1e6:0.0} GFLOP/s ({100 * flops / steps / stepMs / 1e6 / sgemm:0}% of sgemm)"));
        Console.WriteLine();
        Console.WriteLine("phase of the step | ms | share");
        Console.WriteLine("---|---|---");
        for (var i = 0; i < phases.Length; i++) Console.WriteLine(string.Create(Inv, $"{phases[i]} | {totals[i] / steps:0} | {100 * totals[i] / steps / stepMs:0.0}%"));
        var measured = totals.Sum() / steps;
        Console.WriteLine(string.Create(Inv, $"between phases | {stepMs - measured:0} | {100 * (stepMs - measured) / stepMs:0.0}%"));
        Console.WriteLine();
        Console.WriteLine("forward + backward, piece by piece (the steps' shapes) | ms a step | share of the step");
        Console.WriteLine("---|---|---");
        foreach (var (name, ms) in pieces) Console.WriteLine(string.Create(Inv, $"{name} | {ms / steps:0} | {100 * ms / steps / stepMs:0.0}%"));
        var gemmRate = flops / steps / (pieces[keys[0]] / steps) / 1e6;
        var rest = (totals[1] + totals[3]) / steps - pieces.Values.Sum() / steps;
        Console.WriteLine(string.Create(Inv, $"the rest of forward + backward (adds, reshapes, copies, embeddings, pooling, autograd) | {rest:0} | {100 * rest / stepMs:0.0}%"));
        Console.WriteLine(string.Create(Inv, $"the GEMMs alone, at the steps' shapes: {gemmRate:0.0} GFLOP/s = {100 * gemmRate / sgemm:0}% of sgemm at 1024³; the whole step: {100 * flops / steps / stepMs / 1e6 / sgemm:0}%"));
        return 0;
    }

    /// <summary>Dropout 0.1 as the model runs it in training.</summary>
    private static Tensor Dropout(Tensor x) => FastDropout.Forward(x, 0.1, training: true);

    private static double Lap(Stopwatch watch)
    {
        var ms = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        return ms;
    }

    /// <summary>The fastest of 3 runs of the operation <paramref name="make"/> prepares (its inputs made outside the timing), in ms.</summary>
    private static double Time(Func<Func<Tensor>> make)
    {
        using var scope = NewDisposeScope();
        var op = make();
        var best = double.MaxValue;
        for (var i = 0; i < 4; i++)
        {
            var watch = Stopwatch.StartNew();
            using (op()) { }
            if (i > 0) best = Math.Min(best, watch.Elapsed.TotalMilliseconds);
        }
        return best;
    }

    /// <summary>The fastest of 3 forward + backward passes of <paramref name="op"/> on a fresh input, in ms.</summary>
    private static double Backward(Func<Tensor> input, Func<Tensor, Tensor> op)
    {
        var best = double.MaxValue;
        for (var i = 0; i < 4; i++)
        {
            using var scope = NewDisposeScope();
            var x = input().requires_grad_(true);
            var g = ones_like(x);
            var watch = Stopwatch.StartNew();
            op(x).backward([g]);
            if (i > 0) best = Math.Min(best, watch.Elapsed.TotalMilliseconds);
        }
        return best;
    }
}
