using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Research.Cli.Tests;

/// <summary>
/// <c>research experiment run</c> on the toy grid (2 models × 2 losses × 3 seeds, zero-shot and BM25 beside
/// them), killed with SIGKILL once six cells are done and run again: the second run skips exactly the finished cells,
/// leaves their records untouched, and finishes the rest.
/// </summary>
public class ExperimentTests(CliFixture fixture) : IClassFixture<CliFixture>
{
    [Fact]
    public void KilledHalfWayTheRerunFinishesOnlyTheMissingCells()
    {
        var repo = Path.GetDirectoryName(fixture.ToyData)!;
        var grid = fixture["toy_grid_test.json"];
        File.WriteAllText(grid, """
            {"name": "toy_grid_test",
             "models": {"tiny-bert": "TOY/tiny-bert", "tiny-xlmr": "TOY/tiny-xlmr"},
             "variants": [
               {"name": "infonce", "config": "REPO/configs/infonce_toy.json", "data": "TOY/toy_source.json", "overrides": {"epochs": 1}},
               {"name": "margin-scale", "config": "REPO/configs/margin_scale_toy.json", "data": "TOY/toy_source.json", "overrides": {"epochs": 1}}],
             "seeds": [42, 43, 44], "tasks": "TOY/tasks.json", "baselines": ["zero-shot", "bm25"], "keep_models": false}
            """.Replace("TOY", fixture.ToyData).Replace("REPO", repo));
        var outDir = fixture["toy_grid_out"];
        var cells = Path.Combine(outDir, "cells");
        string[] Done() => Directory.Exists(cells)
            ? Directory.GetDirectories(cells).Where(d => File.Exists(Path.Combine(d, "cell.json"))).Select(d => Path.GetFileName(d)).Order(StringComparer.Ordinal).ToArray()
            : [];

        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { KillTests.Cli(), "experiment", "run", grid, "--out", outDir, "--device", "cpu" }) psi.ArgumentList.Add(a);
        using (var p = Process.Start(psi)!)
        {
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            while (Done().Length < 6 && !p.HasExited && clock.Elapsed < TimeSpan.FromMinutes(5)) Thread.Sleep(50);
            Assert.False(p.HasExited, "the grid finished before it could be killed half-way");
            p.Kill(); // SIGKILL
            p.WaitForExit();
        }
        var before = Done();
        Assert.InRange(before.Length, 6, 14);
        var records = before.ToDictionary(id => id, id => File.ReadAllText(Path.Combine(cells, id, "cell.json")));
        Assert.True(File.Exists(Path.Combine(outDir, "manifest.json")), "no manifest after the kill");

        var (exit, stdout, stderr) = CliHarness.Run("experiment", "run", grid, "--out", outDir, "--device", "cpu");
        Assert.True(exit == 0, stderr + stdout);
        Assert.Equal(before.Length, stdout.Split('\n').Count(l => l.EndsWith(": done earlier, skipped", StringComparison.Ordinal)));
        Assert.Contains($"experiment toy_grid_test: {15 - before.Length} cells run now, {before.Length} done earlier, 0 failed", stdout);
        Assert.Equal(15, Done().Length);
        foreach (var (id, text) in records) Assert.Equal(text, File.ReadAllText(Path.Combine(cells, id, "cell.json")));

        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "manifest.json")))!;
        Assert.All(manifest["cells"]!.AsArray(), c => Assert.Equal("done", c!["status"]!.GetValue<string>()));
        Assert.Equal(40, manifest["git_commit"]!.GetValue<string>().Length);
        Assert.Equal(["bm25", "tiny-bert / zero-shot", "tiny-xlmr / zero-shot", "tiny-bert / infonce", "tiny-bert / margin-scale", "tiny-xlmr / infonce", "tiny-xlmr / margin-scale"],
            JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "aggregate.json")))!.AsArray().Select(r => r!["group"]!.GetValue<string>()).Distinct());
        var aggregate = File.ReadAllText(Path.Combine(outDir, "aggregate.md"));
        Assert.Contains("| model / variant | ToyRetrieval | ToySTS | ToyPairs |", aggregate);
        Assert.Equal(4, aggregate.Split('\n').Count(l => l.Contains("(n=3)", StringComparison.Ordinal)));
        Assert.False(Directory.Exists(Path.Combine(cells, "tiny-bert__infonce__seed42", "model")), "keep_models false: the trained model is removed after evaluation");
    }
}

/// <summary>
/// Issue 11's resume check with a real kill, for supervised, SimCSE and masked-language-model training alike (one
/// training loop): <c>research train</c> for 40 steps (2 epochs of 20 batches) straight,
/// against a run killed with SIGKILL once its checkpoint at the end of epoch 1 (step 20) is on disk and then resumed with
/// <c>--resume</c> to the end: max |straight − resumed| ≤ 1e-6. (Killed at the mid-epoch checkpoint of step 10 the resume
/// was bit-identical in quiet runs but differed by 5.0e-6 once while other builds loaded the 2 cores: open in issue 11.)
/// </summary>
public class TrainResumeAfterKillTests(CliFixture fixture) : IClassFixture<CliFixture>
{
    /// <summary>Each method: its config (40 steps, a checkpoint at step 20, the end of epoch 1) and data.</summary>
    public static TheoryData<string, string, string> Methods() => new()
    {
        { "supervised", """
            {"loss": "InfoNce", "group_size": 3, "batch_size": 16, "epochs": 3, "max_steps": 40, "learning_rate": 0.001, "log_every": 1,
             "checkpoint_every": 20, "query_max_length": 24, "passage_max_length": 32, "seed": 7}
            """, "toy_source.json" },
        // 310 distinct sentences (312 for MLM, which keeps repeats) in batches of 16: 20 batches an epoch, as the supervised run.
        { "simcse", """
            {"batch_size": 16, "epochs": 3, "max_steps": 40, "learning_rate": 0.001, "log_every": 1, "evaluate_every": 0, "checkpoint_every": 20, "max_length": 24, "seed": 7}
            """, "toy_unsup.txt" },
        { "mlm", """
            {"batch_size": 16, "epochs": 3, "max_steps": 40, "learning_rate": 0.001, "log_every": 1, "checkpoint_every": 20, "max_length": 24, "seed": 7}
            """, "toy_unsup.txt" },
    };

    [Theory]
    [MemberData(nameof(Methods))]
    public void KilledTrainingResumedEqualsTheStraightRun(string method, string configText, string dataFile)
    {
        var config = fixture[$"resume_config_{method}.json"];
        File.WriteAllText(config, configText);
        var data = Path.Combine(fixture.ToyData, dataFile);
        string[] Args(string outDir, params string[] extra) =>
            ["train", "--method", method, "--config", config, "--model", fixture.TinyBert, "--data", data, "--device", "cpu", "--out", outDir, .. extra];

        // Every run in its own fresh process, as a user runs them (the test host's earlier tests leave torch state behind).
        static (int Exit, string Output) Run(string[] args)
        {
            var start = OneThread(new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true });
            foreach (var arg in new[] { KillTests.Cli() }.Concat(args)) start.ArgumentList.Add(arg);
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            return (process.ExitCode, output.Result + errors.Result);
        }
        var straight = fixture[$"resume_straight_{method}"];
        var (exit, log) = Run(Args(straight));
        Assert.True(exit == 0, log);

        var killed = fixture[$"resume_killed_{method}"];
        var state = killed + ".checkpoint/trainer_state.json";
        var psi = OneThread(new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true });
        foreach (var arg in new[] { KillTests.Cli() }.Concat(Args(killed))) psi.ArgumentList.Add(arg);
        using (var p = Process.Start(psi)!)
        {
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            while (!File.Exists(state) && !p.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(5);
            p.Kill(); // SIGKILL, right after the first checkpoint (end of epoch 1)
            p.WaitForExit();
        }
        Assert.True(File.Exists(state), "no checkpoint was written before the kill");
        Assert.False(Directory.Exists(killed), "the run finished before it could be killed");
        var stepAtKill = JsonNode.Parse(File.ReadAllText(state))!["Step"]!.GetValue<long>();
        Assert.Equal(20, stepAtKill);

        (exit, log) = Run(Args(killed, "--resume"));
        Assert.True(exit == 0, log);
        Assert.Contains("40 steps on ", log);
        if (method == "mlm") Assert.True(Research.Lib.Modeling.MlmHead.HasWeights(killed), "the resumed run's model folder has its head");
        using var a = Research.Lib.Modeling.SentenceEncoder.Load(straight);
        using var b = Research.Lib.Modeling.SentenceEncoder.Load(killed);
        var resumed = b.Model.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        var maxDiff = a.Model.named_parameters().Max(x => (x.parameter - resumed[x.name]).abs().max().item<float>());
        Assert.True(maxDiff <= 1e-6, $"max |straight - resumed| = {maxDiff} (killed at step {stepAtKill})");
    }

    /// <summary>
    /// One intra-op thread for a child run: the comparison is of the resume, not of how the BLAS splits a product among
    /// threads. With two threads the straight and resumed runs differed by 3.0e-6 once in a clean-clone CI run (session 8,
    /// the CLI test classes running beside each other) and never in 11 runs here alone, under two busy loops or beside the
    /// kill tests; a thread split that varies with load (MKL's dynamic threading) is the suspected cause, not proven.
    /// </summary>
    private static ProcessStartInfo OneThread(ProcessStartInfo start)
    {
        start.Environment["OMP_NUM_THREADS"] = "1";
        start.Environment["MKL_NUM_THREADS"] = "1";
        return start;
    }
}
