using System.Diagnostics;
using System.Globalization;
using Research.Lib.Data;
using Research.Lib.Evaluation;
using Research.Lib.Modeling;
using Research.Lib.Onnx;

namespace Research.Benchmarks;

/// <summary>
/// <c>onnx-int8</c>: what <c>research model export-onnx --quantize int8</c> costs in retrieval quality and gains in
/// speed. A model folder is exported twice (float32 and dynamic int8), both files run in ONNX Runtime (all graph
/// optimizations, the given threads) on SciFact test (queries with the model's instruction, every document, 256 tokens,
/// batches of 32 sorted by length), and each gives nDCG@10, Recall@100, MRR@10, its encode time and file size; the speed
/// ratio is int8 over float32 measured in the same run, float32 first, then int8, then float32 again (its mean time).
/// </summary>
internal static class QuantizedOnnxBenchmark
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(string[] args)
    {
        var data = BenchmarkArgs.Option(args, "--data", "../shared/data/beir_scifact");
        var model = BenchmarkArgs.Option(args, "--model", "artifacts/models/minilm");
        var threads = int.Parse(BenchmarkArgs.Option(args, "--threads", "2"), Inv);
        var dataset = BeirReader.Read(data, "test");
        var queries = dataset.Queries.Select(q => q.Text).ToList();
        var docs = dataset.Corpus.Select(d => d.FullText).ToList();
        using var encoder = SentenceEncoder.Load(model);
        var dir = Directory.CreateTempSubdirectory("research-onnx-int8-").FullName;
        try
        {
            var files = new Dictionary<string, string> { ["float32"] = Path.Combine(dir, "model.onnx"), ["int8"] = Path.Combine(dir, "model_int8.onnx") };
            OnnxExporter.Export(encoder, files["float32"]);
            OnnxExporter.Export(encoder, files["int8"], OnnxQuantization.Int8);
            Console.WriteLine($"SciFact test: {queries.Count} queries, {docs.Count} documents; {model}; ONNX Runtime, {threads} threads");
            var times = new Dictionary<string, List<double>> { ["float32"] = [], ["int8"] = [] };
            var scores = new Dictionary<string, IReadOnlyDictionary<string, double>>();
            foreach (var kind in new[] { "float32", "int8", "float32" })
            {
                using var ort = new OnnxRuntimeEncoder(File.ReadAllBytes(files[kind]), threads);
                var sw = Stopwatch.StartNew();
                var q = new EmbeddingMatrix(ort.EncodeExported(queries, encoder.Tokenizer, 256, encoder.Settings.QueryInstruction, 32, encoder.Dimension), queries.Count, encoder.Dimension);
                var d = new EmbeddingMatrix(ort.EncodeExported(docs, encoder.Tokenizer, 256, encoder.Settings.PassageInstruction, 32, encoder.Dimension), docs.Count, encoder.Dimension);
                times[kind].Add(sw.Elapsed.TotalSeconds);
                scores[kind] = PretrainedOnnxBenchmark.Score(q, d, dataset, new RetrievalEvaluationOptions { Ks = [10, 100] });
                Console.WriteLine(string.Create(Inv, $"{kind}: {queries.Count + docs.Count} texts in {times[kind][^1]:0.0} s"));
            }
            Console.WriteLine("| ONNX file | size MB | nDCG@10 | Recall@100 | MRR@10 | encode s |");
            Console.WriteLine("|---|---|---|---|---|---|");
            foreach (var kind in new[] { "float32", "int8" })
            {
                var m = scores[kind];
                Console.WriteLine(string.Create(Inv, $"| {kind} | {new FileInfo(files[kind]).Length / 1e6:0.0} | {m["ndcg_at_10"]:0.0000} | {m["recall_at_100"]:0.0000} | {m["mrr_at_10"]:0.0000} | {times[kind].Average():0.0} |"));
            }
            Console.WriteLine(string.Create(Inv, $"int8 / float32: speed {times["float32"].Average() / times["int8"].Average():0.00}x, nDCG@10 {scores["int8"]["ndcg_at_10"] - scores["float32"]["ndcg_at_10"]:+0.0000;-0.0000}"));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
        return 0;
    }
}
