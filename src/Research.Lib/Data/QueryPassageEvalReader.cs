using Research.Lib.IO;
namespace Research.Lib.Data;

/// <summary>
/// Reads the evaluation layout of PaddleNLP's contrastive-learning tools: a JSONL file of
/// <c>{"query": str, "pos_passage": [str]}</c> (<c>pos</c> is accepted too) and an optional JSONL file of
/// <c>{"neg_passage": [str]}</c> (or <c>neg</c>) lines. The corpus is every distinct positive and negative
/// passage, in first-seen order (ids <c>d1, d2, ...</c>); queries get ids <c>q1, q2, ...</c>, and each query's
/// positives are its relevant documents (relevance 1).
/// </summary>
public static class QueryPassageEvalReader
{
    public static RetrievalDataset Read(string queryPosPath, string? negPath = null, ReadOptions? options = null)
    {
        options ??= ReadOptions.Strict;
        options.Validate();
        var corpus = new List<CorpusDocument>();
        var idByText = new Dictionary<string, string>(StringComparer.Ordinal);
        var queries = new List<EvalQuery>();
        var qrels = new Dictionary<string, IReadOnlyDictionary<string, int>>();

        string DocId(string text)
        {
            if (!idByText.TryGetValue(text, out var id))
            {
                id = $"d{corpus.Count + 1}";
                idByText.Add(text, id);
                corpus.Add(new CorpusDocument(id, "", text));
            }
            return id;
        }

        foreach (var line in Utf8LineReader.ReadLines(queryPosPath, options.BytesRead))
        {
            if (line.IsBlank) continue;
            try
            {
                using var doc = JsonFields.ParseObject(queryPosPath, line, out var f);
                var query = f.RequiredString("query");
                var posName = f.Has("pos_passage") ? "pos_passage" : "pos";
                var pos = f.StringList(posName) ?? throw f.Error("pos_passage", "missing (each query needs \"pos_passage\": [\"...\"])");
                if (pos.Count == 0) throw f.Error(posName, "is an empty list; each query needs at least one positive");
                var id = $"q{queries.Count + 1}";
                queries.Add(new EvalQuery(id, query));
                var judged = new Dictionary<string, int>();
                foreach (var p in pos) judged[DocId(p)] = 1;
                qrels[id] = judged;
            }
            catch (DataFormatException e)
            {
                options.Fail(e);
            }
        }

        if (negPath is not null)
        {
            foreach (var line in Utf8LineReader.ReadLines(negPath, options.BytesRead))
            {
                if (line.IsBlank) continue;
                try
                {
                    using var doc = JsonFields.ParseObject(negPath, line, out var f);
                    var name = f.Has("neg_passage") ? "neg_passage" : "neg";
                    var neg = f.StringList(name) ?? throw f.Error("neg_passage", "missing (each line needs \"neg_passage\": [\"...\"])");
                    foreach (var n in neg) DocId(n);
                }
                catch (DataFormatException e)
                {
                    options.Fail(e);
                }
            }
        }
        return new RetrievalDataset(queries, corpus, qrels);
    }
}
