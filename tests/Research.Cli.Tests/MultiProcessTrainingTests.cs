using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Research.Lib.Devices;
using Research.Lib.Modeling;

namespace Research.Cli.Tests;

/// <summary>
/// Data-parallel training over 2 processes on this machine (Gloo over TCP on the loopback): started by
/// <c>research launch</c> or with torchrun's variables by hand, compared with one process on the same global batch.
/// The model is the tiny BERT without dropout (dropout masks of a slice cannot equal those of the whole batch), first
/// trained for an epoch so that its gradients carry signal (from the random initialisation every embedding is nearly the
/// same, the gradient a near-cancelling sum, and AdamW's normalised steps turn rounding into visible differences).
/// </summary>
public sealed class MultiProcessTrainingTests(MultiProcessTrainingTests.WarmModel warm) : IClassFixture<MultiProcessTrainingTests.WarmModel>
{
    private readonly string _dir = warm.Dir;
    private readonly string _data = warm.Data;
    private readonly string _model = warm.Model;

    /// <summary>The tiny BERT without dropout, trained for 60 steps in one process (shared by the tests of this class).</summary>
    public sealed class WarmModel : IDisposable
    {
        public WarmModel()
        {
            var repo = new DirectoryInfo(AppContext.BaseDirectory);
            while (!File.Exists(Path.Combine(repo!.FullName, "Research.sln"))) repo = repo.Parent;
            Data = Path.Combine(repo.FullName, "toy_data", "toy_source.json");
            var source = Path.Combine(repo.FullName, "toy_data", "tiny-bert");
            var tiny = Path.Combine(Dir, "tiny");
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(tiny, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
            var config = Path.Combine(tiny, "config.json");
            File.WriteAllText(config, File.ReadAllText(config).Replace("\"hidden_dropout_prob\": 0.1", "\"hidden_dropout_prob\": 0.0").Replace("\"attention_probs_dropout_prob\": 0.1", "\"attention_probs_dropout_prob\": 0.0"));
            Assert.Contains("\"attention_probs_dropout_prob\": 0.0", File.ReadAllText(config));
            Model = Path.Combine(Dir, "model");
            var (exit, output, error) = CliHarness.Run("train", "--config", WriteConfig(Dir, "warm", 2e-3, maxSteps: 60), "--model", tiny, "--data", Data, "--out", Model, "--device", "cpu");
            Assert.True(exit == 0, output + error);
        }

        public string Dir { get; } = Directory.CreateTempSubdirectory("research-multiprocess-").FullName;
        public string Data { get; }
        public string Model { get; }

        public void Dispose()
        {
            try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void TwoProcessesTrainTheParametersOneProcessTrainsOnTheSameGlobalBatch()
    {
        var config = Config("ten", 1e-4, maxSteps: 10);
        var one = Path.Combine(_dir, "one");
        var (exit, output, error) = CliHarness.Run("train", "--config", config, "--model", _model, "--data", _data, "--out", one, "--device", "cpu");
        Assert.True(exit == 0, output + error);
        var two = Path.Combine(_dir, "two");
        var launched = Research("launch", "--nproc-per-node", "2", "--", "train", "--config", config, "--model", _model, "--data", _data, "--out", two, "--device", "cpu");
        Assert.True(launched.Exit == 0, launched.Output);
        Assert.Contains($"10 steps on 318 records (2 processes) -> {two}", launched.Output);
        Assert.Contains($"[rank 1] rank 1 of 2: 10 steps on 318 records, the batches shared with the other processes; rank 0 wrote {two}", launched.Output);

        // The loss of every step is the whole batch's (each query against all 6 × 3 passages, of both processes): a
        // process that saw only its own passages as negatives would log another loss.
        var losses = Losses(output);
        Assert.Equal(10, losses.Count);
        Assert.Equal(losses, Losses(launched.Output));

        // The parameters: equal within 1e-5 after 10 steps (measured: 7e-7), having moved by more than 1e-4. Attention key
        // biases are left out: their gradient is zero in exact arithmetic (the softmax over keys does not change when the
        // same number is added to every score of a query), so AdamW's normalised step turns rounding noise into moves of
        // up to the learning rate, in one process as in two (one thread against two differs there as much).
        var (start, a, b) = (Safetensors.Read(Path.Combine(_model, "model.safetensors")), Safetensors.Read(Path.Combine(one, "model.safetensors")), Safetensors.Read(Path.Combine(two, "model.safetensors")));
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        double moved = 0, differ = 0;
        foreach (var key in a.Keys.Where(k => !k.Contains("attention.self.key.bias", StringComparison.Ordinal)))
        {
            moved = Math.Max(moved, (a[key] - start[key]).abs().max().item<float>());
            differ = Math.Max(differ, (a[key] - b[key]).abs().max().item<float>());
        }
        Assert.True(moved > 1e-4, $"the parameters moved by {moved} only");
        Assert.True(differ <= 1e-5, $"one process and two differ by {differ}");
    }

    [Fact]
    public async Task AKilledProcessEndsTheJobWithAMessageAndTheLastCheckpointResumesItExactly()
    {
        var config = Config("forty", 1e-4, maxSteps: 40, checkpointEvery: 5);
        var whole = Path.Combine(_dir, "whole");
        var launched = Research("launch", "--nproc-per-node", "2", "--", "train", "--config", config, "--model", _model, "--data", _data, "--out", whole, "--device", "cpu");
        Assert.True(launched.Exit == 0, launched.Output);

        // The same job started by hand with torchrun's variables; rank 1 is killed (SIGKILL) once rank 0 has logged step 12.
        var cut = Path.Combine(_dir, "cut");
        var port = ProcessLauncher.FreePort().ToString(CultureInfo.InvariantCulture);
        string[] train = ["train", "--config", config, "--model", _model, "--data", _data, "--out", cut, "--device", "cpu"];
        using var rank0 = Start(train, ("RANK", "0"), ("WORLD_SIZE", "2"), ("MASTER_ADDR", "127.0.0.1"), ("MASTER_PORT", port));
        using var rank1 = Start(train, ("RANK", "1"), ("WORLD_SIZE", "2"), ("MASTER_ADDR", "127.0.0.1"), ("MASTER_PORT", port));
        var stderr = rank0.StandardError.ReadToEndAsync();
        var stdout = new List<string>();
        while (rank0.StandardOutput.ReadLine() is { } line)
        {
            stdout.Add(line);
            if (line.StartsWith("step     12 ", StringComparison.Ordinal)) rank1.Kill();
        }
        Assert.True(rank0.WaitForExit(60_000), "rank 0 did not stop within a minute of rank 1's end");
        rank1.WaitForExit();
        Assert.Contains(stdout, l => l.StartsWith("step     12 ", StringComparison.Ordinal));
        Assert.Equal(1, rank0.ExitCode);
        var message = (await stderr).Trim();
        var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(cut + ".checkpoint", "trainer_state.json")));
        var step = state.RootElement.GetProperty("Step").GetInt64();
        Assert.True(step >= 10 && step % 5 == 0, $"checkpoint at step {step}");
        Assert.Matches(new Regex(@"^rank 0 of 2: (summing gradients|gathering embeddings|receiving rank 0's evaluation|waiting for the other processes) failed: .+\. Another process of the job ended or stopped answering \(or the 1800 s collective timeout passed\); this process stops too\. "
            + Regex.Escape($"The last checkpoint, {cut}.checkpoint (step {step}), is intact: start every process again with --resume.") + "$"), message);
        Assert.False(Directory.Exists(cut), "rank 0 wrote the run folder of a job that did not finish");

        // Resumed: the same parameters as the job that was never interrupted, to the bit.
        var resumed = Research("launch", "--nproc-per-node", "2", "--", "train", "--config", config, "--model", _model, "--data", _data, "--out", cut, "--device", "cpu", "--resume");
        Assert.True(resumed.Exit == 0, resumed.Output);
        Assert.Contains($"40 steps on 318 records (2 processes) -> {cut}", resumed.Output);
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "model.safetensors")), File.ReadAllBytes(Path.Combine(cut, "model.safetensors")));
    }

    [Fact]
    public void OnlySupervisedTrainingRunsOverSeveralProcessesAndTheLauncherChecksItsOptions()
    {
        var launched = Research("launch", "--nproc-per-node", "2", "--", "train", "--method", "simcse", "--model", _model, "--data", _data, "--out", Path.Combine(_dir, "unsup"));
        Assert.Equal(1, launched.Exit);
        Assert.Contains("torchrun started 2 processes, and multi-process training supports --method supervised; --method simcse trains in one process.", launched.Output);
        var (exit, _, error) = CliHarness.Run("launch", "--nproc-per-node", "2", "--nnodes", "2", "--", "train");
        Assert.Equal(1, exit);
        Assert.Equal("--master-port: a job over several nodes needs the same port on every node; choose one (e.g. 29500).", error.Trim());
        (exit, _, error) = CliHarness.Run("launch", "--nproc-per-node", "0", "--", "train");
        Assert.Equal(1, exit);
        Assert.Equal("--nproc-per-node 0: expected at least 1.", error.Trim());
        // The verb's own options are checked once, before any process starts (not once by every rank).
        (exit, var stdout, error) = CliHarness.Run("launch", "--nproc-per-node", "2", "--", "train", "--model", _model, "--data", _data);
        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.Equal("research launch -- train: Option '--out' is required. (research train --help lists the options); no process was started.", error.Trim());
        (exit, _, error) = CliHarness.Run("launch", "--", "trian", "--model", _model);
        Assert.Equal(1, exit);
        Assert.Equal("research launch -- trian: not a research verb (research --help lists them); no process was started.", error.Trim());
        (exit, _, error) = CliHarness.Run("launch", "--", "launch", "--", "train");
        Assert.Equal(1, exit);
        Assert.Equal("research launch -- launch: a launcher cannot start launchers; give the verb to run (e.g. -- train …).", error.Trim());
    }

    [Fact]
    public void EnvSaysWhetherMultiProcessTrainingAndBf16UnitsAreThere()
    {
        var (exit, output, error) = CliHarness.Run("env", "--device", "cpu");
        Assert.True(exit == 0, output + error);
        Assert.Contains("multi-process training: Gloo loaded (research launch --nproc-per-node N -- train …)", output);
        Assert.Contains(CpuFeatures.Bf16Summary(CpuFeatures.Flags), output);
    }

    private string Config(string name, double learningRate, int maxSteps, int checkpointEvery = 0) => WriteConfig(_dir, name, learningRate, maxSteps, checkpointEvery);

    private static string WriteConfig(string dir, string name, double learningRate, int maxSteps, int checkpointEvery = 0)
    {
        var path = Path.Combine(dir, name + ".json");
        File.WriteAllText(path, string.Create(CultureInfo.InvariantCulture,
            $"{{\"batch_size\": 6, \"group_size\": 3, \"epochs\": 2, \"max_steps\": {maxSteps}, \"learning_rate\": {learningRate}, \"seed\": 7, \"log_every\": 1, \"query_max_length\": 32, \"passage_max_length\": 48, \"checkpoint_every\": {checkpointEvery}}}"));
        return path;
    }

    private static List<string> Losses(string output) =>
        output.Split('\n').Select(l => Regex.Match(l, @"^step +\d+ .* loss +(\S+) ")).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();

    private static Process Start(string[] args, params (string Name, string Value)[] environment)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(KillTests.Cli());
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (name, value) in environment) psi.Environment[name] = value;
        return Process.Start(psi)!;
    }

    private static (int Exit, string Output) Research(params string[] args)
    {
        using var p = Start(args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
