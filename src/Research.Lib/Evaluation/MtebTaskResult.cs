using System.Text.Json;
using System.Text.Json.Nodes;
using Research.Lib.IO;

namespace Research.Lib.Evaluation;

/// <summary>
/// One task's results in the layout of the mteb package's results files (its <c>TaskResult</c>):
/// <c>dataset_revision</c>, <c>task_name</c>, <c>mteb_version</c>, <c>scores</c> (split → list of
/// {metrics..., <c>main_score</c>, <c>hf_subset</c>, <c>languages</c>}), <c>evaluation_time</c> (seconds) and
/// <c>kg_co2_emissions</c> (null: not tracked). Values are fractions as mteb stores them (an STS Spearman of 0.82,
/// not 82). <see cref="MtebVersion"/> names the mteb release whose layout the file follows (≥ 1.11, so mteb reads it
/// as current rather than converting a legacy file); the kit that wrote it is named in the model's
/// <c>model_meta.json</c>. The folder layout is mteb's: <c>{results}/{model}/{revision}/{task}.json</c>.
/// </summary>
public sealed record MtebTaskResult(
    string TaskName,
    string DatasetRevision,
    IReadOnlyDictionary<string, IReadOnlyList<MtebSplitScores>> Scores,
    double EvaluationTime,
    double? KgCo2Emissions = null)
{
    /// <summary>The mteb results layout these files follow.</summary>
    public const string LayoutVersion = "1.14.0";

    /// <summary>The revision folder mteb uses for a model without a known revision.</summary>
    public const string NoRevision = "no_revision_available";

    public string MtebVersion { get; init; } = LayoutVersion;

    /// <summary>The main score of a split's first subset.</summary>
    public double MainScore(string split) => Scores.TryGetValue(split, out var list) && list.Count > 0
        ? list[0].MainScore
        : throw new KeyNotFoundException($"{TaskName}: no scores for split '{split}'; there are: {string.Join(", ", Scores.Keys)}.");

    public JsonObject ToJson()
    {
        var scores = new JsonObject();
        foreach (var (split, entries) in Scores)
        {
            var list = new JsonArray();
            foreach (var e in entries)
            {
                var o = new JsonObject();
                foreach (var (metric, value) in e.Metrics)
                    if (metric is not ("main_score" or "hf_subset" or "languages")) o[metric] = value;
                o["main_score"] = e.MainScore;
                o["hf_subset"] = e.HfSubset;
                o["languages"] = new JsonArray(e.Languages.Select(l => (JsonNode)JsonValue.Create(l)!).ToArray());
                list.Add(o);
            }
            scores[split] = list;
        }
        return new JsonObject
        {
            ["dataset_revision"] = DatasetRevision,
            ["task_name"] = TaskName,
            ["mteb_version"] = MtebVersion,
            ["scores"] = scores,
            ["evaluation_time"] = EvaluationTime,
            ["kg_co2_emissions"] = KgCo2Emissions,
        };
    }

    /// <summary>Writes <c>{directory}/{TaskName}.json</c> atomically; returns its path.</summary>
    public string Write(string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, SafeName(TaskName) + ".json");
        AtomicFile.WriteAllText(path, ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return path;
    }

    /// <summary>Reads a results file, checking mteb's keys and their types; errors name the file and the field.</summary>
    public static MtebTaskResult Read(string path)
    {
        var root = JsonFile.Parse(path);
        if (root is not JsonObject o) throw new InvalidDataException($"{path}: expected a JSON object (an mteb results file).");
        string Str(string key) => o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw Bad(key, "a string");
        InvalidDataException Bad(string key, string expected) => new($"{path}: field '{key}': expected {expected}, found {o[key]?.ToJsonString() ?? "nothing"}.");
        if (o["evaluation_time"] is not JsonValue t || !t.TryGetValue<double>(out var time)) throw Bad("evaluation_time", "a number (seconds)");
        double? co2 = o["kg_co2_emissions"] switch { null => null, JsonValue c when c.TryGetValue<double>(out var kg) => kg, _ => throw Bad("kg_co2_emissions", "a number or null") };
        if (o["scores"] is not JsonObject scores || scores.Count == 0) throw Bad("scores", "an object of splits");
        var parsed = new Dictionary<string, IReadOnlyList<MtebSplitScores>>(StringComparer.Ordinal);
        foreach (var (split, node) in scores)
        {
            if (node is not JsonArray entries || entries.Count == 0) throw Bad("scores", $"a non-empty list under '{split}'");
            var list = new List<MtebSplitScores>();
            foreach (var entry in entries)
            {
                var field = $"scores.{split}[{list.Count}]";
                if (entry is not JsonObject e) throw new InvalidDataException($"{path}: field '{field}': expected an object.");
                if (e["main_score"] is not JsonValue m || !m.TryGetValue<double>(out var main))
                    throw new InvalidDataException($"{path}: field '{field}.main_score': expected a number.");
                if (e["hf_subset"] is not JsonValue h || !h.TryGetValue<string>(out var subset))
                    throw new InvalidDataException($"{path}: field '{field}.hf_subset': expected a string.");
                if (e["languages"] is not JsonArray langs || langs.Any(l => l is not JsonValue lv || !lv.TryGetValue<string>(out _)))
                    throw new InvalidDataException($"{path}: field '{field}.languages': expected a list of strings.");
                var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
                foreach (var (name, value) in e)
                    if (name is not ("main_score" or "hf_subset" or "languages") && value is JsonValue v && v.TryGetValue<double>(out var d))
                        metrics[name] = d;
                list.Add(new MtebSplitScores(subset, langs.Select(l => l!.GetValue<string>()).ToList(), main, metrics));
            }
            parsed[split] = list;
        }
        return new MtebTaskResult(Str("task_name"), Str("dataset_revision"), parsed, time, co2) { MtebVersion = Str("mteb_version") };
    }

    /// <summary>A task or model name as a file or folder name (path separators and spaces become '_', as mteb does for '/').</summary>
    public static string SafeName(string name) =>
        string.Concat(name.Select(c => Path.GetInvalidFileNameChars().Contains(c) || c is ' ' or '/' or '\\' ? '_' : c));
}
