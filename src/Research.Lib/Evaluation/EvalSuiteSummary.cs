using System.Globalization;
using System.Text;
using Microsoft.Data.Analysis;
using Research.Lib.IO;

namespace Research.Lib.Evaluation;

/// <summary>
/// A results folder in mteb's layout (<c>{model}/{revision}/{task}.json</c>) tabulated across models: main scores
/// ×100 with models as rows and tasks as columns plus their average (as the MTEB leaderboard shows them; the
/// average only over models that have every task), every value as CSV, and a DataFrame for notebooks.
/// </summary>
public sealed class EvalSuiteSummary
{
    private EvalSuiteSummary(IReadOnlyList<(string Model, MtebTaskResult Result)> results) => Results = results;

    /// <summary>Each model's task results, models in name order.</summary>
    public IReadOnlyList<(string Model, MtebTaskResult Result)> Results { get; }

    public IReadOnlyList<string> Models => Results.Select(r => r.Model).Distinct().ToList();

    public IReadOnlyList<string> Tasks => Results.Select(r => r.Result.TaskName).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>Reads every results file under <paramref name="directory"/> (model_meta.json and per-query files aside).</summary>
    public static EvalSuiteSummary Load(string directory)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"{directory}: no results folder.");
        var results = new List<(string, MtebTaskResult)>();
        // Hidden entries are the kit's own: a folder being written (.NAME.*.writing), its marker file (.research-output.json).
        static IEnumerable<string> Visible(IEnumerable<string> paths) => paths.Where(p => !Path.GetFileName(p).StartsWith('.')).Order(StringComparer.Ordinal);
        foreach (var modelDir in Visible(Directory.EnumerateDirectories(directory)))
            foreach (var revisionDir in Visible(Directory.EnumerateDirectories(modelDir)))
                foreach (var file in Visible(Directory.EnumerateFiles(revisionDir, "*.json")))
                    if (Path.GetFileName(file) != "model_meta.json")
                        results.Add((Path.GetFileName(modelDir), MtebTaskResult.Read(file)));
        return From(results);
    }

    public static EvalSuiteSummary From(IEnumerable<(string Model, MtebTaskResult Result)> results) => new(results.ToList());

    /// <summary>The main score of a model on a task (its first split), or null where it was not evaluated.</summary>
    public double? MainScore(string model, string task) =>
        Results.Where(r => r.Model == model && r.Result.TaskName == task).Select(r => (double?)r.Result.Scores.Values.First()[0].MainScore).FirstOrDefault();

    /// <summary>Markdown: one row per model, one column per task (main score ×100), then the average.</summary>
    public string ToMarkdown(int decimals = 2)
    {
        var tasks = Tasks;
        var sb = new StringBuilder("| model | ").Append(string.Join(" | ", tasks)).Append(" | average |\n|---|")
            .Append(string.Concat(tasks.Select(_ => "---:|"))).Append("---:|\n");
        foreach (var model in Models)
        {
            var scores = tasks.Select(t => MainScore(model, t)).ToList();
            sb.Append("| ").Append(model).Append(" |");
            foreach (var s in scores) sb.Append(' ').Append(s is { } v ? (100 * v).ToString("F" + decimals, CultureInfo.InvariantCulture) : "").Append(" |");
            sb.Append(' ').Append(scores.All(s => s is not null) ? (100 * scores.Average(s => s!.Value)).ToString("F" + decimals, CultureInfo.InvariantCulture) : "").Append(" |\n");
        }
        return sb.ToString();
    }

    /// <summary>CSV with every value: model, task, split, hf_subset, metric, value (main_score included), evaluation_time.</summary>
    public string ToCsv()
    {
        var sb = new StringBuilder("model,task,split,hf_subset,metric,value,evaluation_time\n");
        foreach (var (model, result) in Results)
            foreach (var (split, entries) in result.Scores)
                foreach (var e in entries)
                    foreach (var (metric, value) in e.Metrics.Append(new KeyValuePair<string, double>("main_score", e.MainScore)))
                        sb.Append(Csv(model)).Append(',').Append(Csv(result.TaskName)).Append(',').Append(Csv(split)).Append(',').Append(Csv(e.HfSubset))
                            .Append(',').Append(metric).Append(',').Append(value.ToString("R", CultureInfo.InvariantCulture))
                            .Append(',').Append(result.EvaluationTime.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        return sb.ToString();
    }

    /// <summary>The main scores as a DataFrame: model, task, split, main_score, evaluation_time.</summary>
    public DataFrame ToDataFrame()
    {
        var rows = Results.SelectMany(r => r.Result.Scores.Select(s => (r.Model, r.Result.TaskName, Split: s.Key, s.Value[0].MainScore, r.Result.EvaluationTime))).ToList();
        return new DataFrame(
            new StringDataFrameColumn("model", rows.Select(r => r.Model)),
            new StringDataFrameColumn("task", rows.Select(r => r.TaskName)),
            new StringDataFrameColumn("split", rows.Select(r => r.Split)),
            new DoubleDataFrameColumn("main_score", rows.Select(r => r.MainScore)),
            new DoubleDataFrameColumn("evaluation_time", rows.Select(r => r.EvaluationTime)));
    }

    /// <summary>Writes summary.md and summary.csv into <paramref name="directory"/>; returns their paths.</summary>
    public IReadOnlyList<string> Write(string directory)
    {
        var md = Path.Combine(directory, "summary.md");
        var csv = Path.Combine(directory, "summary.csv");
        AtomicFile.WriteAllText(md, "Main scores ×100 (nDCG@10 retrieval, MAP reranking, cosine Spearman STS, max AP pair classification).\n\n" + ToMarkdown());
        AtomicFile.WriteAllText(csv, ToCsv());
        return [md, csv];
    }

    private static string Csv(string field) => field.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
}
