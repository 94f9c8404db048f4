using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Research.Lib.Data;
using Spectre.Console;

namespace Research.Cli.Commands;

/// <summary><c>research data validate|split|stats</c>.</summary>
internal static class DataCommands
{
    public static Command Create()
    {
        var data = new Command("data", "Validate, split and describe data files.");
        data.Subcommands.Add(Validate());
        data.Subcommands.Add(Split());
        data.Subcommands.Add(Stats());
        return data;
    }

    private static Command Validate()
    {
        var file = new Argument<string>("FILE") { Description = "Data file (or BEIR folder) to check." };
        var format = new Option<DataFileFormat>("--format") { Description = "auto (by extension: .jsonl/.json train, .tsv pairs, .csv, .txt sentences, folder BEIR), train, eval, pairs, csv, sentences, beir.", DefaultValueFactory = _ => DataFileFormat.Auto };
        var lenient = new Option<bool>("--lenient") { Description = "Check every record instead of stopping at the first error; write them all to the report." };
        var report = new Option<string?>("--report") { Description = "Where the lenient report goes (TSV: file, line, field, reason). Default: FILE.skipped.tsv." };
        var neg = new Option<string?>("--neg") { Description = "For --format eval: the neg_passage file." };
        var split = new Option<string>("--split") { Description = "For --format beir: the qrels split.", DefaultValueFactory = _ => "test" };
        var cmd = new Command("validate", "Check a data file; errors name the file, line and field. Exit code 1 when anything is wrong.")
        {
            file, format, lenient, report, neg, split,
        };
        cmd.SetAction(r => CliErrors.Run(() => RunValidate(r.GetValue(file)!, r.GetValue(format), r.GetValue(lenient), r.GetValue(report), r.GetValue(neg), r.GetValue(split)!)));
        return cmd;
    }

    private static void RunValidate(string path, DataFileFormat format, bool lenient, string? reportPath, string? negPath, string split)
    {
        if (reportPath is not null && !lenient)
            throw new ArgumentException("--report is written only in --lenient mode (strict mode stops at the first error); add --lenient.");
        if (reportPath is not null && Directory.Exists(reportPath))
            throw new ArgumentException($"--report {reportPath}: is a folder; expected a file path for the TSV report.");
        if (format == DataFileFormat.Auto) format = DataFileValidator.Detect(path, negPath);
        var report = new SkipReport();
        var options = lenient ? ReadOptions.Lenient(report) : ReadOptions.Strict;
        var count = CliProgress.OverFile($"validating {Path.GetFileName(path)}", path, progress => DataFileValidator.Count(path, format, negPath, split, options with { BytesRead = progress }));
        var what = DataFileValidator.Unit(format);
        if (report.Count == 0)
        {
            if (count == 0)
                throw new InvalidDataException($"{path}: no {what} ({Name(format)}); the file is empty.");
            Console.WriteLine($"{path}: OK, {count} {what} ({Name(format)}).");
            return;
        }
        reportPath ??= path.TrimEnd('/') + ".skipped.tsv";
        report.WriteTsv(reportPath);
        foreach (var r in report.Records.Take(20)) Console.Error.WriteLine(r);
        if (report.Count > 20) Console.Error.WriteLine($"... and {report.Count - 20} more");
        Console.WriteLine($"{path}: {count} good {what}, {report.Count} bad record(s); all listed in {reportPath}.");
        throw new CliExit(1);
    }

    private static Command Split()
    {
        var input = new Argument<string>("IN") { Description = "Training JSONL to split." };
        var ratios = new Option<string>("--ratios") { Description = "train,dev,test proportions.", DefaultValueFactory = _ => "8,1,1" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the shuffle; the same seed gives the same split.", DefaultValueFactory = _ => 42UL };
        var outDir = new Option<string>("--out") { Description = "Output folder for train.jsonl, dev.jsonl, test.jsonl and split_report.json.", Required = true };
        var stratify = new Option<string?>("--stratify") { Description = "Stratify by a field: type or prompt." };
        var groupBy = new Option<string>("--group-by") { Description = "Keep records together by: query (same query text) or pos (same first positive, so paraphrased queries of one passage stay in one part).", DefaultValueFactory = _ => "query" };
        var cmd = new Command("split", "Seeded train/dev/test split; the same query never lands in two parts.") { input, ratios, seed, outDir, stratify, groupBy };
        cmd.SetAction(r => CliErrors.Run(() => RunSplit(r.GetValue(input)!, r.GetValue(ratios)!, r.GetValue(seed), r.GetValue(outDir)!, r.GetValue(stratify), r.GetValue(groupBy)!)));
        return cmd;
    }

    private static void RunSplit(string input, string ratiosText, ulong seed, string outDir, string? stratify, string groupBy)
    {
        var ratios = SplitRatios.Parse(ratiosText);
        Func<TrainingExample, string>? key = stratify switch
        {
            null => null,
            "type" => e => e.Type ?? "",
            "prompt" => e => e.Prompt ?? "",
            _ => throw new FormatException($"--stratify '{stratify}': expected type or prompt."),
        };
        Func<TrainingExample, string>? group = groupBy switch
        {
            "query" => null,
            "pos" => e => e.Pos[0],
            _ => throw new FormatException($"--group-by '{groupBy}': expected query or pos."),
        };
        if (File.Exists(outDir))
            throw new IOException($"--out {outDir}: is a file; expected a folder for train.jsonl, dev.jsonl, test.jsonl and split_report.json.");
        var all = CliProgress.OverFile($"reading {Path.GetFileName(input)}", input,
            p => TrainingExampleReader.Read(input, ReadOptions.Strict with { BytesRead = p }).ToList());
        if (all.Count == 0)
            throw new InvalidDataException($"{input}: no records to split.");
        var split = DataSplitter.Split(all, e => e.Query, ratios, seed, key, group);
        SplitWriter.Write(outDir, split, new Dictionary<string, JsonNode?>
        {
            ["input"] = Path.GetFullPath(input),
            ["ratios"] = ratios.ToString(),
            ["seed"] = seed,
            ["stratify"] = stratify,
            ["group_by"] = groupBy,
        });
        Console.WriteLine($"{all.Count} records -> train {split.Train.Count}, dev {split.Dev.Count}, test {split.Test.Count} in {outDir} (seed {seed}, ratios {ratios}); no query is in two parts.");
    }

    private static Command Stats()
    {
        var file = new Argument<string>("FILE") { Description = "Training JSONL to describe." };
        var cmd = new Command("stats", "Counts, length percentiles (characters) and exact duplicates of a training file.") { file };
        cmd.SetAction(r => CliErrors.Run(() => RunStats(r.GetValue(file)!)));
        return cmd;
    }

    private static void RunStats(string path)
    {
        {
            var stats = CliProgress.OverFile($"reading {Path.GetFileName(path)}", path,
                p => DatasetStats.Compute(TrainingExampleReader.Read(path, ReadOptions.Strict with { BytesRead = p })));
            if (stats.Records == 0)
                throw new InvalidDataException($"{path}: no records; the file is empty.");
            var console = AnsiConsole.Console;
            var counts = new Table().Title(Markup.Escape(path)).AddColumns("what", "count");
            counts.AddRow("records", N(stats.Records));
            counts.AddRow("positives", N(stats.Positives));
            counts.AddRow("negatives", N(stats.Negatives));
            counts.AddRow("records with scores", N(stats.WithScores));
            counts.AddRow("records with a prompt", N(stats.WithPrompt));
            counts.AddRow("duplicate queries (exact)", N(stats.DuplicateQueries));
            counts.AddRow("duplicate (query, pos) pairs", N(stats.DuplicatePairs));
            counts.AddRow("records with a positive among negatives", N(stats.PositiveAmongNegatives));
            console.Write(counts);
            var lengths = new Table().AddColumns("length (chars)", "min", "p50", "p90", "p99", "max", "mean");
            foreach (var (name, s) in new[] { ("query", stats.QueryLengths), ("passage", stats.PassageLengths), ("negatives / record", stats.NegativesPerRecord) })
                lengths.AddRow(name, N(s.Min), N(s.Percentile(50)), N(s.Percentile(90)), N(s.Percentile(99)), N(s.Max), s.Mean.ToString("0.0", CultureInfo.InvariantCulture));
            console.Write(lengths);
        }
    }

    private static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);

    private static string Name(DataFileFormat f) => f.ToString().ToLowerInvariant();
}
