using System.Diagnostics;
using System.Text.Json.Nodes;
using static Research.Notebooks.Tests.TestNotebooks;

namespace Research.Notebooks.Tests;

/// <summary>
/// Runs notebooks/00_quickstart.ipynb on toy_data as CI does, then checks the executed notebook with
/// nbformat's own validator (Debian python3-nbformat; skipped visibly when missing) and the HTML report for an
/// offline chart (plotly.js embedded once, nothing fetched).
/// </summary>
public class QuickstartNotebookTests
{
    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Research.sln"))) dir = dir.Parent;
        return dir!.FullName;
    }

    private static readonly Lazy<Task<NotebookRunResult>> Executed = new(() =>
    {
        var outDir = Directory.CreateTempSubdirectory("quickstart-").FullName;
        return new NotebookRunner().RunAsync(Path.Combine(RepoRoot(), "notebooks", "00_quickstart.ipynb"),
            new NotebookRunOptions { OutputDirectory = outDir, Parameters = new Dictionary<string, string> { ["maxPairs"] = "300" } });
    });

    [Fact]
    public async Task RunsOnToyDataWithEveryCellProducingOutput()
    {
        var result = await Executed.Value;
        Assert.True(result.Succeeded, result.ToString());
        var cells = (JsonArray)JsonNode.Parse(File.ReadAllText(result.ExecutedNotebookPath!))!["cells"]!;
        var code = cells.Where(c => c!["cell_type"]!.GetValue<string>() == "code").ToList();
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], code.Select(c => c!["execution_count"]!.GetValue<int>()));
        var stdout = TestNotebooks.Text(code[2]!["outputs"]!.AsArray().Last()!["text"]);
        Assert.Equal("318 records, first query: Why does my git rebase not work as expected?\n", stdout);
        Assert.Equal("300 pairs encoded into 64-d vectors\n", TestNotebooks.Text(code[3]!["outputs"]![0]!["text"]));
        Assert.Contains(code[3]!["outputs"]!.AsArray(), o => TestNotebooks.Text(o!["data"]?["text/html"]).StartsWith("<div class=\"research-chart\"", StringComparison.Ordinal));
        // Half precision: tiny-bert's 277,888 parameters in 4 bytes, then 2; a pair's cosine moves by a few thousandths.
        var half = TestNotebooks.Text(code[5]!["outputs"]![0]!["data"]!["text/plain"]);
        const string prefix = "weights: 1,111,552 bytes in fp32, 555,776 in bf16; largest change of a pair's cosine: ";
        Assert.StartsWith(prefix, half);
        Assert.InRange(double.Parse(half[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture), 0.0005, 0.05);
        // The summary cell (tagged "summary") tabulates the headline figures; the report opens with it.
        var summary = TestNotebooks.Text(code[6]!["outputs"]!.AsArray().First(o => o!["data"]?["text/html"] is not null)!["data"]!["text/html"]);
        Assert.StartsWith("<table class=\"research-table\"><caption>Summary</caption>", summary);
        Assert.Contains("<tr><td>training records</td><td style=\"text-align:right\">318</td></tr>", summary);
        Assert.Contains("<tr><td>labelled pairs encoded</td><td style=\"text-align:right\">300</td></tr>", summary);
        var report = File.ReadAllText(result.HtmlReportPath!);
        Assert.True(report.IndexOf("summary · cell 13", StringComparison.Ordinal) is > 0 and var top
            && top < report.IndexOf("<section class=\"cell\">", StringComparison.Ordinal), "the summary opens the report");
    }

    [SkippableFact]
    public async Task ExecutedNotebookPassesNbformatValidation()
    {
        var python = "/usr/bin/python3";
        Skip.IfNot(File.Exists(python), "/usr/bin/python3 is missing (apt-get install python3-nbformat)");
        var probe = Process.Start(new ProcessStartInfo(python, "-c \"import nbformat\"") { RedirectStandardError = true })!;
        probe.WaitForExit();
        Skip.If(probe.ExitCode != 0, "Debian's python3-nbformat is not installed (apt-get install python3-nbformat; .ci/run does)");
        var result = await Executed.Value;
        var check = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        check.ArgumentList.Add("-c");
        check.ArgumentList.Add("import sys, nbformat; nb = nbformat.read(sys.argv[1], as_version=4); nbformat.validate(nb); print('valid', len(nb.cells))");
        check.ArgumentList.Add(result.ExecutedNotebookPath!);
        using var p = Process.Start(check)!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.Equal("valid 13\n", output);
    }

    [Fact]
    public async Task HtmlReportEmbedsPlotlyOnceAndFetchesNothing()
    {
        var result = await Executed.Value;
        var html = File.ReadAllText(result.HtmlReportPath!);
        Assert.Equal(1, CountOf(html, "plotly.js v2.28.0"));
        Assert.Equal(2, CountOf(html, "class=\"research-chart\""));
        // Outside the embedded library (whose own strings name plotly.com and map-tile sites), nothing is fetched.
        var start = html.IndexOf("<script>", StringComparison.Ordinal);
        var end = html.IndexOf("</script>", start, StringComparison.Ordinal);
        var page = html[..start] + html[end..];
        Assert.DoesNotContain("<script src=", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=\"http", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"http", page, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<h1 id=\"quickstart-data-statistics-a-first-look-at-embeddings\">00 · Quickstart: data, statistics, a first look at embeddings</h1>", html);
    }

    /// <summary>
    /// The same notebook in the real kernel's own headless host (dotnet-repl, pinned in .config/dotnet-tools.json) and
    /// in the kit's runner gives the same outputs per cell: the same text and HTML (dotnet-repl writes return values as
    /// display_data and stdout after displays, so outputs are compared as a set per cell).
    /// </summary>
    [SkippableFact]
    public async Task KitRunnerAndDotnetReplGiveTheSameOutputs()
    {
        var notebooks = Path.Combine(RepoRoot(), "notebooks");
        var outDir = Directory.CreateTempSubdirectory("quickstart-repl-").FullName;
        var replPath = Path.Combine(outDir, "repl.ipynb");
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = notebooks, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "repl", "--run", "00_quickstart.ipynb", "--exit-after-run", "--output-format", "ipynb", "--output-path", replPath })
            psi.ArgumentList.Add(a);
        using (var p = Process.Start(psi)!)
        {
            var stderr = p.StandardError.ReadToEndAsync();
            var stdout = p.StandardOutput.ReadToEnd();
            await p.WaitForExitAsync();
            var log = stdout + await stderr;
            Skip.If(log.Contains("dotnet-repl", StringComparison.Ordinal) && log.Contains("not found", StringComparison.Ordinal),
                "dotnet-repl is not restored: run 'dotnet tool restore' (.ci/run does)");
            Assert.True(p.ExitCode == 0, $"dotnet repl exited {p.ExitCode}: {log}");
        }
        var kit = await new NotebookRunner().RunAsync(Path.Combine(notebooks, "00_quickstart.ipynb"), new NotebookRunOptions { OutputDirectory = outDir });
        Assert.True(kit.Succeeded, kit.ToString());
        var replCells = CodeOutputs(replPath);
        var kitCells = CodeOutputs(kit.ExecutedNotebookPath!);
        Assert.Equal(7, kitCells.Count);
        Assert.Equal(kitCells.Count, replCells.Count);
        for (var i = 0; i < kitCells.Count; i++)
        {
            Assert.NotEmpty(replCells[i]);
            Assert.Equal(kitCells[i], replCells[i]);
        }
    }

    /// <summary>
    /// Per code cell, its outputs as sorted "kind|mime|content" strings — less the "Loading extensions from `…`" lines
    /// dotnet repl shows when a package (here Research.Lib's Microsoft.Data.Analysis and SkiaSharp) ships a kernel
    /// extension (the kit's runner loads no kernel extensions: its reports stay offline, and it says so), and less the
    /// "Installing Packages" progress displays of <c>#r "nuget:"</c>, whose number follows how long the restore takes
    /// (the final "Installed Packages" display is compared).
    /// </summary>
    private static List<List<string>> CodeOutputs(string path) =>
        ((JsonArray)JsonNode.Parse(File.ReadAllText(path))!["cells"]!)
            .Where(c => c!["cell_type"]!.GetValue<string>() == "code")
            .Select(c => c!["outputs"]!.AsArray().SelectMany(o => o!["output_type"]!.GetValue<string>() == "stream"
                    ? [$"stream|{o["name"]}|{TestNotebooks.Text(o["text"])}"]
                    : o["data"]!.AsObject().Select(kv => $"data|{kv.Key}|{TestNotebooks.Text(kv.Value)}"))
                .Where(o => !o.StartsWith("data|text/plain|Loading extensions from `", StringComparison.Ordinal)
                    && !o.Contains("<strong>Installing Packages</strong>", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal).ToList())
            .ToList();
}
