using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Research.Lib.Evaluation;

using Research.Lib.IO;

namespace Research.Lib.Experiments;

/// <summary>
/// An experiment grid read from JSON: models × variants × seeds, the evaluation tasks, the baselines evaluated beside
/// them, and where results go. Paths are relative to the file. A demanding user's file looks like:
/// <code>
/// {"name": "toy_grid", "models": {"tiny-bert": "../toy_data/tiny-bert"},
///  "variants": [{"name": "infonce", "method": "supervised", "config": "../configs/infonce_toy.json", "data": "../toy_data/toy_source.json",
///                "overrides": {"epochs": 2}}],
///  "seeds": [42, 43, 44], "tasks": "../toy_data/tasks.json", "baselines": ["zero-shot", "bm25"], "keep_models": false}
/// </code>
/// Every error names the file and the field.
/// </summary>
public sealed partial record ExperimentSpec(
    string Name,
    string SourcePath,
    IReadOnlyList<(string Name, string Path)> Models,
    IReadOnlyList<ExperimentVariant> Variants,
    IReadOnlyList<ulong> Seeds,
    string TasksPath,
    IReadOnlyList<string> Baselines,
    bool KeepModels,
    string Out)
{
    public static readonly IReadOnlyList<string> Methods = ["supervised", "simcse", "esimcse", "diffcse", "reranker"];
    public static readonly IReadOnlyList<string> BaselineNames = ["zero-shot", "bm25", "hashed"];

    /// <summary>The evaluation tasks (read from <see cref="TasksPath"/>).</summary>
    public IReadOnlyList<EvalTaskSpec> Tasks { get; init; } = [];

    /// <summary>Every cell of the grid in run order: baselines first, then model × variant × seed.</summary>
    public IReadOnlyList<ExperimentCell> Cells()
    {
        var cells = new List<ExperimentCell>();
        if (Baselines.Contains("bm25")) cells.Add(new ExperimentCell("bm25", null, null, null));
        if (Baselines.Contains("hashed")) cells.Add(new ExperimentCell("hashed", null, null, null));
        if (Baselines.Contains("zero-shot"))
            foreach (var (name, path) in Models) cells.Add(new ExperimentCell(name, path, null, null));
        foreach (var (name, path) in Models)
            foreach (var variant in Variants)
                foreach (var seed in Seeds)
                    cells.Add(new ExperimentCell(name, path, variant, seed));
        return cells;
    }

    /// <summary>Reads and checks an experiment file; <paramref name="outOverride"/> replaces its "out" (default artifacts/experiments/NAME).</summary>
    public static ExperimentSpec Read(string path, string? outOverride = null)
    {
        if (Directory.Exists(path)) throw new InvalidDataException($"{path}: is a folder; expected an experiment JSON file.");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: experiment file not found.", path);
        var root = JsonFile.Parse(path);
        if (root is not JsonObject o) throw new InvalidDataException($"{path}: expected a JSON object with name, models, variants, seeds, tasks.");
        InvalidDataException Bad(string field, string reason) => new($"{path}: field '{field}': {reason}");
        foreach (var (key, _) in o)
            if (key is not ("name" or "models" or "variants" or "seeds" or "tasks" or "baselines" or "keep_models" or "out" or "description"))
                throw Bad(key, "unknown (fields: name, description, models, variants, seeds, tasks, baselines, keep_models, out).");
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string Resolve(string p) => Path.GetFullPath(Path.Combine(folder, p));
        string Str(JsonNode? node, string field) =>
            node is JsonValue v && v.TryGetValue<string>(out var s) && s.Trim().Length > 0 ? s : throw Bad(field, node is null ? "missing." : $"expected a non-empty string, found {node.ToJsonString()}.");
        string SafeName(JsonNode? node, string field)
        {
            var s = Str(node, field);
            return SafeNameRegex().IsMatch(s) ? s : throw Bad(field, $"'{s}' must be letters, digits, '.', '-' or '_' (it names folders).");
        }

        var name = SafeName(o["name"], "name");
        var baselines = new List<string>();
        if (o["baselines"] is { } b)
        {
            if (b is not JsonArray ba) throw Bad("baselines", $"expected a list of {string.Join(", ", BaselineNames)}.");
            for (var i = 0; i < ba.Count; i++)
            {
                var s = Str(ba[i], $"baselines[{i}]");
                if (!BaselineNames.Contains(s)) throw Bad($"baselines[{i}]", $"'{s}' is not one of {string.Join(", ", BaselineNames)}.");
                if (!baselines.Contains(s)) baselines.Add(s);
            }
        }
        else baselines.Add("zero-shot");

        var models = new List<(string, string)>();
        if (o["models"] is { } m)
        {
            if (m is not JsonObject mo) throw Bad("models", "expected an object of name: model folder.");
            foreach (var (modelName, node) in mo)
            {
                if (!SafeNameRegex().IsMatch(modelName) || modelName is "bm25" or "hashed")
                    throw Bad($"models.{modelName}", "a model's name must be letters, digits, '.', '-' or '_', and not bm25 or hashed.");
                var modelPath = Resolve(Str(node, $"models.{modelName}"));
                if (!Directory.Exists(modelPath)) throw Bad($"models.{modelName}", $"{modelPath} is not a model folder.");
                models.Add((modelName, modelPath));
            }
        }

        var variants = new List<ExperimentVariant>();
        if (o["variants"] is { } v)
        {
            if (v is not JsonArray va) throw Bad("variants", "expected a list of {name, method, config, data, overrides}.");
            for (var i = 0; i < va.Count; i++)
            {
                var f = $"variants[{i}]";
                if (va[i] is not JsonObject vo) throw Bad(f, "expected an object.");
                foreach (var (key, _) in vo)
                    if (key is not ("name" or "method" or "config" or "data" or "overrides" or "generator" or "eval_sts" or "eval_pairs"))
                        throw Bad($"{f}.{key}", "unknown (fields: name, method, config, data, overrides, generator, eval_sts, eval_pairs).");
                var variantName = SafeName(vo["name"], $"{f}.name");
                if (variants.Any(x => x.Name == variantName)) throw Bad($"{f}.name", $"'{variantName}' names an earlier variant too.");
                var method = vo["method"] is null ? "supervised" : Str(vo["method"], $"{f}.method");
                if (!Methods.Contains(method)) throw Bad($"{f}.method", $"'{method}' is not one of {string.Join(", ", Methods)}.");
                string? config = vo["config"] is null ? null : Resolve(Str(vo["config"], $"{f}.config"));
                if (config is not null && !File.Exists(config)) throw Bad($"{f}.config", $"{config} does not exist.");
                var data = Resolve(Str(vo["data"], $"{f}.data"));
                if (!File.Exists(data)) throw Bad($"{f}.data", $"{data} does not exist.");
                var overrides = vo["overrides"] switch
                {
                    null => new JsonObject(),
                    JsonObject over => (JsonObject)over.DeepClone(),
                    _ => throw Bad($"{f}.overrides", "expected an object of config keys and values."),
                };
                if (overrides.ContainsKey("seed")) throw Bad($"{f}.overrides.seed", "the grid's seeds set each cell's seed; list them under \"seeds\".");
                string? generator = vo["generator"] is null ? null : Resolve(Str(vo["generator"], $"{f}.generator"));
                if (method == "diffcse" && generator is null) throw Bad($"{f}.generator", "diffcse needs a generator model folder (from research train --method mlm).");
                if (generator is not null && !Directory.Exists(generator)) throw Bad($"{f}.generator", $"{generator} is not a model folder.");
                string? DevFile(string key)
                {
                    if (vo[key] is null) return null;
                    var path = Resolve(Str(vo[key], $"{f}.{key}"));
                    if (!File.Exists(path)) throw Bad($"{f}.{key}", $"{path} does not exist.");
                    if (method == "reranker") throw Bad($"{f}.{key}", "a reranker is evaluated on retrieval dev data (research train --eval), not on sentence pairs.");
                    return path;
                }
                var evalSts = DevFile("eval_sts");
                var evalPairs = DevFile("eval_pairs");
                variants.Add(new ExperimentVariant(variantName, method, config, overrides, data, generator, evalSts, evalPairs));
            }
        }
        if (variants.Count > 0 && models.Count == 0) throw Bad("models", "variants need at least one model to train.");
        if (baselines.Contains("zero-shot") && models.Count == 0 && o["baselines"] is not null) throw Bad("baselines", "zero-shot needs at least one model.");
        if (models.Count == 0) baselines.Remove("zero-shot");

        var seeds = new List<ulong>();
        if (o["seeds"] is { } s0)
        {
            if (s0 is not JsonArray sa || sa.Count == 0) throw Bad("seeds", "expected a non-empty list of integers ≥ 0.");
            for (var i = 0; i < sa.Count; i++)
            {
                if (sa[i] is not JsonValue sv || !sv.TryGetValue<ulong>(out var seed)) throw Bad($"seeds[{i}]", $"expected an integer ≥ 0, found {sa[i]?.ToJsonString() ?? "null"}.");
                if (seeds.Contains(seed)) throw Bad($"seeds[{i}]", $"{seed} is listed twice.");
                seeds.Add(seed);
            }
        }
        else seeds.Add(42);

        var tasksPath = Resolve(Str(o["tasks"], "tasks"));
        IReadOnlyList<EvalTaskSpec> tasks;
        try { tasks = EvalSuite.ReadTasks(tasksPath); }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException) { throw Bad("tasks", e.Message); }
        var keep = o["keep_models"] switch
        {
            null => true,
            JsonValue kv when kv.TryGetValue<bool>(out var k) => k,
            _ => throw Bad("keep_models", "expected true or false."),
        };
        var outDir = outOverride ?? (o["out"] is null ? Path.Combine("artifacts", "experiments", name) : Resolve(Str(o["out"], "out")));
        if (models.Count == 0 && baselines.Count == 0) throw Bad("models", "nothing to run: no models and no baselines.");
        return new ExperimentSpec(name, Path.GetFullPath(path), models, variants, seeds, tasksPath, baselines, keep, Path.GetFullPath(outDir)) { Tasks = tasks };
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex SafeNameRegex();
}
