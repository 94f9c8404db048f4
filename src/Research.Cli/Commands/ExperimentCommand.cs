using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Research.Lib.Experiments;
using Research.Lib.IO;
using Research.Lib.Modeling;

namespace Research.Cli.Commands;

/// <summary><c>research experiment run FILE</c>: a grid of models × variants × seeds, trained and evaluated, resumable.</summary>
internal static class ExperimentCommand
{
    public static Command Create()
    {
        var experiment = new Command("experiment", "Run experiment grids (models × training variants × seeds) with baselines, aggregated over seeds, with a run manifest.");
        var file = new Argument<string>("file") { Description = "Experiment JSON (see experiments/toy_grid.json): name, models, variants, seeds, tasks, baselines, keep_models, out." };
        var out_ = new Option<string?>("--out") { Description = "Results folder (default: the file's \"out\", else artifacts/experiments/NAME)." };
        var device = CliOptions.Device();
        var batch = new Option<int>("--batch-size") { Description = "Evaluation batch size.", DefaultValueFactory = _ => 32 };
        var run = new Command("run", "Run every cell not done yet (a rerun skips finished cells and retries failed ones); aggregate mean ± sd over seeds; write manifest.json.")
        {
            file, out_, device, batch,
        };
        run.SetAction(r => CliErrors.Run(() =>
        {
            var spec = ExperimentSpec.Read(r.GetValue(file)!, r.GetValue(out_));
            var deviceText = r.GetValue(device)!;
            var deviceSpec = CliOptions.ParseDevice(deviceText);
            var outcome = ExperimentRunner.Run(spec, (cell, dir) => Train(cell, dir, deviceText), Console.WriteLine, deviceSpec,
                new EncodeOptions { BatchSize = CliOptions.Positive("--batch-size", r.GetValue(batch)) });
            Console.Write(outcome.Aggregate.ToMarkdown());
            Console.WriteLine($"manifest, aggregate.md/csv/json and results/ in {spec.Out}");
            if (outcome.Failed.Count > 0)
            {
                Console.Error.WriteLine($"{outcome.Failed.Count} of {spec.Cells().Count} cells failed: " + string.Join("; ", outcome.Failed.Select(f => $"{f.Id}: {f.Error}")));
                throw new CliExit(1);
            }
        }));
        experiment.Subcommands.Add(run);
        var statusFile = new Argument<string>("file") { Description = "Experiment JSON." };
        var statusOut = new Option<string?>("--out") { Description = "Results folder, if not the file's." };
        var status = new Command("status", "Each cell's state (done with its main scores, failed with its error, or not run yet) and the aggregate of the done cells, without running anything.")
        {
            statusFile, statusOut,
        };
        status.SetAction(r => CliErrors.Run(() =>
        {
            var spec = ExperimentSpec.Read(r.GetValue(statusFile)!, r.GetValue(statusOut));
            var (grid, records, aggregate) = ExperimentRunner.Status(spec);
            for (var i = 0; i < grid.Count; i++)
            {
                var rec = records[i];
                var detail = rec is null ? "not run yet"
                    : rec.Done ? string.Join(", ", rec.MainScores.Select(kv => $"{kv.Key} {kv.Value:0.0000}")) + $" (train {rec.TrainSeconds:0} s, eval {rec.EvalSeconds:0} s)"
                    : $"failed: {rec.Error}";
                Console.WriteLine($"{grid[i].Id}: {detail}");
            }
            Console.WriteLine($"{records.Count(x => x?.Done == true)} of {grid.Count} cells done, {records.Count(x => x is { Done: false })} failed");
            if (ExperimentRunner.ActiveRun(spec.Out) is { } pid)
                Console.WriteLine($"a run (pid {pid}) is working on the first cell not done yet");
            if (aggregate.Rows.Count > 0) Console.Write(aggregate.ToMarkdown());
        }));
        experiment.Subcommands.Add(status);
        return experiment;
    }

    /// <summary>
    /// Trains one cell with <c>research train</c> itself (same parser, same code): the variant's config with its
    /// overrides and the cell's seed is written to cells/ID/config.json, the console is copied to cells/ID/train.log.
    /// A model already trained there (a run killed during evaluation) is reused.
    /// </summary>
    private static string Train(ExperimentCell cell, string cellDir, string device)
    {
        var variant = cell.Variant!;
        var modelDir = Path.Combine(cellDir, "model");
        if (File.Exists(Path.Combine(modelDir, "training_args.json")) && File.Exists(Path.Combine(modelDir, AtomicDirectory.MarkerFile)))
        {
            Console.WriteLine($"  trained earlier: {modelDir}");
            return modelDir;
        }
        var config = variant.Config is null ? new JsonObject() : JsonNode.Parse(File.ReadAllText(variant.Config))!.AsObject();
        Merge(config, variant.Overrides);
        config["seed"] = cell.Seed;
        var configPath = Path.Combine(cellDir, "config.json");
        AtomicFile.WriteAllText(configPath, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        var args = new List<string> { "train", "--method", variant.Method, "--config", configPath, "--model", cell.ModelPath!, "--data", variant.Data, "--out", modelDir, "--device", device };
        if (variant.Generator is not null) args.AddRange(["--generator", variant.Generator]);
        var console = Console.Out;
        var errors = Console.Error;
        var captured = new StringWriter();
        int exit;
        using (var log = new StreamWriter(Path.Combine(cellDir, "train.log"), append: false, AtomicFile.Utf8NoBom) { AutoFlush = true })
        {
            log.WriteLine("research " + string.Join(' ', args));
            Console.SetOut(new TeeWriter(console, log));
            Console.SetError(new TeeWriter(errors, new TeeWriter(log, captured)));
            try { exit = CliApp.Create().Parse(args.ToArray()).Invoke(); }
            finally
            {
                Console.SetOut(console);
                Console.SetError(errors);
            }
        }
        if (exit != 0)
            throw new InvalidOperationException($"research train exited {exit}: {captured.ToString().Trim().Split('\n').LastOrDefault() ?? "no message"} (log: {Path.Combine(cellDir, "train.log")})");
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
