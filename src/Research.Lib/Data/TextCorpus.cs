namespace Research.Lib.Data;

/// <summary>Every text of a set of files, for building a vocabulary: training JSONL (queries, positives, negatives) or plain text.</summary>
public static class TextCorpus
{
    /// <summary>Files ending in .json / .jsonl are read as training examples; any other file as one sentence per line.</summary>
    public static IEnumerable<string> ReadTexts(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        foreach (var path in paths)
        {
            if (path.EndsWith(".json", StringComparison.Ordinal) || path.EndsWith(".jsonl", StringComparison.Ordinal))
            {
                foreach (var e in TrainingExampleReader.Read(path))
                    foreach (var t in e.Pos.Concat(e.Neg).Prepend(e.Query)) yield return t;
            }
            else
            {
                foreach (var s in SentenceReader.Read(path)) yield return s;
            }
        }
    }
}
