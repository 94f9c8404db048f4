using System.CommandLine;
using System.Globalization;
using Research.Lib.Data;
using Research.Lib.Evaluation;
using Research.Lib.IO;
using Research.Lib.Modeling;
using Research.Lib.Search;

namespace Research.Cli.Commands;

/// <summary><c>research index build|search</c> (Faiss) and <c>research bm25 build|search</c> (Lucene.Net).</summary>
internal static class SearchCommands
{
    public static Command Index()
    {
        var index = new Command("index", "Vector indexes (Faiss through the kit's shim; 'exact' for TorchSharp exact search).");
        var embeddings = new Option<string>("--embeddings") { Required = true, Description = "Vectors written by 'research model encode': .npy, or .f32 with its .json shape file." };
        var ids = new Option<string?>("--ids") { Description = "One integer id per line (default: row numbers)." };
        var factory = new Option<string>("--factory") { Description = "Faiss factory string (Flat, HNSW32, IVF1024,Flat, IVF256,PQ16, ...) or 'exact'.", DefaultValueFactory = _ => "HNSW32" };
        var metric = new Option<VectorMetric>("--metric") { DefaultValueFactory = _ => VectorMetric.InnerProduct };
        var outPath = new Option<string>("--out") { Required = true };
        var build = new Command("build", "Build an index from embeddings (IVF/PQ are trained on them first).") { embeddings, ids, factory, metric, outPath };
        build.SetAction(r => CliErrors.Run(() =>
        {
            var embeddingsPath = r.GetValue(embeddings)!;
            var m = EmbeddingMatrix.Load(embeddingsPath);
            if (m.Rows == 0)
                throw new InvalidDataException($"--embeddings {embeddingsPath}: holds no vectors; an index needs at least one.");
            if (m.FirstNonFinite() is { } bad)
                throw new InvalidDataException($"--embeddings {embeddingsPath}: row {bad.Row}, column {bad.Column} is not a finite number (NaN or infinity).");
            var idList = r.GetValue(ids) is { } idPath ? IdFile.Read(idPath, m.Rows) : Enumerable.Range(0, m.Rows).Select(i => (long)i).ToArray();
            var sw = System.Diagnostics.Stopwatch.StartNew();
            using var idx = VectorIndex.Build(m, idList, r.GetValue(factory)!, r.GetValue(metric));
            idx.Save(r.GetValue(outPath)!);
            Console.WriteLine($"{r.GetValue(outPath)}: {idx.Count} vectors of dimension {idx.Dimension} ({r.GetValue(factory)}, {idx.Metric}) in {sw.Elapsed.TotalSeconds:0.0} s");
        }));
        var indexPath = new Option<string>("--index") { Required = true };
        var queries = new Option<string>("--queries") { Required = true, Description = "Query vectors: .npy, or .f32 with its .json shape file." };
        var k = new Option<int>("--k") { DefaultValueFactory = _ => 10 };
        var range = new Option<float?>("--range") { Description = "Range search instead: every neighbour with similarity above this (or L2 distance below)." };
        var nprobe = new Option<int?>("--nprobe");
        var efSearch = new Option<int?>("--ef-search");
        var results = new Option<string>("--out") { Required = true, Description = "TSV: query row, rank, id, score." };
        var search = new Command("search", "Search an index.") { indexPath, queries, k, range, nprobe, efSearch, results };
        search.SetAction(r => CliErrors.Run(() =>
        {
            var path = r.GetValue(indexPath)!;
            var topK = CliOptions.Positive("--k", r.GetValue(k));
            using var idx = VectorIndex.Load(path);
            if (idx.Count == 0)
                throw new InvalidDataException($"--index {path}: holds no vectors; rebuild it with 'research index build'.");
            if (idx is FaissIndex f)
            {
                if (r.GetValue(nprobe) is { } np) f.SetParameter("nprobe", CliOptions.Positive("--nprobe", np));
                if (r.GetValue(efSearch) is { } ef) f.SetParameter("efSearch", CliOptions.Positive("--ef-search", ef));
            }
            else if (r.GetValue(nprobe) is not null || r.GetValue(efSearch) is not null)
            {
                throw new ArgumentException($"--nprobe / --ef-search apply to Faiss IVF / HNSW indexes; {path} is an exact index.");
            }
            var q = EmbeddingMatrix.Load(r.GetValue(queries)!);
            if (q.Dimension != idx.Dimension)
                throw new ArgumentException($"--queries {r.GetValue(queries)}: dimension {q.Dimension}, but the index holds dimension {idx.Dimension}.");
            if (q.FirstNonFinite() is { } bad)
                throw new InvalidDataException($"--queries {r.GetValue(queries)}: row {bad.Row}, column {bad.Column} is not a finite number (NaN or infinity).");
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var hits = r.GetValue(range) is { } threshold ? idx.RangeSearch(q, threshold) : idx.Search(q, topK);
            VectorIndex.WriteHits(r.GetValue(results)!, hits);
            Console.WriteLine($"{q.Rows} queries, {hits.Sum(h => h.Length)} hits in {sw.Elapsed.TotalSeconds:0.00} s -> {r.GetValue(results)}");
        }));
        index.Subcommands.Add(build);
        index.Subcommands.Add(search);
        return index;
    }

    public static Command Bm25()
    {
        var bm25 = new Command("bm25", "BM25 (Lucene.Net): build an index, search it into a TREC run.");
        var corpus = new Option<string>("--corpus") { Required = true, Description = "BEIR corpus.jsonl (_id, title, text), or plain text (one document per line, ids 0, 1, ...); recognized by content." };
        var analyzer = new Option<Bm25Analyzer>("--analyzer") { Description = "Standard, English (stemming) or Cjk (Chinese bigrams).", DefaultValueFactory = _ => Bm25Analyzer.Standard };
        var k1 = new Option<float>("--k1") { DefaultValueFactory = _ => 0.9f };
        var b = new Option<float>("--b") { DefaultValueFactory = _ => 0.4f };
        var outDir = new Option<string>("--out") { Required = true, Description = "Index folder." };
        var build = new Command("build", "Index a corpus (title + text).") { corpus, analyzer, k1, b, outDir };
        build.SetAction(r => CliErrors.Run(() =>
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            if (r.GetValue(k1) is var k1Value && !(k1Value >= 0 && float.IsFinite(k1Value)))
                throw new ArgumentException($"--k1 {k1Value.ToString(CultureInfo.InvariantCulture)}: expected a finite number >= 0.");
            if (r.GetValue(b) is var bValue && bValue is not (>= 0 and <= 1))
                throw new ArgumentException($"--b {bValue.ToString(CultureInfo.InvariantCulture)}: expected a number in [0, 1].");
            var options = new Bm25Options { Analyzer = r.GetValue(analyzer), K1 = k1Value, B = bValue };
            var documents = CorpusReader.ReadDocuments(r.GetValue(corpus)!).Select(d => (d.Id, d.FullText));
            using var idx = Bm25Index.Build(documents, options, r.GetValue(outDir));
            Console.WriteLine($"{r.GetValue(outDir)}: {idx.Count} documents in {sw.Elapsed.TotalSeconds:0.0} s");
        }));
        var indexDir = new Option<string>("--index") { Required = true };
        var queries = new Option<string>("--queries") { Required = true, Description = "BEIR queries.jsonl (_id, text) or plain text (ids 0, 1, ...); recognized by content." };
        var k = new Option<int>("--k") { DefaultValueFactory = _ => 100 };
        var run = new Option<string>("--out") { Required = true, Description = "TREC run file (score it with 'research eval run')." };
        var search = new Command("search", "Search every query (all cores) into a TREC run.") { indexDir, queries, k, run };
        search.SetAction(r => CliErrors.Run(() =>
        {
            var topK = CliOptions.Positive("--k", r.GetValue(k));
            using var idx = Bm25Index.Open(r.GetValue(indexDir)!);
            var qs = CorpusReader.ReadQueries(r.GetValue(queries)!).ToList();
            var sw = System.Diagnostics.Stopwatch.StartNew();
            TrecFiles.WriteRun(r.GetValue(run)!, idx.SearchRun(qs.Select(q => (q.Id, q.Text)).ToList(), topK), "bm25");
            Console.WriteLine($"{qs.Count} queries in {sw.Elapsed.TotalSeconds:0.00} s ({qs.Count / sw.Elapsed.TotalSeconds:0} queries/s) -> {r.GetValue(run)}");
        }));
        bm25.Subcommands.Add(build);
        bm25.Subcommands.Add(search);
        return bm25;
    }
}
