using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Research.Lib.Data;
using Research.Lib.IO;
using Research.Lib.Modeling;

namespace Research.Lib.Cleaning;

/// <summary>
/// The cleaning stage as one run: exact and near-duplicate queries removed (<see cref="QueryCleaner"/>), the kept records
/// checked for leakage into an evaluation set (<see cref="LeakageChecker"/>), and its folder, written whole
/// (<see cref="AtomicDirectory"/>): <c>cleaned.jsonl</c>, <c>dropped.tsv</c>, <c>leakage.tsv</c> (when an evaluation set
/// was given) and <c>summary.json</c>. <c>research clean</c> is this run with its options parsed.
/// </summary>
public sealed class CleaningRun
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private CleaningRun(string input, string encoder, QueryCleanerOptions options, int recordsIn, CleaningResult result,
        IReadOnlyList<LeakageFinding> leaks, bool leakageChecked, IReadOnlyList<TrainingExample> kept, int leaksRemoved)
    {
        Input = input;
        Encoder = encoder;
        Options = options;
        RecordsIn = recordsIn;
        Result = result;
        Leaks = leaks;
        LeakageChecked = leakageChecked;
        Kept = kept;
        LeaksRemoved = leaksRemoved;
    }

    /// <summary>The input file (full path).</summary>
    public string Input { get; }

    /// <summary>What embedded the queries: a model folder's full path, or the hashed encoder's description.</summary>
    public string Encoder { get; }

    public QueryCleanerOptions Options { get; }

    public int RecordsIn { get; }

    /// <summary>The deduplication: kept records, every dropped one, the groups.</summary>
    public CleaningResult Result { get; }

    /// <summary>Kept records whose query equals (by cosine) an evaluation query or passage.</summary>
    public IReadOnlyList<LeakageFinding> Leaks { get; }

    /// <summary>Whether an evaluation set was given (then <c>leakage.tsv</c> is written, even empty).</summary>
    public bool LeakageChecked { get; }

    /// <summary>The records written to <c>cleaned.jsonl</c>: the deduplicated ones, less the leaks when they are removed.</summary>
    public IReadOnlyList<TrainingExample> Kept { get; }

    public int LeaksRemoved { get; }

    /// <param name="examples">the records (input order)</param>
    /// <param name="input">their file, recorded in the summary</param>
    /// <param name="encoder">embeds the queries (and, for the leakage check, the evaluation texts)</param>
    /// <param name="modelDir">the model folder the encoder was loaded from, recorded in the summary (ignored for the hashed encoder)</param>
    /// <param name="vectors">precomputed query vectors, one row per record (null: the encoder embeds them)</param>
    /// <param name="vectorsPath">their file, named in errors</param>
    /// <param name="evalQueries">evaluation queries for the leakage check (may be empty)</param>
    /// <param name="evalPassages">evaluation passages for the leakage check (may be empty)</param>
    /// <param name="removeLeaks">drop the leaking records from the output (default: report them only)</param>
    /// <param name="options">the settings</param>
    /// <param name="progress">records done so far</param>
    public static CleaningRun Run(IReadOnlyList<TrainingExample> examples, string input, IEmbeddingEncoder encoder, string modelDir,
        QueryCleanerOptions options, EmbeddingMatrix? vectors = null, string? vectorsPath = null, IReadOnlyList<string>? evalQueries = null,
        IReadOnlyList<string>? evalPassages = null, bool removeLeaks = false, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(options);
        evalQueries ??= [];
        evalPassages ??= [];
        var leakageChecked = evalQueries.Count + evalPassages.Count > 0;
        CheckInputs(examples.Count, input, leakageChecked, removeLeaks);
        if (vectors is not null && vectors.Rows != examples.Count)
            throw new InvalidDataException($"--embeddings {vectorsPath}: {vectors.Rows} vectors for the {examples.Count} records of {input}; encode every query, in order.");
        var result = vectors is null ? QueryCleaner.Clean(examples, encoder, options, progress) : QueryCleaner.Clean(examples, vectors, options, progress);
        var leaks = leakageChecked ? LeakageChecker.Check(result.Kept, evalQueries, evalPassages, encoder, options.Threshold) : [];
        var leaking = leaks.Select(l => l.Index).ToHashSet();
        var kept = removeLeaks ? result.Kept.Where((_, i) => !leaking.Contains(i)).ToList() : result.Kept.ToList();
        var encoderName = encoder is HashedNgramEncoder h ? h.ToString() : Path.GetFullPath(modelDir);
        return new CleaningRun(Path.GetFullPath(input), encoderName, options, examples.Count, result, leaks, leakageChecked, kept, result.Kept.Count - kept.Count);
    }

    /// <summary>Refuses a run that cannot be done (no records; leaks to remove without an evaluation set), before a model is loaded for it.</summary>
    public static void CheckInputs(int records, string input, bool leakageChecked, bool removeLeaks)
    {
        if (removeLeaks && !leakageChecked)
            throw new ArgumentException("--remove-leaks needs --eval-queries and/or --eval-passages.");
        if (records == 0) throw new InvalidDataException($"{input}: no records to clean.");
    }

    /// <summary>The run's <c>summary.json</c>.</summary>
    public JsonObject Summary() => new()
    {
        ["input"] = Input,
        ["encoder"] = Encoder,
        ["threshold"] = Options.Threshold,
        ["grouping"] = "connected components (single linkage); the first occurrence of a group is kept",
        ["records_in"] = RecordsIn,
        ["exact_duplicates"] = Result.ExactDuplicates,
        ["near_duplicates"] = Result.NearDuplicates,
        ["groups"] = Result.Groups,
        ["leaks"] = Leaks.Count,
        ["leaks_removed"] = LeaksRemoved,
        ["records_out"] = Kept.Count,
    };

    /// <summary>Writes the run's folder whole, replacing <paramref name="outDir"/>.</summary>
    public void Write(string outDir) => AtomicDirectory.Write(outDir, dir =>
    {
        TrainingExampleWriter.Write(Path.Combine(dir, "cleaned.jsonl"), Kept);
        CleaningReport.WriteDropped(Path.Combine(dir, "dropped.tsv"), Result.Dropped);
        if (LeakageChecked)
            CleaningReport.WriteLeakage(Path.Combine(dir, "leakage.tsv"), Leaks);
        AtomicFile.WriteAllText(Path.Combine(dir, "summary.json"), Summary().ToJsonString(Indented) + "\n");
    });

    /// <summary>One line saying what the run did, for a console.</summary>
    public string Describe(string outDir) =>
        $"{RecordsIn} records -> {Kept.Count}: {Result.ExactDuplicates} exact and {Result.NearDuplicates} near duplicates removed ({Result.Groups} groups at cosine > {Options.Threshold.ToString(CultureInfo.InvariantCulture)}), {Leaks.Count} leaks into the evaluation set; report in {outDir}";
}
