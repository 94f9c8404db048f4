using System.Globalization;
using Research.Lib.IO;

namespace Research.Lib.Data;

/// <summary>
/// Reads a BEIR data set folder: <c>corpus.jsonl</c> (<c>_id, title, text</c>), <c>queries.jsonl</c>
/// (<c>_id, text</c>) and <c>qrels/{split}.tsv</c> (<c>query-id, corpus-id, score</c>, with a header line).
/// As in BEIR, only queries judged in the split are kept. Judgments that name an unknown query or
/// document are errors (strict) or reported skips (lenient).
/// </summary>
public static class BeirReader
{
    public static RetrievalDataset Read(string folder, string split = "test", ReadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        options ??= ReadOptions.Strict;
        options.Validate();
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"{folder}: BEIR folder not found.");
        var qrelsPath = Path.Combine(folder, "qrels", split + ".tsv");
        var queriesPath = Path.Combine(folder, "queries.jsonl");
        var corpusPath = Path.Combine(folder, "corpus.jsonl");

        var corpus = CorpusReader.ReadDocuments(corpusPath, options).ToList();
        var docIds = corpus.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);

        var qrels = ReadQrels(qrelsPath, options);
        var queries = new List<EvalQuery>();
        var seenQueries = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (f, _) in Objects(queriesPath, options))
        {
            try
            {
                var id = CorpusReader.Id(f);
                if (!seenQueries.Add(id)) throw f.Error("_id", $"duplicate query id '{id}'");
                if (qrels.ContainsKey(id))
                    queries.Add(new EvalQuery(id, f.RequiredString("text")));
            }
            catch (DataFormatException e)
            {
                options.Fail(e);
            }
        }

        var result = new Dictionary<string, IReadOnlyDictionary<string, int>>();
        foreach (var (qid, judged) in qrels)
        {
            if (!seenQueries.Contains(qid))
            {
                options.Fail(new DataFormatException(qrelsPath, judged.Line, "query-id", $"query '{qid}' is not in queries.jsonl"));
                continue;
            }
            var judgedDocs = new Dictionary<string, int>();
            foreach (var (docId, (rel, line)) in judged.Docs)
            {
                if (docIds.Contains(docId)) judgedDocs[docId] = rel;
                else options.Fail(new DataFormatException(qrelsPath, line, "corpus-id", $"document '{docId}' is not in corpus.jsonl"));
            }
            result[qid] = judgedDocs;
        }
        queries.RemoveAll(q => !result.ContainsKey(q.Id));
        var kept = queries.Select(q => q.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var qid in result.Keys.Where(k => !kept.Contains(k)).ToList())
            result.Remove(qid);
        return new RetrievalDataset(queries, corpus, result);
    }

    private sealed record JudgedQuery(long Line, Dictionary<string, (int Rel, long Line)> Docs);

    private static Dictionary<string, JudgedQuery> ReadQrels(string path, ReadOptions options)
    {
        var qrels = new Dictionary<string, JudgedQuery>(StringComparer.Ordinal);
        foreach (var line in Utf8LineReader.ReadLines(path, options.BytesRead))
        {
            if (line.IsBlank) continue;
            try
            {
                var text = Utf8LineReader.TryDecode(line.Bytes.Span, out var err) ?? throw new DataFormatException(path, line.Number, null, err!);
                var cols = text.Split('\t');
                if (cols.Length != 3)
                    throw new DataFormatException(path, line.Number, null, $"expected 3 tab-separated columns (query-id, corpus-id, score), found {cols.Length}");
                if (!int.TryParse(cols[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var rel))
                {
                    if (line.Number == 1) continue; // header line
                    throw new DataFormatException(path, line.Number, "score", $"'{cols[2]}' is not an integer relevance grade");
                }
                if (!qrels.TryGetValue(cols[0], out var judged))
                    qrels[cols[0]] = judged = new JudgedQuery(line.Number, new Dictionary<string, (int, long)>(StringComparer.Ordinal));
                judged.Docs[cols[1]] = (rel, line.Number);
            }
            catch (DataFormatException e)
            {
                options.Fail(e);
            }
        }
        return qrels;
    }

    private static IEnumerable<(JsonFields Fields, long Line)> Objects(string path, ReadOptions options)
    {
        foreach (var line in Utf8LineReader.ReadLines(path, options.BytesRead))
        {
            if (line.IsBlank) continue;
            System.Text.Json.JsonDocument? doc = null;
            JsonFields fields = default;
            try
            {
                doc = JsonFields.ParseObject(path, line, out fields);
            }
            catch (DataFormatException e)
            {
                options.Fail(e);
            }
            if (doc is null) continue;
            using (doc)
                yield return (fields, line.Number);
        }
    }
}
