using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Research.Lib.Devices;
using Research.Lib.IO;

namespace Research.Lib.Experiments;

/// <summary>
/// How a grid trains its cells: in this process through <see cref="TrainingJob"/> — the code path of <c>research train</c>
/// — with the variant's config, its overrides and the cell's seed written to <c>cells/ID/config.json</c> and every log line
/// to <c>cells/ID/train.log</c>. A model already trained there (a run killed during evaluation) is reused.
/// </summary>
public static class ExperimentTraining
{
    /// <summary>The cell trainer for <see cref="ExperimentRunner.Run"/> on <paramref name="device"/>; <paramref name="log"/> also gets each line.</summary>
    public static ExperimentRunner.TrainCell InProcess(DeviceSpec device, Action<string>? log = null) => (cell, cellDir) => Train(cell, cellDir, device, log);

    private static string Train(ExperimentCell cell, string cellDir, DeviceSpec device, Action<string>? echo)
    {
        var variant = cell.Variant ?? throw new ArgumentException($"{cell.Id}: a baseline cell is not trained.");
        var modelDir = Path.Combine(cellDir, "model");
        if (File.Exists(Path.Combine(modelDir, Training.TrainingRunFolder.ArgsFile)) && File.Exists(Path.Combine(modelDir, AtomicDirectory.MarkerFile)))
        {
            echo?.Invoke($"  trained earlier: {modelDir}");
            return modelDir;
        }
        var config = variant.Config is null ? new JsonObject() : JsonFile.Parse(variant.Config).AsObject();
        Merge(config, variant.Overrides);
        config["seed"] = cell.Seed;
        var configPath = Path.Combine(cellDir, "config.json");
        AtomicFile.WriteAllText(configPath, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        var request = new TrainingRequest
        {
            Method = variant.Method,
            ConfigPath = configPath,
            Model = cell.ModelPath!,
            Data = variant.Data,
            Out = modelDir,
            Generator = variant.Generator,
            EvalSts = variant.EvalSts,
            EvalPairs = variant.EvalPairs,
            Devices = [device],
        };
        using var log = new StreamWriter(Path.Combine(cellDir, "train.log"), append: false, AtomicFile.Utf8NoBom) { AutoFlush = true };
        void Line(string line)
        {
            log.WriteLine(line);
            echo?.Invoke(line);
        }
        Line(string.Create(CultureInfo.InvariantCulture, $"train --method {variant.Method} --config {configPath} --model {cell.ModelPath} --data {variant.Data} --out {modelDir} --device {device}")
            + (variant.Generator is null ? "" : $" --generator {variant.Generator}")
            + (variant.EvalSts is null ? "" : $" --eval-sts {variant.EvalSts}")
            + (variant.EvalPairs is null ? "" : $" --eval-pairs {variant.EvalPairs}"));
        try
        {
            var outcome = TrainingJob.Run(request, e => Line(e.ToConsoleLine()));
            Line(outcome.Summary(variant.Method, modelDir));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Line($"error: {e.Message}");
            throw new InvalidOperationException($"training failed: {e.Message} (log: {Path.Combine(cellDir, "train.log")})", e);
        }
        return modelDir;
    }

    /// <summary>Config overrides: objects merge key by key, anything else replaces.</summary>
    private static void Merge(JsonObject target, JsonObject overrides)
    {
        foreach (var (key, value) in overrides)
        {
            if (value is JsonObject o && target[key] is JsonObject t) Merge(t, o);
            else target[key] = value?.DeepClone();
        }
    }
}
