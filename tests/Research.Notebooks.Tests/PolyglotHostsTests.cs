using System.Diagnostics;
using static Research.Notebooks.Tests.TestNotebooks;

namespace Research.Notebooks.Tests;

/// <summary>
/// The two hosts besides the kit's runner in which the notebooks run: dotnet repl (pinned in .config/dotnet-tools.json)
/// and the dotnet-interactive tool as a Jupyter kernel — VS Code Polyglot's engine — driven by a real Jupyter client
/// (<c>scripts/run-jupyter.py</c>, Debian's python3-nbclient), as the main job runs every notebook. Skipped, saying
/// why, where a host is missing (<c>scripts/setup.sh</c> installs both).
/// </summary>
public class PolyglotHostsTests
{
    private const string PlotlyCells = "#r \"nuget: Plotly.NET.Interactive, 6.0.0\"\n#r \"nuget: Plotly.NET.CSharp, 0.14.0\"";
    private const string LineChart = "Plotly.NET.CSharp.Chart.Line<double, double, string>(x: new double[] { 1, 2 }, y: new double[] { 3, 4.5 }, Name: \"mine\")";

    [SkippableFact]
    public async Task ABrokenCellFailsTheJupyterHostNamingItsCellAndKeepsTheOutputsBefore()
    {
        using var t = new TestNotebooks(AppContext.BaseDirectory);
        var fixture = Path.Combine(t.Dir, "failing.ipynb");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "failing.ipynb"), fixture);
        var (exit, log) = await Jupyter(t, fixture);
        Assert.True(exit == 1, log);
        Assert.Contains($"{fixture}: FAILED in the dotnet-interactive Jupyter kernel", log);
        Assert.Contains($"{fixture}: cell 3: System.InvalidOperationException: total 6 is too large\n", log);
        var executed = Path.Combine(t.Dir, "jupyter", "failing.ipynb");
        // (the kernel's first cell also carries the script it sends a Jupyter front end)
        Assert.Equal("3 items\n", Text(Outputs(executed, 2).Single(o => o!["output_type"]!.GetValue<string>() == "stream")!["text"]));
        Assert.Empty(Outputs(executed, 4));
    }

    [SkippableFact]
    public async Task APlotlyNetChartDisplaysInDotnetReplAndTheJupyterKernelOnceFSharpCoreIsBound()
    {
        using var t = new TestNotebooks(AppContext.BaseDirectory);
        var kit = typeof(Research.Lib.Notebooks.PlotlyChart).Assembly.Location;
        var bound = t.Write("bound.ipynb",
            Cell($"#r \"{kit}\"\nResearch.Lib.Notebooks.FSharpCoreBinding.Install()"), Cell(PlotlyCells), Cell(LineChart));
        var repl = await Repl(t, bound);
        var (exit, log) = await Jupyter(t, bound);
        Assert.True(exit == 0, log);
        foreach (var executed in new[] { repl, Path.Combine(t.Dir, "jupyter", "bound.ipynb") })
        {
            Assert.StartsWith("FSharp.Core 10.0.0.0 loaded", Shown(Outputs(executed, 1)[^1]!["data"]!));
            var chart = Text(Outputs(executed, 3).Single(o => o!["data"]?["text/html"] is not null)!["data"]!["text/html"]);
            Assert.Contains("var data = [{\"type\":\"scatter\",\"name\":\"mine\",\"mode\":\"lines\",\"x\":[1.0,2.0],\"y\":[3.0,4.5]", chart);
            Assert.Contains("Plotly.newPlot(", chart);
        }

        // Without the binding the host's FSharp.Core 10.0 cannot serve Plotly.NET 6: the clash FSharpCoreBinding solves.
        var unbound = t.Write("unbound.ipynb", Cell(PlotlyCells), Cell(LineChart));
        var (replExit, _) = await Run("dotnet", t.Dir, "repl", "--run", unbound, "--exit-after-run", "--output-format", "ipynb", "--output-path", Path.Combine(t.Dir, "unbound.out.ipynb"));
        Assert.NotEqual(0, replExit);
        var error = Outputs(Path.Combine(t.Dir, "unbound.out.ipynb"), 2).Single(o => o!["output_type"]!.GetValue<string>() == "error")!;
        Assert.Contains("Could not load file or assembly 'FSharp.Core, Version=10.1.0.0", error["evalue"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task TheKitComesAsANuGetPackageFromTheLocalFeedInDotnetReplAndTheJupyterKernel()
    {
        // The notebooks' own #r line, the version the build wrote to artifacts/feed (build/LocalFeed.targets).
        var version = NotebookPackageVersion();
        Assert.Equal(version, KitVersion());
        var feed = Path.Combine(RepoRoot(), "artifacts", "feed");
        Assert.True(File.Exists(Path.Combine(feed, $"Research.Lib.{version}.nupkg")), $"no Research.Lib.{version}.nupkg in {feed}: the build writes it");
        using var t = new TestNotebooks(AppContext.BaseDirectory);
        // An absolute feed path here (notebooks/NuGet.config names it relative to itself).
        File.WriteAllText(Path.Combine(t.Dir, "NuGet.config"),
            $"<configuration><packageSources><add key=\"kit\" value=\"{feed}\" /></packageSources></configuration>");
        var notebook = t.Write("package.ipynb",
            Cell($"#r \"nuget: Research.Lib, {version}\""),
            Cell("Research.Lib.Devices.TorchRuntime.NativeStatus"),
            Cell("$\"{Research.Lib.Search.FaissIndex.IsAvailable} {TorchSharp.torch.arange(4).sum().item<long>()}\""));
        var repl = await Repl(t, notebook);
        var (exit, log) = await Jupyter(t, notebook);
        Assert.True(exit == 0, log);
        foreach (var executed in new[] { repl, Path.Combine(t.Dir, "jupyter", "package.ipynb") })
        {
            // libtorch from libtorch-cpu-linux-x64 in the NuGet cache, libLibTorchSharp from the package's patched copy.
            var status = Shown(Outputs(executed, 2)[^1]!["data"]!);
            Assert.Matches($"^torch natives: loaded from .*/libtorch-cpu-linux-x64/2\\.10\\.0/runtimes/linux-x64/native and .*/research\\.lib/{System.Text.RegularExpressions.Regex.Escape(version)}/torchsharp/linux-x64$", status);
            Assert.Equal($"{Research.Lib.Search.FaissIndex.IsAvailable} 6", Shown(Outputs(executed, 3)[^1]!["data"]!));
        }
    }

    [SkippableFact]
    public async Task DotnetReplDropsTheCellIdsAndTheSourcesIdsGoBackPositionByPosition()
    {
        using var t = new TestNotebooks(AppContext.BaseDirectory);
        var notebook = t.Write("ids.ipynb", Cell("var x = 20;"), Cell("x + 1"));
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(notebook))!;
        var cells = json["cells"]!.AsArray();
        for (var i = 0; i < cells.Count; i++) cells[i]!["id"] = $"c{i + 1}";
        File.WriteAllText(notebook, json.ToJsonString());
        var executed = await Repl(t, notebook);
        string?[] Ids() => System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(executed))!["cells"]!.AsArray().Select(c => c!["id"]?.GetValue<string>()).ToArray();
        Assert.Equal(new string?[] { null, null }, Ids());   // dotnet-repl 0.3.259 writes nbformat 4.5 without ids
        var script = Path.Combine(RepoRoot(), "scripts", "restore-cell-ids.py");
        var (exit, log) = await Run("python3", t.Dir, script, notebook, executed);
        Assert.True(exit == 0, log);
        Assert.Equal(new string?[] { "c1", "c2" }, Ids());
        Assert.Equal("21", Shown(Outputs(executed, 2)[^1]!["data"]!));
        // A copy whose cells are not the source's gets nothing, and the message names the first cell that differs.
        cells[1]!["source"] = "x + 2";
        File.WriteAllText(notebook, json.ToJsonString());
        (exit, log) = await Run("python3", t.Dir, script, notebook, executed);
        Assert.Equal((1, $"{executed}: cell 2 differs from {notebook}'s (type or source); ids not copied\n"), (exit, log));
    }

    /// <summary>The version in the notebooks' <c>#r "nuget: Research.Lib, VERSION"</c> (all six agree).</summary>
    private static string NotebookPackageVersion()
    {
        var versions = Directory.GetFiles(Path.Combine(RepoRoot(), "notebooks"), "*.ipynb")
            .Select(f => System.Text.RegularExpressions.Regex.Match(File.ReadAllText(f), @"#r \\""nuget: Research\.Lib, ([^\\""]+)\\""")).ToList();
        Assert.Equal(6, versions.Count(m => m.Success));
        return Assert.Single(versions.Select(m => m.Groups[1].Value).Distinct());
    }

    private static string KitVersion() =>
        typeof(Research.Lib.Devices.TorchRuntime).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .Cast<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion.Split('+')[0];

    private static async Task<string> Repl(TestNotebooks t, string notebook)
    {
        var output = Path.ChangeExtension(notebook, ".repl.ipynb");
        var (exit, log) = await Run("dotnet", t.Dir, "repl", "--run", notebook, "--exit-after-run", "--output-format", "ipynb", "--output-path", output);
        Skip.If(log.Contains("dotnet-repl", StringComparison.Ordinal) && log.Contains("not found", StringComparison.Ordinal),
            "dotnet-repl is not restored: run 'dotnet tool restore' (scripts/setup.sh does)");
        Assert.True(exit == 0, $"dotnet repl exited {exit}: {log}");
        return output;
    }

    /// <summary>Registers the dotnet-interactive kernel in the test's folder and runs scripts/run-jupyter.py on the notebook.</summary>
    private static async Task<(int Exit, string Log)> Jupyter(TestNotebooks t, string notebook)
    {
        var (nbclient, _) = await Run("/usr/bin/python3", t.Dir, "-c", "import nbclient, jupyter_client");
        Skip.If(nbclient != 0, "Debian's python3-nbclient / python3-jupyter-client are not installed (scripts/setup.sh installs them)");
        var kernels = Path.Combine(t.Dir, "jupyter-kernels", "kernels");
        Directory.CreateDirectory(kernels);
        var (installed, installLog) = await Run("dotnet", t.Dir, "interactive", "jupyter", "install", "--path", kernels);
        Skip.If(installed != 0 && installLog.Contains("dotnet-interactive", StringComparison.Ordinal),
            "the dotnet-interactive tool is not restored: run 'dotnet tool restore' (scripts/setup.sh does)");
        Assert.True(installed == 0, installLog);
        return await Run("/usr/bin/python3", t.Dir, Path.Combine(RepoRoot(), "scripts", "run-jupyter.py"),
            Path.GetDirectoryName(kernels)!, Path.Combine(t.Dir, "jupyter"), notebook);
    }

    private static async Task<(int Exit, string Log)> Run(string file, string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, stdout + await stderr);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Research.sln"))) dir = dir.Parent;
        return dir!.FullName;
    }
}
