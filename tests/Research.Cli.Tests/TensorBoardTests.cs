using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Research.Cli.Tests;

/// <summary><c>research train --tensorboard DIR</c>: the run's log lines as TensorBoard scalars, read back independently.</summary>
public class TensorBoardTests(CliFixture cli) : IClassFixture<CliFixture>
{
    [SkippableFact]
    public void TrainWritesEveryLogLineAsScalarsTensorBoardReads()
    {
        var reader = Path.Combine(cli.ToyData, "..", "benchmarks", "reference", "tfevents_reference.py");
        var probe = Python("-c", "import google.protobuf");
        Skip.If(probe.Code != 0, "Debian's python3 cannot import google.protobuf (apt-get install python3-protobuf; .ci/run installs it)");
        var config = cli["tensorboard_config.json"];
        File.WriteAllText(config, """{"loss": "info_nce", "group_size": 2, "batch_size": 8, "max_steps": 6, "log_every": 2, "learning_rate": 1e-4}""");
        var (outDir, board) = (cli["tensorboard_run"], cli["tensorboard_logs"]);
        var (exit, _, error) = CliHarness.Run("train", "--config", config, "--model", cli.TinyBert, "--data", Path.Combine(cli.ToyData, "toy_source.json"),
            "--device", "cpu", "--out", outDir, "--tensorboard", board);
        Assert.True(exit == 0, error);
        var file = Assert.Single(Directory.GetFiles(board));
        Assert.StartsWith("events.out.tfevents.", Path.GetFileName(file));
        var read = Python(reader, file);
        Assert.True(read.Code == 0, read.Err);
        var events = read.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal("brain.Event:2", events[0]["file_version"]!.GetValue<string>());
        var scalars = events.Skip(1).Select(e => (Step: e["step"]!.GetValue<long>(), Tag: e["values"]![0]!["tag"]!.GetValue<string>(),
            Value: e["values"]![0]!["simple_value"]!.GetValue<double>())).ToList();
        // Every log line of training_log.jsonl, in order, as five scalars at its step, each the line's value in float32.
        var expected = new List<(long, string, double)>();
        foreach (var line in File.ReadAllLines(Path.Combine(outDir, "training_log.jsonl")).Select(l => JsonNode.Parse(l)!))
        {
            var step = line["step"]!.GetValue<long>();
            double F(string key) => (float)line[key]!.GetValue<double>();
            expected.Add((step, "train/loss", F("loss")));
            expected.Add((step, "train/learning_rate", F("learning_rate")));
            expected.Add((step, "train/grad_norm", F("grad_norm")));
            expected.Add((step, "train/score_gap", (float)(line["positive_score"]!.GetValue<double>() - line["negative_score"]!.GetValue<double>())));
            expected.Add((step, "train/examples_per_second", F("examples_per_second")));
        }
        Assert.Equal([2L, 4, 6], expected.Select(e => e.Item1).Distinct());
        Assert.Equal(expected, scalars);
    }

    private static (int Code, string Out, string Err) Python(params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }
}
