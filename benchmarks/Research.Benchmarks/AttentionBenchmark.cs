using System.Diagnostics;
using System.Globalization;
using Research.Lib.Modeling;
using static TorchSharp.torch;

namespace Research.Benchmarks;

/// <summary>
/// The encoder with libtorch's fused scaled_dot_product_attention against the eager softmax(QKᵀ/√d)V, same model, texts
/// and settings, in one process, alternating (sdpa, eager, sdpa, eager, ...) so that drift of the machine's speed hits
/// both; prints each pass, the median rates, their ratio and the largest difference between the two's vectors.
/// </summary>
public static class AttentionBenchmark
{
    public static int Run(string[] args)
    {
        var model = BenchmarkArgs.Option(args, "--model", "artifacts/models/minilm");
        var textsPath = BenchmarkArgs.Option(args, "--texts", "artifacts/gpu/texts.txt");
        var count = int.Parse(BenchmarkArgs.Option(args, "--count", "512"), CultureInfo.InvariantCulture);
        var skip = int.Parse(BenchmarkArgs.Option(args, "--skip", "0"), CultureInfo.InvariantCulture);
        var batch = int.Parse(BenchmarkArgs.Option(args, "--batch", "64"), CultureInfo.InvariantCulture);
        var maxLength = int.Parse(BenchmarkArgs.Option(args, "--max-length", "128"), CultureInfo.InvariantCulture);
        var repeats = int.Parse(BenchmarkArgs.Option(args, "--repeats", "3"), CultureInfo.InvariantCulture);
        var precision = BenchmarkArgs.Option(args, "--precision", "fp32") switch
        {
            "fp32" => EncodePrecision.Float32,
            "bf16" => EncodePrecision.BFloat16,
            var p => throw new ArgumentException($"--precision {p}: expected fp32 or bf16 (this benchmark runs on the CPU)."),
        };
        if (repeats < 1) throw new ArgumentException($"--repeats {repeats}: at least 1.");
        var texts = File.ReadLines(textsPath).Skip(skip).Take(count).ToList();
        if (texts.Count == 0) throw new ArgumentException($"--texts {textsPath}: no lines after skipping {skip}.");

        using var encoder = SentenceEncoder.Load(model);
        var options = new EncodeOptions { BatchSize = batch, MaxLength = maxLength, Precision = precision };
        Console.WriteLine($"model {model}; {texts.Count} texts from {textsPath} (skip {skip}); batch {batch}; max {maxLength} tokens; {precision}; threads {get_num_threads()}");
        var rates = new Dictionary<AttentionImplementation, List<double>> { [AttentionImplementation.Sdpa] = [], [AttentionImplementation.Eager] = [] };
        var vectors = new Dictionary<AttentionImplementation, float[]>();
        encoder.Encode(texts.Take(batch).ToList(), options); // warm-up
        for (var r = 0; r < repeats; r++)
            foreach (var implementation in rates.Keys)
            {
                encoder.Model.AttentionImplementation = implementation;
                var watch = Stopwatch.StartNew();
                var m = encoder.Encode(texts, options);
                var rate = texts.Count / watch.Elapsed.TotalSeconds;
                rates[implementation].Add(rate);
                vectors[implementation] = m.Data;
                Console.WriteLine($"pass {r + 1} {implementation,-5} {rate,8:0.0} texts/s");
            }
        var (sdpa, eager) = (GpuBenchmark.Median(rates[AttentionImplementation.Sdpa]), GpuBenchmark.Median(rates[AttentionImplementation.Eager]));
        var diff = vectors[AttentionImplementation.Sdpa].Zip(vectors[AttentionImplementation.Eager], (a, b) => Math.Abs(a - b)).Max();
        var pairs = rates[AttentionImplementation.Sdpa].Zip(rates[AttentionImplementation.Eager], (a, b) => a / b).ToList();
        Console.WriteLine($"median texts/s: sdpa {sdpa:0.0}, eager {eager:0.0}; sdpa / eager {sdpa / eager:0.00} (pass by pass {pairs.Min():0.00}–{pairs.Max():0.00}, n={pairs.Count}); max |vector difference| {diff:0.0e0}");
        return 0;
    }
}
