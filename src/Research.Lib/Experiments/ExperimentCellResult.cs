using System.Text.Json;
using System.Text.Json.Nodes;
using Research.Lib.IO;

namespace Research.Lib.Experiments;

/// <summary>
/// What a cell left in <c>cells/{id}/cell.json</c>: done (with its main score per task and its timings) or failed
/// (with the error). A done cell is skipped when the grid runs again; a failed one is retried.
/// </summary>
public sealed record ExperimentCellResult(string Id, string Group, ulong? Seed, string Status, IReadOnlyDictionary<string, double> MainScores,
    double TrainSeconds, double EvalSeconds, string? Error, DateTimeOffset Finished)
{
    public const string FileName = "cell.json";

    public bool Done => Status == "done";

    public JsonObject ToJson()
    {
        var scores = new JsonObject();
        foreach (var (task, value) in MainScores) scores[task] = value;
        return new JsonObject
        {
            ["id"] = Id,
            ["group"] = Group,
            ["seed"] = Seed,
            ["status"] = Status,
            ["main_scores"] = scores,
            ["train_seconds"] = TrainSeconds,
            ["eval_seconds"] = EvalSeconds,
            ["error"] = Error,
            ["finished"] = Finished.ToString("O"),
        };
    }

    public void Write(string cellDirectory) =>
        AtomicFile.WriteAllText(Path.Combine(cellDirectory, FileName), ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

    /// <summary>The cell's record, or null when it has none (never run, or killed before it finished).</summary>
    public static ExperimentCellResult? Read(string cellDirectory)
    {
        var path = Path.Combine(cellDirectory, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            var o = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            return new ExperimentCellResult(o["id"]!.GetValue<string>(), o["group"]!.GetValue<string>(), o["seed"]?.GetValue<ulong>(), o["status"]!.GetValue<string>(),
                o["main_scores"]!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<double>()),
                o["train_seconds"]!.GetValue<double>(), o["eval_seconds"]!.GetValue<double>(), o["error"]?.GetValue<string>(),
                DateTimeOffset.Parse(o["finished"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is JsonException or NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: not a cell record the kit wrote ({e.Message}); delete it to rerun the cell.", e);
        }
    }
}
