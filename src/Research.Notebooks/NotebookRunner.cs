using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.DotNet.Interactive.PackageManagement;
using Plotly.NET;
using Research.Lib.Notebooks;

namespace Research.Notebooks;

/// <summary>
/// Runs a Polyglot C# notebook headless in the kernel Polyglot itself uses (Microsoft.DotNet.Interactive: a
/// CompositeKernel around a CSharpKernel with the kernel helpers, value sharing and <c>#r "nuget:"</c>), so a cell
/// behaves here exactly as in VS Code and in <c>dotnet repl</c>. Adds what those lack for CI: papermill-style
/// parameters, a per-cell timeout and timing, errors reported as <c>cell N, line L</c>, and the executed notebook
/// plus a self-contained HTML report, written also when a cell fails (up to that cell). Outputs are formatted by the
/// kernel's own formatters, plus one for Plotly.NET's <see cref="GenericChart"/>: a cell whose value is a Plotly.NET
/// chart (<c>#r "nuget: Plotly.NET.CSharp"</c>, <c>Chart.Line(...)</c>) shows as the kit's charts do, offline in the
/// report — what Plotly.NET.Interactive's kernel extension does in Polyglot and dotnet repl (this host loads no
/// kernel extensions).
/// </summary>
public sealed class NotebookRunner
{
    /// <summary>Console output and the working directory are process-wide, so runs in one process take turns.</summary>
    private static readonly SemaphoreSlim OneRunAtATime = new(1, 1);

    public async Task<NotebookRunResult> RunAsync(string notebookPath, NotebookRunOptions? options = null)
    {
        await OneRunAtATime.WaitAsync().ConfigureAwait(false);
        try
        {
            return await RunExclusiveAsync(notebookPath, options ?? new NotebookRunOptions()).ConfigureAwait(false);
        }
        finally
        {
            OneRunAtATime.Release();
        }
    }

    private static CompositeKernel CreateKernel(out CSharpKernel csharp)
    {
        Formatter.Register<GenericChart>((chart, writer) => writer.Write(PlotlyChart.FromGenericChart(chart).ToHtml()), HtmlFormatter.MimeType);
        Formatter.Register<GenericChart>((chart, writer) => writer.Write(PlotlyChart.FromGenericChart(chart).ToString()), PlainTextFormatter.MimeType);
        csharp = new CSharpKernel().UseNugetDirective((k, resolved) =>
        {
            k.AddAssemblyReferences(resolved.SelectMany(r => r.AssemblyPaths));
            return Task.CompletedTask;
        }).UseKernelHelpers().UseValueSharing();
        return new CompositeKernel { csharp };
    }

    private static async Task<NotebookRunResult> RunExclusiveAsync(string notebookPath, NotebookRunOptions options)
    {
        var source = NotebookDocument.Load(notebookPath);
        var notebook = source.Copy();
        var notebookDir = Path.GetDirectoryName(Path.GetFullPath(notebookPath))!;
        var pendingParameters = new Dictionary<string, string>(options.Parameters);
        if (pendingParameters.Count > 0 && !notebook.Cells.Any(c => c.Tags.Contains("parameters")))
            return Fail(notebookPath, notebook, options, 0, null, $"--param given, but no cell is tagged \"parameters\" (tag the cell that assigns {string.Join(", ", pendingParameters.Keys)})", []);

        var timings = new List<(int, TimeSpan)>();
        var executionCount = 0;
        var previousDirectory = Environment.CurrentDirectory;
        // Polyglot runs a notebook's kernel in the notebook's folder: relative paths (#r, data) resolve from there.
        Environment.CurrentDirectory = notebookDir;
        using var kernel = CreateKernel(out var csharp);
        try
        {
            foreach (var cell in notebook.Cells.ToList())
            {
                if (!cell.IsCode) continue;
                if (cell.Language != "csharp")
                    return Fail(notebookPath, notebook, options, cell.Number, null, $"language '{cell.Language}' is not supported by the headless runner (C# cells only)", timings);
                var outputs = new List<JsonObject>();
                var count = ++executionCount;
                var watch = Stopwatch.StartNew();
                string? error = null;
                int? errorLine = null;
                var timedOut = false;
                try
                {
                    using var cancel = new CancellationTokenSource();
                    var submission = kernel.SendAsync(new SubmitCode(cell.Source, csharp.Name), cancel.Token);
                    KernelCommandResult result;
                    try
                    {
                        result = await submission.WaitAsync(options.CellTimeout).ConfigureAwait(false);
                    }
                    catch (TimeoutException)
                    {
                        await cancel.CancelAsync().ConfigureAwait(false);
                        throw;
                    }
                    (error, errorLine) = Collect(result.Events, outputs, count);
                    if (error is null && cell.Tags.Contains("parameters") && pendingParameters.Count > 0)
                        outputs.Add(Outputs.Stream("stdout", await ApplyParametersAsync(csharp, pendingParameters).ConfigureAwait(false)));
                }
                catch (TimeoutException)
                {
                    error = $"timed out after {options.CellTimeout.TotalSeconds:0.#} s (--cell-timeout)";
                    timedOut = true;
                    outputs.Add(Outputs.Error("TimeoutError", error, [error]));
                }
                catch (NotebookCellException e)
                {
                    error = e.Message;
                    outputs.Add(Outputs.Error("ParameterError", e.Message, [e.Message]));
                }
                watch.Stop();
                timings.Add((cell.Number, watch.Elapsed));
                notebook.SetOutputs(cell, outputs, count);
                options.CellFinished?.Invoke(cell, watch.Elapsed, error is null);
                if (error is not null)
                    return Fail(notebookPath, notebook, options, cell.Number, errorLine, error, timings) with { TimedOut = timedOut };
            }
        }
        finally
        {
            Environment.CurrentDirectory = previousDirectory;
        }
        if (pendingParameters.Count > 0)
            return Fail(notebookPath, notebook, options, 0, null, $"--param names no variable of the parameters cell: {string.Join(", ", pendingParameters.Keys)}", timings);
        var (executed, report) = Write(notebookPath, notebook, options, timings);
        return new NotebookRunResult(notebookPath, true, null, null, null, timings, executed, report);
    }

    /// <summary>Turns the kernel's events into nbformat outputs, in order; returns the error (and its line) if the cell failed.</summary>
    private static (string? Error, int? Line) Collect(IEnumerable<KernelEvent> events, List<JsonObject> outputs, int executionCount)
    {
        Diagnostic? firstError = null;
        foreach (var e in events)
        {
            switch (e)
            {
                case StandardOutputValueProduced o:
                    AppendStream(outputs, "stdout", Plain(o.FormattedValues));
                    break;
                case StandardErrorValueProduced o:
                    AppendStream(outputs, "stderr", Plain(o.FormattedValues));
                    break;
                case ReturnValueProduced r:
                    outputs.Add(Outputs.Result(Bundle(r.FormattedValues), executionCount));
                    break;
                case DisplayedValueProduced d:
                    outputs.Add(Outputs.Display(Bundle(d.FormattedValues)));
                    break;
                case DisplayedValueUpdated u:
                    outputs.Add(Outputs.Display(Bundle(u.FormattedValues)));
                    break;
                case DiagnosticsProduced diagnostics:
                    firstError ??= diagnostics.Diagnostics.FirstOrDefault(d => d.Severity.ToString() == "Error");
                    break;
                case CommandFailed failed:
                    if (firstError is { } compile)
                    {
                        var message = $"{compile.Code}: {compile.Message}";
                        outputs.Add(Outputs.Error("CompilationError", message, [failed.Message]));
                        return (message, compile.LinePositionSpan.Start.Line + 1);
                    }
                    if (failed.Exception is { } thrown)
                    {
                        outputs.Add(Outputs.Error(thrown.GetType().Name, thrown.Message, thrown.ToString().Split('\n')));
                        return ($"{thrown.GetType().Name}: {thrown.Message}", null);
                    }
                    outputs.Add(Outputs.Error("Error", failed.Message, [failed.Message]));
                    return (failed.Message, null);
            }
        }
        return (null, null);
    }

    private static string Plain(IReadOnlyCollection<FormattedValue> values) =>
        values.FirstOrDefault(v => v.MimeType == PlainTextFormatter.MimeType)?.Value ?? values.FirstOrDefault()?.Value ?? "";

    private static Dictionary<string, string> Bundle(IReadOnlyCollection<FormattedValue> values)
    {
        var bundle = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var v in values) bundle[v.MimeType] = v.Value;
        return bundle;
    }

    /// <summary>Consecutive writes to one stream make one output, as Jupyter shows them.</summary>
    private static void AppendStream(List<JsonObject> outputs, string name, string text)
    {
        if (outputs.Count > 0 && outputs[^1]["output_type"]?.GetValue<string>() == "stream" && outputs[^1]["name"]?.GetValue<string>() == name)
        {
            var previous = string.Concat(outputs[^1]["text"]!.AsArray().Select(l => l!.GetValue<string>()));
            outputs[^1] = Outputs.Stream(name, previous + text);
            return;
        }
        outputs.Add(Outputs.Stream(name, text));
    }

    /// <summary>Sets each overridden variable, converted to the type the parameters cell gave it.</summary>
    private static async Task<string> ApplyParametersAsync(CSharpKernel csharp, Dictionary<string, string> pending)
    {
        var applied = new List<string>();
        foreach (var (name, text) in pending.ToList())
        {
            if (!csharp.TryGetValue<object>(name, out var current) || current is null) continue;
            var declared = current.GetType();
            object value;
            try
            {
                var type = Nullable.GetUnderlyingType(declared) ?? declared;
                value = type.IsEnum ? Enum.Parse(type, text, ignoreCase: true) : Convert.ChangeType(text, type, CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is FormatException or InvalidCastException or ArgumentException or OverflowException)
            {
                throw new NotebookCellException($"--param {name}={text}: not a valid {declared.Name} ({e.Message})", null);
            }
            await csharp.SetValueAsync(name, value, declared).ConfigureAwait(false);
            pending.Remove(name);
            applied.Add($"{name} = {text}");
        }
        return "parameters overridden: " + string.Join(", ", applied) + "\n";
    }

    private static NotebookRunResult Fail(string path, NotebookDocument notebook, NotebookRunOptions options, int cell, int? line, string error, List<(int, TimeSpan)> timings)
    {
        var (executed, report) = Write(path, notebook, options, timings);
        return new NotebookRunResult(path, false, cell, line, error, timings, executed, report);
    }

    private static (string?, string?) Write(string path, NotebookDocument notebook, NotebookRunOptions options, List<(int, TimeSpan)> timings)
    {
        if (options.OutputDirectory is null) return (null, null);
        Directory.CreateDirectory(options.OutputDirectory);
        var name = Path.GetFileNameWithoutExtension(path);
        var executed = Path.Combine(options.OutputDirectory, name + ".ipynb");
        var report = Path.Combine(options.OutputDirectory, name + ".html");
        notebook.Save(executed);
        HtmlReport.Write(report, notebook, timings);
        return (executed, report);
    }
}
