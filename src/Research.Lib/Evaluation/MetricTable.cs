using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Analysis;
using Research.Lib.IO;

namespace Research.Lib.Evaluation;

/// <summary>
/// Evaluation results of one or more models (model, task, split, metric, value) as the tables researchers paste:
/// Markdown with models side by side, a Microsoft.Data.Analysis DataFrame for notebooks, and MTEB's results JSON
/// (<c>{model}/{task}.json</c>: task_name, scores per split with main_score and every metric).
/// </summary>
public sealed class MetricTable
{
    private readonly List<MetricRow> _rows = [];
    private readonly Dictionary<string, string> _mainScores = new(StringComparer.Ordinal);

    public IReadOnlyList<MetricRow> Rows => _rows;

    /// <summary>Adds a model's metrics for a task and split; <paramref name="mainScore"/> names the task's headline metric.</summary>
    public MetricTable Add(string model, string task, string split, IReadOnlyDictionary<string, double> metrics, string mainScore)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        if (!metrics.ContainsKey(mainScore))
            throw new ArgumentException($"main score '{mainScore}' is not among the metrics ({string.Join(", ", metrics.Keys)}).", nameof(mainScore));
        foreach (var (metric, value) in metrics)
        {
            if (_rows.Any(r => r.Model == model && r.Task == task && r.Split == split && r.Metric == metric))
                throw new ArgumentException($"{model} / {task} / {split} already has a value for {metric}.");
            _rows.Add(new MetricRow(model, task, split, metric, value));
        }
        _mainScores[task] = mainScore;
        return this;
    }

    public IReadOnlyList<string> Models => _rows.Select(r => r.Model).Distinct().ToList();

    /// <summary>Markdown: one row per (task, split, metric), one column per model, values to <paramref name="decimals"/> places.</summary>
    public string ToMarkdown(IEnumerable<string>? metrics = null, int decimals = 4)
    {
        var keep = metrics?.ToHashSet(StringComparer.Ordinal);
        var models = Models;
        var sb = new StringBuilder("| task | split | metric | ").Append(string.Join(" | ", models)).Append(" |\n|---|---|---|")
            .Append(string.Concat(models.Select(_ => "---:|"))).Append('\n');
        var keys = _rows.Where(r => keep is null || keep.Contains(r.Metric)).Select(r => (r.Task, r.Split, r.Metric)).Distinct();
        foreach (var (task, split, metric) in keys)
        {
            sb.Append($"| {task} | {split} | {metric} |");
            foreach (var model in models)
            {
                var row = _rows.FirstOrDefault(r => r.Model == model && r.Task == task && r.Split == split && r.Metric == metric);
                sb.Append(' ').Append(row is null ? "" : row.Value.ToString("F" + decimals, CultureInfo.InvariantCulture)).Append(" |");
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>The rows as a DataFrame with columns model, task, split, metric, value.</summary>
    public DataFrame ToDataFrame() => new(
        new StringDataFrameColumn("model", _rows.Select(r => r.Model)),
        new StringDataFrameColumn("task", _rows.Select(r => r.Task)),
        new StringDataFrameColumn("split", _rows.Select(r => r.Split)),
        new StringDataFrameColumn("metric", _rows.Select(r => r.Metric)),
        new DoubleDataFrameColumn("value", _rows.Select(r => r.Value)));

    /// <summary>Writes <c>{directory}/{model}/{task}.json</c> in MTEB's results layout for every model and task; returns the paths.</summary>
    public IReadOnlyList<string> WriteMtebJson(string directory, IReadOnlyList<string>? languages = null)
    {
        var paths = new List<string>();
        foreach (var group in _rows.GroupBy(r => (r.Model, r.Task)))
        {
            var scores = new JsonObject();
            foreach (var split in group.GroupBy(r => r.Split))
            {
                var entry = new JsonObject { ["hf_subset"] = "default", ["languages"] = new JsonArray((languages ?? []).Select(l => (JsonNode)l).ToArray()) };
                foreach (var r in split) entry[r.Metric] = r.Value;
                entry["main_score"] = split.First(r => r.Metric == _mainScores[group.Key.Task]).Value;
                scores[split.Key] = new JsonArray(entry);
            }
            var json = new JsonObject
            {
                ["dataset_revision"] = "unknown",
                ["task_name"] = group.Key.Task,
                ["mteb_version"] = MtebTaskResult.LayoutVersion,
                ["model_name"] = group.Key.Model,
                ["scores"] = scores,
                ["evaluation_time"] = null,
                ["kg_co2_emissions"] = null,
            };
            var path = Path.Combine(directory, Safe(group.Key.Model), Safe(group.Key.Task) + ".json");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            AtomicFile.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            paths.Add(path);
        }
        return paths;
    }

    private static string Safe(string name) => string.Concat(name.Select(c => Path.GetInvalidFileNameChars().Contains(c) || c == ' ' ? '_' : c));
}
