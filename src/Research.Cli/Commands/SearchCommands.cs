using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Research.Lib.Data;
using Research.Lib.Evaluation;
using Research.Lib.Modeling;
using Research.Lib.Search;

namespace Research.Cli.Commands;

/// <summary><c>research index build|search</c> (Faiss) and <c>research bm25 build|search</c> (Lucene.Net).</summary>
internal static class SearchCommands
{
    public static Command Index()
    {
        var index = new Command("index", "Vector indexes (Faiss through the kit's shim; 'exact' for TorchSharp exact search).");
        var embeddings = new Option<string>("--embeddings") { Required = true, Description = "float32 rows written by 'research model encode' (with its .json shape file)." };
        var ids = new Option<string?>("--ids") { Description = "One integer id per line (default: row numbers)." };
        var factory = new Option<string>("--factory") { Description = "Faiss factory string (Flat, HNSW32, IVF1024,Flat, IVF256,PQ16, ...) or 'exact'.", DefaultValueFactory = _ => "HNSW32" };
        var metric = new Option<VectorMetric>("--metric") { DefaultValueFactory = _ => VectorMetric.InnerProduct };
        var outPath = new Option<string>("--out") { Required = true };
        var build = new Command("build", "Build an index from embeddings (IVF/PQ are trained on them first).") { embeddings, ids, factory, metric, outPath };
        build.SetAction(r => CliErrors.Run(() =>
        {
            var m = ReadMatrix(r.GetValue(embeddings)!);
            var idList = r.GetValue(ids) is { } idPath
                ? File.ReadLines(idPath).Where(l => l.Trim().Length > 0).Select((l, i) => long.TryParse(l.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new DataFormatException(idPath, i + 1, "id", $"'{l}' is not an integer")).ToArray()
                : Enumerable.Range(0, m.Rows).Select(i => (long)i).ToArray();
            var sw = System.Diagnostics.Stopwatch.StartNew();
            using IVectorIndex idx = r.GetValue(factory) == "exact" ? new ExactIndex(m.Dimension, r.GetValue(metric)) : FaissIndex.Create(m.Dimension, r.GetValue(factory)!, r.GetValue(metric));
            if (idx is FaissIndex { IsTrained: false } faiss) faiss.Train(m);
            idx.Add(m, idList);
            idx.Save(r.GetValue(outPath)!);
            Console.WriteLine($"{r.GetValue(outPath)}: {idx.Count} vectors of dimension {idx.Dimension} ({r.GetValue(factory)}, {idx.Metric}) in {sw.Elapsed.TotalSeconds:0.0} s");
        }));
        var indexPath = new Option<string>("--index") { Required = true };
        var queries = new Option<string>("--queries") { Required = true, Description = "float32 query rows (with .json shape file)." };
        var k = new Option<int>("--k") { DefaultValueFactory = _ => 10 };
        var range = new Option<float?>("--range") { Description = "Range search instead: every neighbour with similarity above this (or L2 distance below)." };
        var nprobe = new Option<int?>("--nprobe");
        var efSearch = new Option<int?>("--ef-search");
        var results = new Option<string>("--out") { Required = true, Description = "TSV: query row, rank, id, score." };
        var search = new Command("search", "Search an index.") { indexPath, queries, k, range, nprobe, efSearch, results };
        search.SetAction(r => CliErrors.Run(() =>
        {
            var path = r.GetValue(indexPath)!;
            using IVectorIndex idx = path.EndsWith(".safetensors", StringComparison.Ordinal) ? ExactIndex.Load(path) : FaissIndex.Load(path);
            if (idx is FaissIndex f)
            {
                if (r.GetValue(nprobe) is { } np) f.SetParameter("nprobe", np);
                if (r.GetValue(efSearch) is { } ef) f.SetParameter("efSearch", ef);
            }
            var q = ReadMatrix(r.GetValue(queries)!);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var hits = r.GetValue(range) is { } threshold ? idx.RangeSearch(q, threshold) : idx.Search(q, r.GetValue(k));
            AtomicFile.WriteText(r.GetValue(results)!, w =>
            {
                w.Write("query\trank\tid\tscore\n");
                for (var i = 0; i < hits.Length; i++)
                    for (var j = 0; j < hits[i].Length; j++)
                        w.Write(string.Create(CultureInfo.InvariantCulture, $"{i}\t{j + 1}\t{hits[i][j].Id}\t{hits[i][j].Score:R}\n"));
            });
            Console.WriteLine($"{q.Rows} queries, {hits.Sum(h => h.Length)} hits in {sw.Elapsed.TotalSeconds:0.00} s -> {r.GetValue(results)}");
        }));
        index.Subcommands.Add(build);
        index.Subcommands.Add(search);
        return index;
    }

    public static Command Bm25()
    {
        var bm25 = new Command("bm25", "BM25 (Lucene.Net): build an index, search it into a TREC run.");
        var corpus = new Option<string>("--corpus") { Required = true, Description = "BEIR corpus.jsonl (_id, title, text), or plain text (one document per line, ids = line numbers)." };
        var analyzer = new Option<Bm25Analyzer>("--analyzer") { Description = "Standard, English (stemming) or Cjk (Chinese bigrams).", DefaultValueFactory = _ => Bm25Analyzer.Standard };
        var k1 = new Option<float>("--k1") { DefaultValueFactory = _ => 0.9f };
        var b = new Option<float>("--b") { DefaultValueFactory = _ => 0.4f };
        var outDir = new Option<string>("--out") { Required = true, Description = "Index folder." };
        var build = new Command("build", "Index a corpus (title + text).") { corpus, analyzer, k1, b, outDir };
        build.SetAction(r => CliErrors.Run(() =>
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            using var idx = Bm25Index.Build(Documents(r.GetValue(corpus)!), new Bm25Options { Analyzer = r.GetValue(analyzer), K1 = r.GetValue(k1), B = r.GetValue(b) }, r.GetValue(outDir));
            Console.WriteLine($"{r.GetValue(outDir)}: {idx.Count} documents in {sw.Elapsed.TotalSeconds:0.0} s");
        }));
        var indexDir = new Option<string>("--index") { Required = true };
        var queries = new Option<string>("--queries") { Required = true, Description = "BEIR queries.jsonl (_id, text) or plain text (ids = line numbers)." };
        var k = new Option<int>("--k") { DefaultValueFactory = _ => 100 };
        var run = new Option<string>("--out") { Required = true, Description = "TREC run file (score it with 'research eval run')." };
        var search = new Command("search", "Search every query (all cores) into a TREC run.") { indexDir, queries, k, run };
        search.SetAction(r => CliErrors.Run(() =>
        {
            using var idx = Bm25Index.Open(r.GetValue(indexDir)!);
            var qs = Documents(r.GetValue(queries)!).ToList();
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var hits = idx.SearchBatch(qs.Select(q => q.Text).ToList(), r.GetValue(k));
            var runMap = qs.Select((q, i) => (q.Id, hits[i])).ToDictionary(x => x.Id, x => x.Item2, StringComparer.Ordinal);
            TrecFiles.WriteRun(r.GetValue(run)!, runMap, "bm25");
            Console.WriteLine($"{qs.Count} queries in {sw.Elapsed.TotalSeconds:0.00} s ({qs.Count / sw.Elapsed.TotalSeconds:0} queries/s) -> {r.GetValue(run)}");
        }));
        bm25.Subcommands.Add(build);
        bm25.Subcommands.Add(search);
        return bm25;
    }

    private static IEnumerable<(string Id, string Text)> Documents(string path)
    {
        if (path.EndsWith(".jsonl", StringComparison.Ordinal))
        {
            foreach (var line in File.ReadLines(path))
            {
                if (line.Trim().Length == 0) continue;
                var json = JsonNode.Parse(line)!;
                var id = json["_id"]!.ToString();
                var title = json["title"]?.GetValue<string>() ?? "";
                var text = json["text"]?.GetValue<string>() ?? "";
                yield return (id, title.Length == 0 ? text : $"{title} {text}");
            }
            yield break;
        }
        var n = 0;
        foreach (var s in SentenceReader.Read(path)) yield return ((n++).ToString(CultureInfo.InvariantCulture), s);
    }

    internal static EmbeddingMatrix ReadMatrix(string path)
    {
        var shapePath = path + ".json";
        if (!File.Exists(shapePath)) throw new FileNotFoundException($"{shapePath}: shape file missing (written by 'research model encode').", shapePath);
        var shape = JsonNode.Parse(File.ReadAllText(shapePath))!;
        var rows = shape["rows"]!.GetValue<int>();
        var dim = shape["dimension"]!.GetValue<int>();
        var bytes = File.ReadAllBytes(path);
        if (bytes.LongLength != (long)rows * dim * 4) throw new InvalidDataException($"{path}: {bytes.Length} bytes, but {rows} x {dim} float32 needs {(long)rows * dim * 4}.");
        return new EmbeddingMatrix(MemoryMarshal.Cast<byte, float>(bytes).ToArray(), rows, dim);
    }
}
