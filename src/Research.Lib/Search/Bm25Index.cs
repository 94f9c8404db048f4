using System.Collections.Concurrent;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Cjk;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Analysis.Util;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Research.Lib.IO;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace Research.Lib.Search;

/// <summary>
/// A BM25 index on Lucene.Net 4.8 (BM25Similarity with the given k1 and b), in memory or in a folder on disk.
/// Queries are the analyzed query terms OR-ed together; batches of queries are searched on several threads.
/// </summary>
public sealed class Bm25Index : IDisposable
{
    private const string IdField = "id";
    private const string TextField = "text";
    private const LuceneVersion Version = LuceneVersion.LUCENE_48;
    private readonly LuceneDirectory _directory;
    private readonly Analyzer _analyzer;
    private readonly DirectoryReader _reader;
    private readonly IndexSearcher _searcher;

    private Bm25Index(LuceneDirectory directory, Bm25Options options)
    {
        _directory = directory;
        Options = options;
        _analyzer = CreateAnalyzer(options.Analyzer);
        _reader = DirectoryReader.Open(directory);
        _searcher = new IndexSearcher(_reader) { Similarity = new BM25Similarity(options.K1, options.B) };
    }

    public Bm25Options Options { get; }

    public int Count => _reader.NumDocs;

    /// <summary>
    /// The analyzer for a corpus by its content: <see cref="Bm25Analyzer.Cjk"/> (Lucene's CJKAnalyzer, overlapping
    /// bigrams) when Chinese, Japanese or Korean characters are at least half of the letters of
    /// <paramref name="texts"/> — the standard analyzer would index them one character at a time —, else
    /// <see cref="Bm25Analyzer.Standard"/>.
    /// </summary>
    public static Bm25Analyzer AnalyzerFor(IEnumerable<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        long cjk = 0, letters = 0;
        foreach (var text in texts)
            foreach (var c in text)
            {
                if (!char.IsLetter(c)) continue;
                letters++;
                if (Research.Lib.Text.ChineseWordSegmenter.IsCjk(c) // Han
                    || c is >= '\u3040' and <= '\u30FF' // Hiragana, Katakana
                    || c is >= '\uAC00' and <= '\uD7AF') // Hangul syllables
                    cjk++;
            }
        return letters > 0 && 2 * cjk >= letters ? Bm25Analyzer.Cjk : Bm25Analyzer.Standard;
    }

    /// <summary>
    /// Indexes (id, text) documents; <paramref name="path"/> null keeps the index in memory. On disk the folder is
    /// written whole or not at all (built in a temporary sibling and swapped in), so a failed build (a bad corpus
    /// line, no documents) leaves the previous index as it was.
    /// </summary>
    public static Bm25Index Build(IEnumerable<(string Id, string Text)> documents, Bm25Options? options = null, string? path = null, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(documents);
        options ??= new Bm25Options();
        if (path is null)
        {
            var memory = new RAMDirectory();
            Write(memory, documents, options, progress);
            return new Bm25Index(memory, options);
        }
        AtomicDirectory.Write(path, temp =>
        {
            using (var directory = FSDirectory.Open(temp))
                Write(directory, documents, options, progress);
            AtomicFile.WriteAllText(System.IO.Path.Combine(temp, "bm25.json"), $"{{\"analyzer\": \"{options.Analyzer}\", \"k1\": {options.K1.ToString(System.Globalization.CultureInfo.InvariantCulture)}, \"b\": {options.B.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}\n");
        });
        return Open(path);
    }

    private static void Write(LuceneDirectory directory, IEnumerable<(string Id, string Text)> documents, Bm25Options options, IProgress<int>? progress)
    {
        using var analyzer = CreateAnalyzer(options.Analyzer);
        using var writer = new IndexWriter(directory, new IndexWriterConfig(Version, analyzer)
        {
            OpenMode = OpenMode.CREATE,
            Similarity = new BM25Similarity(options.K1, options.B),
            RAMBufferSizeMB = 256,
        });
        var n = 0;
        foreach (var (id, text) in documents)
        {
            writer.AddDocument([new StringField(IdField, id, Field.Store.YES), new TextField(TextField, text, Field.Store.NO)]);
            if (++n % 10_000 == 0) progress?.Report(n);
        }
        if (n == 0) throw new ArgumentException("No documents to index.");
        writer.Commit();
        progress?.Report(n);
    }

    /// <summary>Opens an index built on disk, with the analyzer and parameters it was built with.</summary>
    public static Bm25Index Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (File.Exists(path)) throw new FileNotFoundException($"{path}: is a file; a BM25 index is a folder (written by 'research bm25 build').", path);
        var settings = System.IO.Path.Combine(path, "bm25.json");
        if (!File.Exists(settings)) throw new FileNotFoundException($"{path}: not a BM25 index folder (bm25.json missing).", settings);
        Bm25Options options;
        try
        {
            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(settings))!;
            options = new Bm25Options
            {
                Analyzer = Enum.Parse<Bm25Analyzer>(json["analyzer"]!.GetValue<string>()),
                K1 = json["k1"]!.GetValue<float>(),
                B = json["b"]!.GetValue<float>(),
            };
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or NullReferenceException or InvalidOperationException or ArgumentException or FormatException)
        {
            throw new InvalidDataException($"{settings}: not a valid BM25 settings file ({e.Message}).", e);
        }
        return new Bm25Index(FSDirectory.Open(path), options);
    }

    /// <summary>Analyzed terms of a text (what the index matches on).</summary>
    public IReadOnlyList<string> Terms(string text)
    {
        var terms = new List<string>();
        using var stream = _analyzer.GetTokenStream(TextField, new StringReader(text));
        var term = stream.AddAttribute<ICharTermAttribute>();
        stream.Reset();
        while (stream.IncrementToken()) terms.Add(term.ToString());
        stream.End();
        return terms;
    }

    public IReadOnlyList<ScoredDocument> Search(string query, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var terms = Terms(query);
        if (terms.Count == 0) return [];
        var boolean = new BooleanQuery();
        foreach (var t in terms) boolean.Add(new TermQuery(new Term(TextField, t)), Occur.SHOULD);
        var top = _searcher.Search(boolean, k);
        return top.ScoreDocs.Select(d => new ScoredDocument(_searcher.Doc(d.Doc).Get(IdField), d.Score)).ToList();
    }

    /// <summary>The BM25 score of one document for a query (0 when no term matches), as <see cref="Search"/> would rank it.</summary>
    public double Score(string query, string id)
    {
        var terms = Terms(query);
        if (terms.Count == 0) return 0;
        var boolean = new BooleanQuery();
        foreach (var t in terms) boolean.Add(new TermQuery(new Term(TextField, t)), Occur.SHOULD);
        var hit = _searcher.Search(new TermQuery(new Term(IdField, id)), 1);
        if (hit.TotalHits == 0) throw new ArgumentException($"No document with id '{id}' in the index.");
        return _searcher.Explain(boolean, hit.ScoreDocs[0].Doc).Value;
    }

    /// <summary>Searches every query on up to <paramref name="threads"/> threads (default: all cores); results in query order.</summary>
    public IReadOnlyList<ScoredDocument>[] SearchBatch(IReadOnlyList<string> queries, int k, int? threads = null)
    {
        ArgumentNullException.ThrowIfNull(queries);
        var results = new IReadOnlyList<ScoredDocument>[queries.Count];
        Parallel.ForEach(Partitioner.Create(0, queries.Count, 16), new ParallelOptions { MaxDegreeOfParallelism = threads ?? Environment.ProcessorCount },
            range => { for (var i = range.Item1; i < range.Item2; i++) results[i] = Search(queries[i], k); });
        return results;
    }

    /// <summary>
    /// A run over queries with ids (a BEIR queries file): each id's top <paramref name="k"/> documents, for a TREC run
    /// file. A query id given twice is refused, naming it (a run holds one ranking per query).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<ScoredDocument>> SearchRun(IReadOnlyList<(string Id, string Text)> queries, int k, int? threads = null)
    {
        ArgumentNullException.ThrowIfNull(queries);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (id, _) in queries)
            if (!seen.Add(id)) throw new ArgumentException($"query id '{id}' appears twice among the queries; a run holds one ranking per query.");
        var hits = SearchBatch(queries.Select(q => q.Text).ToList(), k, threads);
        return queries.Select((q, i) => (q.Id, Hits: hits[i])).ToDictionary(x => x.Id, x => x.Hits, StringComparer.Ordinal);
    }

    public void Dispose()
    {
        _reader.Dispose();
        _analyzer.Dispose();
        _directory.Dispose();
    }

    private static Analyzer CreateAnalyzer(Bm25Analyzer kind) => kind switch
    {
        Bm25Analyzer.English => new EnglishAnalyzer(Version),
        Bm25Analyzer.Cjk => new CJKAnalyzer(Version),
        _ => new StandardAnalyzer(Version, CharArraySet.Empty),
    };

    static Bm25Index() => BooleanQuery.MaxClauseCount = 65_536;
}
