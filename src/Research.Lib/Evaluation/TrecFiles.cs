using System.Globalization;
using Research.Lib.IO;
using Research.Lib.Search;

namespace Research.Lib.Evaluation;

/// <summary>
/// TREC run and qrels files in trec_eval's formats, so results can be re-checked with trec_eval and runs from
/// other tools compared: run lines <c>qid Q0 docid rank score tag</c>, qrels lines <c>qid 0 docid grade</c>
/// (whitespace-separated; BEIR's 3-column qrels .tsv is read too). Errors name file, line and field.
/// </summary>
public static class TrecFiles
{
    public static Dictionary<string, IReadOnlyList<ScoredDocument>> ReadRun(string path)
    {
        var run = new Dictionary<string, List<ScoredDocument>>(StringComparer.Ordinal);
        foreach (var (line, f, _) in Fields(path))
        {
            if (f.Length != 6)
                throw new DataFormatException(path, line, null, $"expected 6 fields (qid Q0 docid rank score tag), found {f.Length}");
            if (!double.TryParse(f[4], NumberStyles.Float, CultureInfo.InvariantCulture, out var score) || !double.IsFinite(score))
                throw new DataFormatException(path, line, "score", $"'{f[4]}' is not a finite number");
            if (!run.TryGetValue(f[0], out var list)) run[f[0]] = list = [];
            list.Add(new ScoredDocument(f[2], score));
        }
        if (run.Count == 0)
            throw new DataFormatException(path, 0, null, "no run lines (qid Q0 docid rank score tag); the file is empty");
        return run.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<ScoredDocument>)kv.Value, StringComparer.Ordinal);
    }

    /// <summary>
    /// TREC qrels (<c>qid iteration docid grade</c>), or BEIR's qrels .tsv (<c>query-id corpus-id score</c>), which is
    /// recognized by its header line only: a 3-field line elsewhere is a TREC line with a field missing, not BEIR.
    /// </summary>
    public static Dictionary<string, IReadOnlyDictionary<string, int>> ReadQrels(string path)
    {
        var qrels = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        foreach (var (line, f, beir) in Fields(path))
        {
            if (beir ? f.Length != 3 : f.Length != 4)
                throw new DataFormatException(path, line, null, beir
                    ? $"expected 3 tab-separated fields (query-id corpus-id score) as the BEIR header says, found {f.Length}"
                    : $"expected 4 fields (qid iteration docid relevance), found {f.Length}; BEIR's 3-field qrels are read when the file starts with its 'query-id corpus-id score' header");
            var (doc, gradeText) = f.Length == 4 ? (f[2], f[3]) : (f[1], f[2]);
            if (!int.TryParse(gradeText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var grade))
                throw new DataFormatException(path, line, "relevance", $"'{gradeText}' is not an integer grade");
            if (!qrels.TryGetValue(f[0], out var judged)) qrels[f[0]] = judged = new Dictionary<string, int>(StringComparer.Ordinal);
            judged[doc] = grade;
        }
        if (qrels.Count == 0)
            throw new DataFormatException(path, 0, null, "no judgments (qid iteration docid relevance); the file is empty");
        return qrels.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, int>)kv.Value, StringComparer.Ordinal);
    }

    /// <summary>Writes a run (each query's documents in rank order, ranks from 1), atomically.</summary>
    public static void WriteRun(string path, IReadOnlyDictionary<string, IReadOnlyList<ScoredDocument>> run, string tag)
    {
        AtomicFile.WriteText(path, w =>
        {
            foreach (var q in run.Keys.Order(StringComparer.Ordinal))
            {
                var rank = 0;
                foreach (var d in RankingOrder.Sort(run[q]))
                    w.Write(string.Create(CultureInfo.InvariantCulture, $"{q} Q0 {d.DocId} {++rank} {d.Score:R} {tag}\n"));
            }
        });
    }

    public static void WriteQrels(string path, IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> qrels)
    {
        AtomicFile.WriteText(path, w =>
        {
            foreach (var q in qrels.Keys.Order(StringComparer.Ordinal))
                foreach (var (doc, grade) in qrels[q].OrderBy(kv => kv.Key, StringComparer.Ordinal))
                    w.Write(string.Create(CultureInfo.InvariantCulture, $"{q} 0 {doc} {grade}\n"));
        });
    }

    private static IEnumerable<(long Line, string[] Fields, bool Beir)> Fields(string path)
    {
        var beir = false;
        foreach (var line in Utf8LineReader.ReadLines(path))
        {
            if (line.IsBlank) continue;
            var text = Utf8LineReader.TryDecode(line.Bytes.Span, out var err) ?? throw new DataFormatException(path, line.Number, null, err!);
            if (line.Number == 1 && text.StartsWith("query-id", StringComparison.Ordinal))
            {
                beir = true; // BEIR qrels header
                continue;
            }
            yield return (line.Number, text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries), beir);
        }
    }
}
