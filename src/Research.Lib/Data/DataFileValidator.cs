namespace Research.Lib.Data;

/// <summary>
/// Reads a whole data file in its layout with the reader that trains or evaluates on it, so a file that validates is one
/// those steps accept; strict reading stops at the first bad record, lenient reading lists every one in a <see cref="SkipReport"/>.
/// </summary>
public static class DataFileValidator
{
    /// <summary>The layout of <paramref name="path"/>: a folder is BEIR; with a negatives file the seed's evaluation
    /// JSONL; else by extension (.tsv pairs, .csv, .txt sentences, anything else training JSONL).</summary>
    public static DataFileFormat Detect(string path, string? negPath = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path)) return DataFileFormat.Beir;
        if (negPath is not null) return DataFileFormat.Eval;
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".tsv" => DataFileFormat.Pairs,
            ".csv" => DataFileFormat.Csv,
            ".txt" => DataFileFormat.Sentences,
            _ => DataFileFormat.Train,
        };
    }

    /// <summary>What the count of <see cref="Count"/> counts: queries for evaluation layouts, records for the others.</summary>
    public static string Unit(DataFileFormat format) => format is DataFileFormat.Eval or DataFileFormat.Beir ? "queries" : "records";

    /// <summary>Reads the file whole and returns its records (or judged queries); a bad record throws (strict) or goes to the options' report (lenient).</summary>
    /// <param name="path">the file (a folder for BEIR)</param>
    /// <param name="format">its layout (Auto: <see cref="Detect"/>)</param>
    /// <param name="negPath">the seed's evaluation format: the neg_passage JSONL</param>
    /// <param name="split">BEIR: the qrels split</param>
    /// <param name="options">strict or lenient reading, progress</param>
    public static long Count(string path, DataFileFormat format, string? negPath, string split, ReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (negPath is not null && format is not (DataFileFormat.Eval or DataFileFormat.Auto))
            throw new ArgumentException($"--neg is for --format eval, not {format.ToString().ToLowerInvariant()}.");
        if (format == DataFileFormat.Auto) format = Detect(path, negPath);
        return format switch
        {
            DataFileFormat.Train => TrainingExampleReader.Read(path, options).LongCount(),
            DataFileFormat.Pairs => TextPairReader.Read(path, options).LongCount(),
            DataFileFormat.Csv => CsvReader.Read(path, options).LongCount(),
            DataFileFormat.Sentences => SentenceReader.Read(path, options).LongCount(),
            DataFileFormat.Eval => QueryPassageEvalReader.Read(path, negPath, options).Queries.Count,
            DataFileFormat.Beir => BeirReader.Read(path, split, options).Queries.Count,
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown data format"),
        };
    }
}
