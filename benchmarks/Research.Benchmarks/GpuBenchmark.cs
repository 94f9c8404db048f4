using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Research.Lib.Data;
using Research.Lib.Devices;
using Research.Lib.Modeling;
using Research.Lib.Text;
using Research.Lib.Training;

namespace Research.Benchmarks;

/// <summary>
/// The kit against sentence-transformers / PyTorch on the same GPU, model folder, texts and settings, in the same call:
/// encode (sentences/s over a second full pass, after a first one that meets every padded length; fp32, bf16, fp16 × batch
/// sizes, max 128 tokens) and a supervised training step (in-batch InfoNCE,
/// AdamW, clipping; steps/s; fp32, bf16 autocast, fp16 autocast with loss scaling). Every measurement runs in its own
/// child process (the kit: this program's gpu-run; the reference: benchmarks/reference/gpu_reference.py) while this
/// parent, which never touches CUDA, samples the driver's used-memory reading (NVML), so both sides' peak GPU memory is
/// the same measure. Each job runs kit, reference, kit, reference … (--repeats for encode, --train-repeats for training,
/// default 3: one pair of training runs moved by 30% between two calls on one machine) and reports the medians, their
/// ratio and the range of the per-pair ratios. Prints a Markdown table and writes every row as JSON.
/// </summary>
internal static class GpuBenchmark
{
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static int Run(string[] args)
    {
        var model = BenchmarkArgs.Option(args, "--model", "artifacts/gpu/bert-base");
        var texts = BenchmarkArgs.Option(args, "--texts", "artifacts/gpu/texts.txt");
        var pairs = BenchmarkArgs.Option(args, "--pairs", "artifacts/gpu/pairs.jsonl");
        var device = BenchmarkArgs.Option(args, "--device", "cuda");
        var precisions = BenchmarkArgs.Option(args, "--precisions", "fp32,bf16,fp16").Split(',');
        var batches = BenchmarkArgs.Option(args, "--batches", "128,512").Split(',');
        var trainBatch = BenchmarkArgs.Option(args, "--train-batch", "64");
        var trainSteps = BenchmarkArgs.Option(args, "--train-steps", "30");
        var trainWarmup = BenchmarkArgs.Option(args, "--train-warmup", "15");
        var repeats = Repeats(BenchmarkArgs.Option(args, "--repeats", "1"), "--repeats");
        var trainRepeats = Repeats(BenchmarkArgs.Option(args, "--train-repeats", "3"), "--train-repeats");
        var python = BenchmarkArgs.Option(args, "--python", "python3");
        var reference = BenchmarkArgs.Option(args, "--reference", "benchmarks/reference/gpu_reference.py");
        var output = BenchmarkArgs.Option(args, "--out", "benchmarks/out/gpu.jsonl");
        if (BenchmarkArgs.Optional(args, "--init-base") is { } tokenizerDir && !File.Exists(Path.Combine(model, "config.json")))
        {
            using var created = ModelInitializer.Create(TokenizerLoader.Load(tokenizerDir),
                new ModelInitOptions { Layers = 12, Hidden = 768, Heads = 12, MaxPositions = 512, Seed = 1, Pooling = PoolingMode.Mean, WithPooler = false });
            created.Save(model);
            Console.WriteLine($"created a BERT-base-sized random model (mean pooling, normalized) in {model}");
        }
        Console.WriteLine($"NVML: {(Nvml.Available ? "on" : "unavailable (no memory figures)")}; model {model}; texts {texts}; device {device}");
        Console.WriteLine("task | precision | batch | kit /s | reference /s | kit / reference | kit peak MiB | reference peak MiB");
        Console.WriteLine("---|---|---|---|---|---|---|---");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        using var log = new StreamWriter(output, append: false);
        var jobs = precisions.SelectMany(p => batches.Select(b => ("encode", p, b)))
            .Concat(precisions.Select(p => ("train", p, trainBatch)));
        var self = Environment.ProcessPath!;
        var selfArgs = Path.GetFileName(self).StartsWith("dotnet", StringComparison.Ordinal) ? new[] { typeof(GpuBenchmark).Assembly.Location } : [];
        foreach (var (task, precision, batch) in jobs)
        {
            var common = new[] { "--task", task, "--precision", precision, "--batch", batch, "--model", model, "--texts", texts, "--pairs", pairs, "--device", device, "--steps", trainSteps, "--warmup", trainWarmup };
            // Alternating runs, so that a drift of the machine during the job reaches both sides alike.
            var kits = new List<ChildResult>();
            var refs = new List<ChildResult>();
            for (var r = 0; r < (task == "train" ? trainRepeats : repeats); r++)
            {
                kits.Add(Child(self, [.. selfArgs, "gpu-run", .. common]));
                if (reference != "none") refs.Add(Child(python, [reference, .. common]));
            }
            var kitRate = Median(kits.Select(k => k.Rate));
            var refRate = refs.Count > 0 ? Median(refs.Select(k => k.Rate)) : double.NaN;
            var ratio = kitRate / refRate;
            var pairRatios = kits.Zip(refs, (k, p) => k.Rate / p.Rate).Where(double.IsFinite).ToList();
            var spread = pairRatios.Count > 1 ? string.Create(CultureInfo.InvariantCulture, $" ({pairRatios.Min():0.00}–{pairRatios.Max():0.00}, n={pairRatios.Count})") : "";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{task} | {precision} | {batch} | {Show(kitRate)} | {Show(refRate)} | {(double.IsFinite(ratio) ? ratio.ToString("0.00", CultureInfo.InvariantCulture) + spread : "-")} | {Show(Max(kits))} | {Show(Max(refs))}"));
            log.WriteLine(JsonSerializer.Serialize(new
            {
                task,
                precision,
                batch,
                kit_rate = kitRate,
                reference_rate = refRate,
                ratio,
                pair_ratios = pairRatios,
                kit_rates = kits.Select(k => k.Rate),
                reference_rates = refs.Select(k => k.Rate),
                kit_peak_mib = Max(kits),
                reference_peak_mib = Max(refs),
                kit_error = kits.Select(k => k.Error).FirstOrDefault(e => e is not null),
                reference_error = refs.Select(k => k.Error).FirstOrDefault(e => e is not null),
            }, Json));
            log.Flush();
        }
        return 0;
    }

    private static string Show(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("0.0", CultureInfo.InvariantCulture) : "-";

    /// <summary>The median of the finite values (a failed run is NaN and left out); NaN when none is finite.</summary>
    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(double.IsFinite).Order().ToList();
        if (sorted.Count == 0) return double.NaN;
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static double Max(List<ChildResult> runs) => runs.Select(r => r.PeakMiB).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Max();

    private static int Repeats(string text, string name) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 ? n : throw new ArgumentException($"{name} {text}: expected a whole number of runs, at least 1.");

    private sealed record ChildResult(double Rate, double PeakMiB, string? Error);

    /// <summary>Runs one measurement; its last stdout line is {"rate": ...}. Failures are reported and the grid goes on.</summary>
    private static ChildResult Child(string file, string[] arguments)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        var ((code, stdout, stderr), peak) = Nvml.Peak(() =>
        {
            using var p = Process.Start(psi)!;
            var errTask = p.StandardError.ReadToEndAsync();
            var outText = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, outText, errTask.Result);
        });
        foreach (var line in stderr.Split('\n').Where(l => l.StartsWith("phases", StringComparison.Ordinal)))
            Console.Error.WriteLine(line);
        var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith('{'));
        if (code != 0 || last is null)
        {
            var why = (stderr.Trim() is { Length: > 0 } e ? e : stdout.Trim()).Split('\n').TakeLast(3);
            Console.Error.WriteLine($"{Path.GetFileName(file)} {string.Join(' ', arguments.Skip(1).Take(6))}: exit {code}: {string.Join(" / ", why)}");
            return new ChildResult(double.NaN, double.NaN, string.Join(" / ", why));
        }
        var rate = JsonSerializer.Deserialize<JsonElement>(last).GetProperty("rate").GetDouble();
        return new ChildResult(rate, peak, null);
    }

    /// <summary>The kit's side of one measurement (a child process): prints {"rate": sentences/s or steps/s}.</summary>
    public static int RunOne(string[] args)
    {
        var task = BenchmarkArgs.Option(args, "--task", "encode");
        var precision = Precision(BenchmarkArgs.Option(args, "--precision", "fp32"));
        var batch = int.Parse(BenchmarkArgs.Option(args, "--batch", "128"), CultureInfo.InvariantCulture);
        var device = DeviceSpec.Parse(BenchmarkArgs.Option(args, "--device", "cuda"));
        // Encoding loads the weights in the precision measured, as the reference's torch_dtype does; training needs float32 ones.
        using var encoder = SentenceEncoder.Load(BenchmarkArgs.Option(args, "--model", "artifacts/gpu/bert-base"), device,
            weights: task == "encode" ? precision : EncodePrecision.Float32);
        double rate;
        if (task == "encode")
        {
            var texts = File.ReadAllLines(BenchmarkArgs.Option(args, "--texts", "artifacts/gpu/texts.txt"));
            var options = new EncodeOptions { BatchSize = batch, MaxLength = 128, Precision = precision };
            encoder.Encode(texts, options); // warm-up: a whole pass, so every padded length has been seen once (kernels, allocator)
            var watch = Stopwatch.StartNew();
            encoder.Encode(texts, options);
            rate = texts.Length / watch.Elapsed.TotalSeconds;
        }
        else
        {
            var examples = TrainingExampleReader.Read(BenchmarkArgs.Option(args, "--pairs", "artifacts/gpu/pairs.jsonl")).ToList();
            var steps = int.Parse(BenchmarkArgs.Option(args, "--steps", "30"), CultureInfo.InvariantCulture);
            var warmup = int.Parse(BenchmarkArgs.Option(args, "--warmup", "3"), CultureInfo.InvariantCulture);
            if (warmup < 1 || steps < 1) throw new ArgumentException($"--warmup {warmup} --steps {steps}: both must be at least 1.");
            // One run of warmup + steps, timed from the log line of step `warmup` (reading it waits for the device) to the
            // end (the last step's log line waits too): the steady state, as the reference times its loop after its warm-up
            // steps — the optimizer's state and the allocator's blocks exist by then on both sides.
            var options = new SupervisedTrainingOptions
            {
                BatchSize = batch,
                GroupSize = 1,
                MaxSteps = warmup + steps,
                Epochs = 1000,
                LearningRate = 1e-5,
                WarmupRatio = 0,
                LogEvery = warmup,
                QueryMaxLength = 64,
                PassageMaxLength = 256,
                InfoNce = new() { Temperature = 0.05 },
                Precision = precision,
            };
            Stopwatch? watch = null;
            SupervisedTrainer.Train(encoder, examples, options, onLog: e => { if (e.Step == warmup) watch = Stopwatch.StartNew(); });
            rate = steps / watch!.Elapsed.TotalSeconds;
            Phases(encoder, examples, batch, steps, precision);
        }
        Console.WriteLine(JsonSerializer.Serialize(new { rate }));
        return 0;
    }

    /// <summary>
    /// Where a training step's time goes (stderr, for the notes): the trainer's work as a bare loop — tokenize, forward and
    /// loss, backward, clipping, AdamW — with the device synchronized after each phase, ms per step.
    /// </summary>
    private static void Phases(SentenceEncoder encoder, List<TrainingExample> examples, int batch, int steps, EncodePrecision precision)
    {
        var cuda = encoder.Device.type == TorchSharp.DeviceType.CUDA;
        void Sync() { if (cuda) TorchSharp.torch.cuda.synchronize(); }
        using var optimizer = new FlatAdamW(encoder.Model.parameters(), 1e-5, 0.01);
        encoder.Model.ComputeType = precision switch { EncodePrecision.BFloat16 => TorchSharp.torch.ScalarType.BFloat16, EncodePrecision.Float16 => TorchSharp.torch.ScalarType.Float16, _ => null };
        encoder.Model.train();
        var totals = new double[5];
        for (var i = 0; i < steps + 3; i++)
        {
            using var scope = TorchSharp.torch.NewDisposeScope();
            var chunk = Enumerable.Range(0, batch).Select(j => examples[(i * batch + j) % examples.Count]).ToList();
            var t = new double[5];
            var w = Stopwatch.StartNew();
            var q = encoder.Tokenize(chunk.Select(e => e.Query).ToList(), 64);
            var p = encoder.Tokenize(chunk.Select(e => e.Pos[0]).ToList(), 256);
            t[0] = w.Elapsed.TotalMilliseconds;
            var loss = Research.Lib.Losses.InfoNceLoss.Compute(encoder.Forward(q), encoder.Forward(p), 1, new() { Temperature = 0.05 });
            loss.item<float>();
            t[1] = w.Elapsed.TotalMilliseconds;
            loss.backward();
            Sync();
            t[2] = w.Elapsed.TotalMilliseconds;
            optimizer.ClipGradNorm(1.0);
            Sync();
            t[3] = w.Elapsed.TotalMilliseconds;
            optimizer.Step();
            optimizer.ZeroGrad();
            Sync();
            t[4] = w.Elapsed.TotalMilliseconds;
            if (i >= 3)
                for (var k = 0; k < 5; k++) totals[k] += t[k] - (k == 0 ? 0 : t[k - 1]);
        }
        encoder.Model.ComputeType = null;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"phases ms/step ({precision}, batch {batch}): tokenize {totals[0] / steps:0.0}, forward+loss {totals[1] / steps:0.0}, backward {totals[2] / steps:0.0}, clip {totals[3] / steps:0.0}, AdamW {totals[4] / steps:0.0}; total {totals.Sum() / steps:0.0}"));
    }

    private static EncodePrecision Precision(string text) => text switch
    {
        "fp32" => EncodePrecision.Float32,
        "bf16" => EncodePrecision.BFloat16,
        "fp16" => EncodePrecision.Float16,
        _ => throw new ArgumentException($"--precision {text}: expected fp32, bf16 or fp16."),
    };
}
