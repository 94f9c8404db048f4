using System.CommandLine;
using Research.Lib.Experiments;
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
            var deviceSpec = CliOptions.ParseDevice(r.GetValue(device)!);
            var outcome = ExperimentRunner.Run(spec, ExperimentTraining.InProcess(deviceSpec, Console.WriteLine), Console.WriteLine, deviceSpec,
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
}
