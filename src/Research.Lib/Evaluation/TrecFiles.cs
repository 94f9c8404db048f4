using System.Globalization;
using Research.Lib.Data;

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
        foreach (var (line, f) in Fields(path))
        {
            if (f.Length != 6)
                throw new DataFormatException(path, line, null, $"expected 6 fields (qid Q0 docid rank score tag), found {f.Length}");
            if (!double.TryParse(f[4], NumberStyles.Float, CultureInfo.InvariantCulture, out var score) || !double.IsFinite(score))
                throw new DataFormatException(path, line, "score", $"'{f[4]}' is not a finite number");
            if (!run.TryGetValue(f[0], out var list)) run[f[0]] = list = [];
            list.Add(new ScoredDocument(f[2], score));
        }
        return run.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<ScoredDocument>)kv.Value, StringComparer.Ordinal);
    }

    public static Dictionary<string, IReadOnlyDictionary<string, int>> ReadQrels(string path)
    {
        var qrels = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        foreach (var (line, f) in Fields(path))
        {
            // TREC: qid iteration docid grade; BEIR .tsv: query-id corpus-id score.
            if (f.Length is not (4 or 3))
                throw new DataFormatException(path, line, null, $"expected 4 fields (qid iteration docid relevance) or BEIR's 3 (query-id corpus-id score), found {f.Length}");
            var (doc, gradeText) = f.Length == 4 ? (f[2], f[3]) : (f[1], f[2]);
            if (!int.TryParse(gradeText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var grade))
                throw new DataFormatException(path, line, "relevance", $"'{gradeText}' is not an integer grade");
            if (!qrels.TryGetValue(f[0], out var judged)) qrels[f[0]] = judged = new Dictionary<string, int>(StringComparer.Ordinal);
            judged[doc] = grade;
        }
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

    private static IEnumerable<(long Line, string[] Fields)> Fields(string path)
    {
        foreach (var line in Utf8LineReader.ReadLines(path))
        {
            if (line.IsBlank) continue;
            var text = Utf8LineReader.TryDecode(line.Bytes.Span, out var err) ?? throw new DataFormatException(path, line.Number, null, err!);
            if (line.Number == 1 && text.StartsWith("query-id", StringComparison.Ordinal)) continue; // BEIR qrels header
            yield return (line.Number, text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        }
    }
}
