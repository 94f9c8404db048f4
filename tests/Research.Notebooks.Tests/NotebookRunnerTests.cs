using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static Research.Notebooks.Tests.TestNotebooks;

namespace Research.Notebooks.Tests;

public class NotebookRunnerTests
{
    private static async Task<NotebookRunResult> Run(TestNotebooks t, string path, NotebookRunOptions? options = null) =>
        await new NotebookRunner().RunAsync(path, (options ?? new NotebookRunOptions()) with { OutputDirectory = Path.Combine(t.Dir, "out") });

    [Fact]
    public async Task LaterCellsSeeEarlierVariablesAndUsings()
    {
        using var t = new TestNotebooks();
        var path = t.Write("vars.ipynb",
            Cell("using System.Text;\nvar x = 20;"),
            Cell("var sb = new StringBuilder();\nsb.Append(x + 1);\nsb.ToString()"));
        var result = await Run(t, path);
        Assert.True(result.Succeeded, result.ToString());
        var output = Assert.Single(Outputs(result.ExecutedNotebookPath!, 2));
        Assert.Equal("execute_result", output!["output_type"]!.GetValue<string>());
        Assert.Equal("21", Shown(output["data"]!));
        Assert.Equal(2, output["execution_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task DisplayAndConsoleOutputKeepTheirOrder()
    {
        using var t = new TestNotebooks();
        var path = t.Write("display.ipynb", Cell("Console.WriteLine(\"before\");\ndisplay(42);\nConsole.Error.WriteLine(\"warn\");\ndisplay(HTML(\"<b>x</b>\"));"));
        var result = await Run(t, path);
        var outputs = Outputs(result.ExecutedNotebookPath!, 1);
        Assert.Equal(["stream", "display_data", "stream", "display_data"], outputs.Select(o => o!["output_type"]!.GetValue<string>()));
        Assert.Equal("before\n", Text(outputs[0]!["text"]));
        Assert.Equal("42", Shown(outputs[1]!["data"]!));
        Assert.Equal("stderr", outputs[2]!["name"]!.GetValue<string>());
        Assert.Equal("<b>x</b>", Text(outputs[3]!["data"]!["text/html"]));
    }

    [Fact]
    public async Task ParametersOverrideTheTaggedCellWithTheirTypes()
    {
        using var t = new TestNotebooks();
        var path = t.Write("params.ipynb",
            Cell("var n = 2;\nvar name = \"x\";\nvar rate = 0.5;", "parameters"),
            Cell("$\"{name}{n * 10}:{rate * 2}\""));
        var result = await Run(t, path, new NotebookRunOptions { Parameters = new Dictionary<string, string> { ["n"] = "4", ["name"] = "y", ["rate"] = "1.5" } });
        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal("y40:3", Shown(Outputs(result.ExecutedNotebookPath!, 2)[0]!["data"]!));
        Assert.Equal("parameters overridden: n = 4, name = y, rate = 1.5\n", Text(Outputs(result.ExecutedNotebookPath!, 1)[0]!["text"]));
    }

    [Fact]
    public async Task BadParametersFailWithAClearMessage()
    {
        using var t = new TestNotebooks();
        var path = t.Write("params.ipynb", Cell("var n = 2;", "parameters"), Cell("n"));
        var wrongType = await Run(t, path, new NotebookRunOptions { Parameters = new Dictionary<string, string> { ["n"] = "two" } });
        Assert.Equal((1, "--param n=two: not a valid Int32 (The input string 'two' was not in a correct format.)"), (wrongType.FailedCell!.Value, wrongType.Error));
        var unknown = await Run(t, path, new NotebookRunOptions { Parameters = new Dictionary<string, string> { ["m"] = "1" } });
        Assert.Equal("--param names no variable of the parameters cell: m", unknown.Error);
        var untagged = t.Write("plain.ipynb", Cell("var n = 2;"));
        var none = await Run(t, untagged, new NotebookRunOptions { Parameters = new Dictionary<string, string> { ["n"] = "1" } });
        Assert.Equal("--param given, but no cell is tagged \"parameters\" (tag the cell that assigns n)", none.Error);
    }

    [Fact]
    public async Task ReferencesDllsByPathAndShowsKitChartsAsHtml()
    {
        using var t = new TestNotebooks();
        var dll = Path.Combine(t.Dir, "lib", "Greeter.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(dll)!);
        var compilation = CSharpCompilation.Create("Greeter",
            [CSharpSyntaxTree.ParseText("namespace G { public static class Greeter { public static string Hi(string n) => \"hi \" + n; } }")],
            [MetadataReference.CreateFromFile(typeof(object).Assembly.Location)],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Assert.True(compilation.Emit(dll).Success);
        var kit = typeof(Research.Lib.Notebooks.Charts).Assembly.Location;
        var path = t.Write("refs.ipynb",
            Cell("#r \"lib/Greeter.dll\"\nG.Greeter.Hi(\"there\")"),
            Cell($"#r \"{kit}\"\nusing Research.Lib.Notebooks;\nCharts.MetricBars(new Dictionary<string, IReadOnlyDictionary<string, double>> {{ [\"a\"] = new Dictionary<string, double> {{ [\"m\"] = 0.5 }} }}, \"t\")"),
            Cell("new HtmlTable(\"x\").AddRow(1.5)"));
        var result = await Run(t, path);
        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal("hi there", Shown(Outputs(result.ExecutedNotebookPath!, 1)[0]!["data"]!));
        var chart = Text(Outputs(result.ExecutedNotebookPath!, 2)[0]!["data"]!["text/html"]);
        Assert.StartsWith("<div class=\"research-chart\" data-chart=\"", chart);
        Assert.Contains("var f={\"data\":[{\"type\":\"bar\",\"name\":\"a\",\"x\":[\"m\"],\"y\":[0.5]}]", chart);
        Assert.Contains("Plotly.newPlot(", chart);
        Assert.Equal("<table class=\"research-table\"><thead><tr><th>x</th></tr></thead><tbody><tr><td style=\"text-align:right\">1.5000</td></tr></tbody></table>",
            Text(Outputs(result.ExecutedNotebookPath!, 3)[0]!["data"]!["text/html"]));
    }

    [Fact]
    public async Task APlotlyNetChartShowsAsTheKitsChartAndInTheReport()
    {
        using var t = new TestNotebooks();
        var path = t.Write("plotlynet.ipynb",
            Cell("#r \"nuget: Plotly.NET.CSharp, 0.14.0\""),
            Cell("Plotly.NET.CSharp.Chart.Line<double, double, string>(x: new double[] { 1, 2 }, y: new double[] { 3, 4.5 }, Name: \"mine\")"));
        var result = await Run(t, path);
        Assert.True(result.Succeeded, result.ToString());
        var shown = Outputs(result.ExecutedNotebookPath!, 2).Single(o => o!["data"]?["text/html"] is not null)!;
        var html = Text(shown["data"]!["text/html"]);
        Assert.StartsWith("<div class=\"research-chart\" data-chart=\"", html);
        Assert.Contains("var f={\"data\":[{\"type\":\"scatter\",\"name\":\"mine\",\"mode\":\"lines\",\"x\":[1.0,2.0],\"y\":[3.0,4.5]", html);
        Assert.Equal(1, CountOf(File.ReadAllText(result.HtmlReportPath!), "class=\"research-chart\""));
    }

    [Fact]
    public async Task ASummaryCellOpensTheReport()
    {
        using var t = new TestNotebooks();
        var path = t.Write("summary.ipynb",
            Cell("var before = 0.25;\n\"first cell\""),
            Cell("$\"after {before + 0.5}\"", "summary"));
        var result = await Run(t, path);
        Assert.True(result.Succeeded, result.ToString());
        var html = File.ReadAllText(result.HtmlReportPath!);
        var summary = html.IndexOf("<section class=\"summary\"><div class=\"meta\">summary · cell 2</div>", StringComparison.Ordinal);
        var first = html.IndexOf("<section class=\"cell\"><div class=\"meta\">cell 1", StringComparison.Ordinal);
        Assert.True(summary > 0 && first > summary, html);
        Assert.Equal(2, CountOf(html, "after 0.75"));
        Assert.Equal(1, CountOf(html, "summary · cell"));
    }

    [Fact]
    public async Task UnknownPackageFailsTheCellNamingIt()
    {
        using var t = new TestNotebooks();
        var path = t.Write("pkg.ipynb", Cell("var a = 1;"), Cell("#r \"nuget: NoSuchPackage.ResearchKitTest, 1.0.0\"\na"));
        var result = await Run(t, path);
        Assert.False(result.Succeeded);
        Assert.Equal(2, result.FailedCell!.Value);
        Assert.Contains("NoSuchPackage.ResearchKitTest", result.Error);
    }

    [Fact]
    public async Task FailingFixtureReportsCellLineAndMessageAndWritesOutputsSoFar()
    {
        using var t = new TestNotebooks();
        var fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "failing.ipynb");
        var result = await Run(t, fixture);
        Assert.False(result.Succeeded);
        Assert.Equal(3, result.FailedCell);
        // The kernel compiles cells without line tables, so a runtime error names its cell, not a line.
        Assert.Null(result.FailedLine);
        Assert.Equal("InvalidOperationException: total 6 is too large", result.Error);
        Assert.Equal("Research.Notebooks.Tests/Fixtures/failing.ipynb: cell 3: InvalidOperationException: total 6 is too large",
            "Research.Notebooks.Tests/Fixtures/failing.ipynb" + result.ToString()[fixture.Length..]);
        Assert.Equal("3 items\n", Text(Outputs(result.ExecutedNotebookPath!, 2)[0]!["text"]));
        var error = Outputs(result.ExecutedNotebookPath!, 3).Single(o => o!["output_type"]!.GetValue<string>() == "error")!;
        Assert.Equal("InvalidOperationException", error["ename"]!.GetValue<string>());
        Assert.Empty(Outputs(result.ExecutedNotebookPath!, 4));
        Assert.True(File.Exists(result.HtmlReportPath));
    }

    [Fact]
    public async Task CompilationErrorsNameTheLine()
    {
        using var t = new TestNotebooks();
        var path = t.Write("bad.ipynb", Cell("var ok = 1;\nvar bad = undefinedName + 1;"));
        var result = await Run(t, path);
        Assert.Equal((1, 2), (result.FailedCell!.Value, result.FailedLine!.Value));
        Assert.Equal("CS0103: The name 'undefinedName' does not exist in the current context", result.Error);
    }

    [Fact]
    public async Task SlowCellTimesOut()
    {
        using var t = new TestNotebooks();
        var path = t.Write("slow.ipynb", Cell("System.Threading.Thread.Sleep(10_000);"));
        var result = await Run(t, path, new NotebookRunOptions { CellTimeout = TimeSpan.FromSeconds(1) });
        Assert.False(result.Succeeded);
        Assert.Equal("timed out after 1 s (--cell-timeout)", result.Error);
    }

    [Fact]
    public async Task OtherLanguagesAreRefusedAndMarkdownIsSkipped()
    {
        using var t = new TestNotebooks();
        var path = t.Write("mixed.ipynb", ("# Title", null, "markdown-cell"), Cell("#!markdown\nsome *text*"), ("let x = 1", null, "fsharp"));
        var result = await Run(t, path);
        Assert.Equal((3, "language 'fsharp' is not supported by the headless runner (C# cells only)"), (result.FailedCell!.Value, result.Error));
    }
}
