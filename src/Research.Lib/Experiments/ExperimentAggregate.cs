using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Research.Lib.IO;

namespace Research.Lib.Experiments;

/// <summary>
/// Main scores of a grid's finished cells, aggregated over seeds per (group, task): mean, sample standard deviation
/// (n − 1; none for a single value) and n. Written as Markdown (×100, "mean ± sd"), CSV and JSON.
/// </summary>
public sealed class ExperimentAggregate
{
    public sealed record Row(string Group, string Task, int N, double Mean, double? Sd, IReadOnlyList<double> Values);

    private ExperimentAggregate(IReadOnlyList<Row> rows, IReadOnlyList<string> tasks) { Rows = rows; Tasks = tasks; }

    public IReadOnlyList<Row> Rows { get; }

    public IReadOnlyList<string> Tasks { get; }

    /// <summary>Aggregates the done cells, groups in first-seen order, tasks in the order given.</summary>
    public static ExperimentAggregate From(IEnumerable<ExperimentCellResult> cells, IReadOnlyList<string> tasks)
    {
        var done = cells.Where(c => c.Done).ToList();
        var rows = new List<Row>();
        foreach (var group in done.Select(c => c.Group).Distinct())
            foreach (var task in tasks)
            {
                var values = done.Where(c => c.Group == group && c.MainScores.ContainsKey(task)).OrderBy(c => c.Seed ?? 0).Select(c => c.MainScores[task]).ToList();
                if (values.Count > 0) rows.Add(new Row(group, task, values.Count, values.Average(), StandardDeviation(values), values));
            }
        return new ExperimentAggregate(rows, tasks);
    }

    /// <summary>Reads the aggregate.json a run wrote into <paramref name="directory"/>.</summary>
    public static ExperimentAggregate Read(string directory)
    {
        var path = Path.Combine(directory, "aggregate.json");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no aggregate; run the grid first (research experiment run FILE).", path);
        var rows = JsonNode.Parse(File.ReadAllText(path))!.AsArray().Select(n => new Row(n!["group"]!.GetValue<string>(), n["task"]!.GetValue<string>(), n["n"]!.GetValue<int>(),
            n["mean"]!.GetValue<double>(), n["sd"]?.GetValue<double>(), n["values"]!.AsArray().Select(v => v!.GetValue<double>()).ToList())).ToList();
        return new ExperimentAggregate(rows, rows.Select(r => r.Task).Distinct().ToList());
    }

    /// <summary>Sample standard deviation (n − 1); null for fewer than two values.</summary>
    public static double? StandardDeviation(IReadOnlyList<double> values)
    {
        if (values.Count < 2) return null;
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }

    /// <summary>One row per group, one column per task: 100 × mean ± sd, with n where it is not 1.</summary>
    public string ToMarkdown()
    {
        var sb = new StringBuilder("| model / variant | ").Append(string.Join(" | ", Tasks)).Append(" |\n|---|").Append(string.Concat(Tasks.Select(_ => "---:|"))).Append('\n');
        foreach (var group in Rows.Select(r => r.Group).Distinct())
        {
            sb.Append("| ").Append(group).Append(" |");
            foreach (var task in Tasks)
            {
                var row = Rows.FirstOrDefault(r => r.Group == group && r.Task == task);
                sb.Append(' ').Append(row is null ? "" : Format(row)).Append(" |");
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static string Format(Row row) => row.Sd is { } sd
        ? string.Create(CultureInfo.InvariantCulture, $"{100 * row.Mean:0.00} ± {100 * sd:0.00} (n={row.N})")
        : string.Create(CultureInfo.InvariantCulture, $"{100 * row.Mean:0.00}");

    public string ToCsv()
    {
        var sb = new StringBuilder("group,task,n,mean,sd,values\n");
        foreach (var r in Rows)
            sb.Append('"').Append(r.Group.Replace("\"", "\"\"")).Append("\",").Append(r.Task).Append(',').Append(r.N).Append(',')
              .Append(r.Mean.ToString("R", CultureInfo.InvariantCulture)).Append(',').Append(r.Sd?.ToString("R", CultureInfo.InvariantCulture) ?? "")
              .Append(',').Append(string.Join(' ', r.Values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))).Append('\n');
        return sb.ToString();
    }

    public JsonArray ToJson() => new(Rows.Select(r => (JsonNode)new JsonObject
    {
        ["group"] = r.Group,
        ["task"] = r.Task,
        ["n"] = r.N,
        ["mean"] = r.Mean,
        ["sd"] = r.Sd,
        ["values"] = new JsonArray(r.Values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()),
    }).ToArray());

    /// <summary>Writes aggregate.md, aggregate.csv and aggregate.json into <paramref name="directory"/>.</summary>
    public void Write(string directory)
    {
        AtomicFile.WriteAllText(Path.Combine(directory, "aggregate.md"), "Main scores ×100, mean ± sample sd over seeds.\n\n" + ToMarkdown());
        AtomicFile.WriteAllText(Path.Combine(directory, "aggregate.csv"), ToCsv());
        AtomicFile.WriteAllText(Path.Combine(directory, "aggregate.json"), ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
