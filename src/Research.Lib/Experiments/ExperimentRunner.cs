using System.Diagnostics;
using System.Globalization;
using Research.Lib.Devices;
using Research.Lib.Evaluation;
using Research.Lib.IO;
using Research.Lib.Modeling;

namespace Research.Lib.Experiments;

/// <summary>
/// Runs an experiment grid cell by cell: each cell trains (through the caller's <see cref="TrainCell"/>, so the grid
/// trains exactly as <c>research train</c> does) and is evaluated on the grid's tasks with <see cref="EvalSuite"/>;
/// its record (<see cref="ExperimentCellResult"/>) is written last. A cell that throws is recorded as failed and the
/// rest continue; a rerun skips the cells already done, retries the failed ones and finishes the missing ones. After
/// every cell the manifest is rewritten, and at the end the seeds are aggregated (<see cref="ExperimentAggregate"/>)
/// and the mteb results are tabulated (<see cref="EvalSuiteSummary"/>). Layout under <see cref="ExperimentSpec.Out"/>:
/// <c>manifest.json</c>, <c>aggregate.{md,csv,json}</c>, <c>results/</c> (mteb layout, one model per cell, with
/// <c>summary.{md,csv}</c>), <c>cells/{id}/</c> (cell.json, the trained model unless keep_models is false).
/// </summary>
public static class ExperimentRunner
{
    /// <summary>Trains a cell into <c>{cellDirectory}/model</c> (or finds it trained there) and returns that folder.</summary>
    public delegate string TrainCell(ExperimentCell cell, string cellDirectory);

    /// <summary>How a run went: cells skipped as done earlier, run now, failed now (id and error).</summary>
    public sealed record Outcome(int Skipped, int Ran, IReadOnlyList<(string Id, string Error)> Failed, ExperimentAggregate Aggregate);

    public static Outcome Run(ExperimentSpec spec, TrainCell train, Action<string> log, DeviceSpec? device = null, EncodeOptions? encode = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(log);
        Directory.CreateDirectory(spec.Out);
        using var _ = Lock(spec.Out);
        var started = DateTimeOffset.UtcNow;
        var hashes = ExperimentManifest.HashInputs(spec);
        var grid = spec.Cells();
        var records = grid.Select(c => ExperimentCellResult.Read(CellDirectory(spec, c))).ToList();
        var deviceName = (device ?? DeviceSpec.Cpu).ToString();
        var results = Path.Combine(spec.Out, "results");
        var skipped = 0;
        var failed = new List<(string, string)>();
        log($"experiment {spec.Name}: {grid.Count} cells ({spec.Models.Count} models × {spec.Variants.Count} variants × {spec.Seeds.Count} seeds"
            + $" + {grid.Count(c => c.IsBaseline)} baselines), {spec.Tasks.Count} tasks; {records.Count(r => r?.Done == true)} done earlier -> {spec.Out}");
        for (var i = 0; i < grid.Count; i++)
        {
            var cell = grid[i];
            var prefix = $"[{i + 1}/{grid.Count}] {cell.Id}";
            if (records[i]?.Done == true)
            {
                skipped++;
                log($"{prefix}: done earlier, skipped");
                continue;
            }
            var cellDir = CellDirectory(spec, cell);
            Directory.CreateDirectory(cellDir);
            var trainClock = Stopwatch.StartNew();
            double trainSeconds = 0;
            try
            {
                log(prefix + (cell.IsBaseline ? ": evaluating" : ": training"));
                var modelSpec = cell.IsBaseline ? cell.ModelPath ?? cell.Model : train(cell, cellDir);
                trainSeconds = cell.IsBaseline ? 0 : trainClock.Elapsed.TotalSeconds;
                var evalClock = Stopwatch.StartNew();
                var scores = new Dictionary<string, double>(StringComparer.Ordinal);
                using (var model = EvalSuiteModel.Load(modelSpec, device, cell.Id))
                    foreach (var r in EvalSuite.Run(model, spec.Tasks, results, encode, line => log("  " + line)))
                        scores[r.TaskName] = r.Scores.Values.First()[0].MainScore;
                if (!spec.KeepModels && !cell.IsBaseline && Directory.Exists(Path.Combine(cellDir, "model")))
                    Directory.Delete(Path.Combine(cellDir, "model"), recursive: true);
                records[i] = new ExperimentCellResult(cell.Id, cell.Group, cell.Seed, "done", scores, Math.Round(trainSeconds, 2),
                    Math.Round(evalClock.Elapsed.TotalSeconds, 2), null, DateTimeOffset.UtcNow);
                log(string.Create(CultureInfo.InvariantCulture, $"{prefix}: done in {trainClock.Elapsed.TotalSeconds:0.0} s"));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                var message = e is AggregateException { InnerException: { } inner } ? inner.Message : e.Message;
                failed.Add((cell.Id, message));
                log($"{prefix}: FAILED ({e.GetType().Name}): {message}; the other cells go on, and a rerun retries this one");
                var stale = Path.Combine(results, MtebTaskResult.SafeName(cell.Id));
                if (Directory.Exists(stale)) Directory.Delete(stale, recursive: true); // no half-evaluated cell in the tables
                records[i] = new ExperimentCellResult(cell.Id, cell.Group, cell.Seed, "failed", new Dictionary<string, double>(),
                    Math.Round(trainSeconds, 2), 0, message, DateTimeOffset.UtcNow);
            }
            records[i]!.Write(cellDir);
            ExperimentManifest.Write(spec.Out, ExperimentManifest.Build(spec, records, grid, started, null, deviceName, hashes));
            Aggregate(spec, records); // after every cell, so a long grid stopped half-way still has its table
        }
        var aggregate = Aggregate(spec, records);
        if (Directory.Exists(results))
        {
            var summary = EvalSuiteSummary.Load(results);
            if (summary.Results.Count > 0) summary.Write(results);
        }
        ExperimentManifest.Write(spec.Out, ExperimentManifest.Build(spec, records, grid, started, DateTimeOffset.UtcNow, deviceName, hashes));
        log($"experiment {spec.Name}: {grid.Count - skipped - failed.Count} cells run now, {skipped} done earlier, {failed.Count} failed");
        return new Outcome(skipped, grid.Count - skipped, failed, aggregate);
    }

    /// <summary>
    /// The state of a grid without running anything: each cell's record (null: not run yet, or killed before it
    /// finished); the aggregate of the done cells is (re)written when there are any.
    /// </summary>
    public static (IReadOnlyList<ExperimentCell> Grid, IReadOnlyList<ExperimentCellResult?> Records, ExperimentAggregate Aggregate) Status(ExperimentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var grid = spec.Cells();
        var records = grid.Select(c => ExperimentCellResult.Read(CellDirectory(spec, c))).ToList();
        return (grid, records, Aggregate(spec, records));
    }

    private static ExperimentAggregate Aggregate(ExperimentSpec spec, IReadOnlyList<ExperimentCellResult?> records)
    {
        var aggregate = ExperimentAggregate.From(records.Where(r => r is not null)!, spec.Tasks.Select(t => t.Name).ToList());
        if (records.Any(r => r?.Done == true) && Directory.Exists(spec.Out)) aggregate.Write(spec.Out);
        return aggregate;
    }

    /// <summary>Where a cell keeps its record, config, log and model.</summary>
    public static string CellDirectory(ExperimentSpec spec, ExperimentCell cell) => Path.Combine(spec.Out, "cells", cell.Id);

    /// <summary>The pid of a live run holding <paramref name="outDir"/>'s lock, if any.</summary>
    public static int? ActiveRun(string outDir)
    {
        var path = Path.Combine(outDir, ".lock");
        return File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), out var pid) && ProcessLiveness.IsAlive(pid) ? pid : null;
    }

    /// <summary>One run at a time per output folder: a lock file with the owner's pid (a dead owner's lock is taken over).</summary>
    private static IDisposable Lock(string outDir)
    {
        var path = Path.Combine(outDir, ".lock");
        if (ActiveRun(outDir) is { } pid && pid != Environment.ProcessId)
            throw new IOException($"{outDir}: another experiment run (pid {pid}) is writing here; wait for it or stop it.");
        File.WriteAllText(path, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        return new LockRelease(path);
    }

    private sealed class LockRelease(string path) : IDisposable
    {
        public void Dispose() { try { File.Delete(path); } catch (IOException) { } }
    }
}
