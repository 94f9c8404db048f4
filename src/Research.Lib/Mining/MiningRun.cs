using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Research.Lib.Data;
using Research.Lib.IO;
using Research.Lib.Modeling;

namespace Research.Lib.Mining;

/// <summary>
/// The mining stage as one run: hard negatives for every record (<see cref="HardNegativeMiner"/>) and its folder, written
/// whole (<see cref="AtomicDirectory"/>): <c>mined.jsonl</c> (the records with their negatives and the miner's
/// <c>pos_scores</c> / <c>neg_scores</c>) and <c>summary.json</c> (the <see cref="MiningReport"/> with the settings).
/// <c>research mine</c> is this run with its options parsed; 'research merge' joins the folders of a sharded run.
/// </summary>
public sealed class MiningRun
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private static readonly JsonSerializerOptions SnakeCase = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private MiningRun(string input, MiningOptions options, MiningResult result)
    {
        Input = input;
        Options = options;
        Result = result;
    }

    /// <summary>The input file (full path).</summary>
    public string Input { get; }

    public MiningOptions Options { get; }

    /// <summary>The records with their negatives, and the counts.</summary>
    public MiningResult Result { get; }

    /// <summary>
    /// The passages negatives are drawn from (<paramref name="corpus"/>, or every passage of the records), after refusing
    /// what no run can do: no records, or settings the pool cannot satisfy. Call it before loading a model for the run.
    /// </summary>
    public static IReadOnlyList<string> CandidatePool(IReadOnlyList<TrainingExample> examples, string input, IReadOnlyList<string>? corpus, MiningOptions options)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(options);
        if (examples.Count == 0) throw new InvalidDataException($"{input}: no records to mine for.");
        var pool = corpus ?? HardNegativeMiner.Pool(examples);
        options.Validate(pool.Count);
        return pool;
    }

    /// <param name="examples">the records (input order)</param>
    /// <param name="input">their file, recorded in the summary</param>
    /// <param name="corpus">candidate passages (null: every passage of the records)</param>
    /// <param name="encoder">ranks by cosine for Dense and Hybrid (null for Bm25)</param>
    /// <param name="options">the settings</param>
    /// <param name="progress">records done so far</param>
    public static MiningRun Run(IReadOnlyList<TrainingExample> examples, string input, IReadOnlyList<string>? corpus, IEmbeddingEncoder? encoder,
        MiningOptions options, IProgress<int>? progress = null)
    {
        CandidatePool(examples, input, corpus, options);
        return new MiningRun(Path.GetFullPath(input), options, HardNegativeMiner.Mine(examples, corpus, encoder, options, progress));
    }

    /// <summary>
    /// This run's records re-scored by a cross-encoder (<see cref="RerankerRescoring"/>): teacher scores in
    /// pos_scores / neg_scores, negatives above a positive (less <paramref name="margin"/>; null: none dropped) removed;
    /// the report counts what was dropped.
    /// </summary>
    public MiningRun Rescore(CrossEncoder reranker, double? margin = 0, int batchSize = 32, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(reranker);
        var (examples, dropped, without) = RerankerRescoring.Rescore(Result.Examples, reranker, margin, batchSize, progress);
        var report = Result.Report with
        {
            RescoredBy = reranker.SourceDirectory,
            DroppedByReranker = dropped,
            QueriesLeftWithoutNegatives = without,
            Mined = Result.Report.Mined - dropped,
        };
        return new MiningRun(Input, Options with { RescoreMargin = margin }, new MiningResult(examples, report));
    }

    /// <summary>The run's <c>summary.json</c>: the report's counts and the settings that matter for reading them.</summary>
    public JsonObject Summary()
    {
        var summary = JsonSerializer.SerializeToNode(Result.Report, SnakeCase)!.AsObject();
        summary["input"] = Input;
        summary["range"] = $"{Options.RangeStart}-{Options.RangeEnd}";
        summary["negatives"] = Options.Count;
        summary["sampling"] = Options.Sampling.ToString().ToLowerInvariant();
        summary["shard"] = Options.Shard?.ToString();
        if (Result.Report.RescoredBy is not null) summary["rescore_margin"] = Options.RescoreMargin;
        return summary;
    }

    /// <summary>Writes the run's folder whole, replacing <paramref name="outDir"/>.</summary>
    public void Write(string outDir) => AtomicDirectory.Write(outDir, dir =>
    {
        TrainingExampleWriter.Write(Path.Combine(dir, "mined.jsonl"), Result.Examples);
        AtomicFile.WriteAllText(Path.Combine(dir, "summary.json"), Summary().ToJsonString(Indented) + "\n");
    });

    /// <summary>One line saying what the run did, for a console.</summary>
    public string Describe(string outDir)
    {
        var report = Result.Report;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{report.Queries} queries, {report.Passages} passages ({report.Method}{(report.Bm25Analyzer is { } a ? $", BM25 analyzer {a}" : "")}): {report.NegativesPerQuery:0.0} negatives per query; filtered as likely false negatives {report.FilteredFraction:P1} of candidates; padded {report.PaddedFraction:P1}; no negative equals a positive of its query");
        if (report.RescoredBy is not null)
            line += string.Create(CultureInfo.InvariantCulture,
                $"; re-scored by {report.RescoredBy}: {report.DroppedByReranker} negatives scored above a positive dropped, {report.QueriesLeftWithoutNegatives} queries left without one; pos_scores / neg_scores are its logits");
        return line + $". -> {outDir}";
    }
}
