using System.Text.Json.Nodes;
using Research.Lib.IO;

namespace Research.Lib.Data;

/// <summary>
/// Writes a split of training examples as one folder — <c>train.jsonl</c>, <c>dev.jsonl</c>, <c>test.jsonl</c> and
/// <c>split_report.json</c> — whole or not at all (<see cref="AtomicDirectory"/>), so an interrupted run never leaves
/// parts of two different splits side by side. The report's overlap figure is checked on the parts being written, not
/// assumed: a query in two parts stops the write.
/// </summary>
public static class SplitWriter
{
    /// <param name="directory">the output folder (replaced as a whole)</param>
    /// <param name="split">the three parts</param>
    /// <param name="settings">what produced the split (input, ratios, seed, grouping), copied into the report</param>
    public static JsonObject Write(string directory, DataSplit<TrainingExample> split, IReadOnlyDictionary<string, JsonNode?> settings)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(settings);
        DataSplitter.EnsureDisjoint(split, e => e.Query);
        var report = new JsonObject();
        foreach (var (key, value) in settings) report[key] = value?.DeepClone();
        report["records"] = split.Train.Count + split.Dev.Count + split.Test.Count;
        report["train"] = split.Train.Count;
        report["dev"] = split.Dev.Count;
        report["test"] = split.Test.Count;
        report["query_overlap_between_splits"] = 0;
        AtomicDirectory.Write(directory, temp =>
        {
            TrainingExampleWriter.Write(Path.Combine(temp, "train.jsonl"), split.Train);
            TrainingExampleWriter.Write(Path.Combine(temp, "dev.jsonl"), split.Dev);
            TrainingExampleWriter.Write(Path.Combine(temp, "test.jsonl"), split.Test);
            AtomicFile.WriteAllText(Path.Combine(temp, "split_report.json"), report.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
        });
        return report;
    }
}
