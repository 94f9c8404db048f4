using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Research.Cli.Tests;

/// <summary><c>research notebooks run</c> as its own process, where how it ends is what is checked.</summary>
public class NotebookProcessTests(CliFixture fixture) : IClassFixture<CliFixture>
{
    /// <summary>
    /// A cell that keeps libtorch busy past --cell-timeout is abandoned while it runs. Before the fix the process then
    /// ended with SIGSEGV (exit 139) in libtorch's static destructors (oneDNN's primitive cache freed under the running
    /// cell), and the report lines were lost in the kernel's console capture: notebook 03's "segfault under load" was this.
    /// </summary>
    [Fact]
    public async Task ACellPastItsTimeoutEndsTheRunWithExitOneAndTheMessage()
    {
        var bin = Path.GetDirectoryName(KillTests.Cli())!;
        var source = $"#r \"{bin}/Research.Lib.dll\"\n#r \"{bin}/TorchSharp.dll\"\nResearch.Lib.Devices.TorchRuntime.Initialize();\n"
            + "var a = TorchSharp.torch.randn(256, 256);\nwhile (true) { using var b = a.matmul(a); }";
        var notebook = new JsonObject
        {
            ["cells"] = new JsonArray(new JsonObject
            {
                ["cell_type"] = "code",
                ["execution_count"] = null,
                ["id"] = "spin",
                ["metadata"] = new JsonObject(),
                ["outputs"] = new JsonArray(),
                ["source"] = source,
            }),
            ["metadata"] = new JsonObject { ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" } },
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
        var path = fixture["spin.ipynb"];
        File.WriteAllText(path, notebook.ToJsonString());
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { KillTests.Cli(), "notebooks", "run", path, "--cell-timeout", "3", "--out", fixture["spin_out"] }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await p.WaitForExitAsync(limit.Token);
        Assert.Equal(1, p.ExitCode);
        Assert.Matches(@"cell   1 +\d+\.\d\d s  FAILED\n", await stdout);
        Assert.Equal($"{path}: cell 1: timed out after 3 s (--cell-timeout)\n", await stderr);
        var executed = JsonNode.Parse(File.ReadAllText(Path.Combine(fixture["spin_out"], "spin.ipynb")))!;
        Assert.Equal("TimeoutError", executed["cells"]![0]!["outputs"]![0]!["ename"]!.GetValue<string>());
    }
}
