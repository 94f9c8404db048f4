using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace Research.Notebooks;

/// <summary>
/// Runs a Polyglot C# notebook headless: the C# cells in order in one Roslyn scripting session (later cells see
/// earlier variables and usings), with Polyglot's <c>display()</c>, <c>#r</c> directives, papermill-style
/// parameters, per-cell timing and timeout, and outputs formatted as Polyglot formats them. Writes the executed
/// notebook and a self-contained HTML report, also when a cell fails (up to that cell).
/// </summary>
public sealed partial class NotebookRunner
{
    private static readonly string[] DefaultImports =
        ["System", "System.IO", "System.Linq", "System.Text", "System.Collections.Generic", "System.Threading.Tasks"];

    /// <summary>Assemblies every notebook can use without #r: the kit, TorchSharp and the charting/formatting packages.</summary>
    private static readonly string[] KitAssemblies =
        ["Research.Lib", "Research.Notebooks", "TorchSharp", "Plotly.NET", "Plotly.NET.CSharp", "FSharp.Core", "Microsoft.DotNet.Interactive.Formatting", "Microsoft.ML.Tokenizers", "Spectre.Console"];

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

    private async Task<NotebookRunResult> RunExclusiveAsync(string notebookPath, NotebookRunOptions options)
    {
        var source = NotebookDocument.Load(notebookPath);
        var notebook = source.Copy();
        var notebookDir = Path.GetDirectoryName(Path.GetFullPath(notebookPath))!;
        var globals = new NotebookGlobals { NotebookDirectory = notebookDir };
        var scriptOptions = ScriptOptions.Default
            .AddReferences(KitAssemblies.Select(LoadKitAssembly))
            .AddReferences(typeof(object).Assembly, typeof(Enumerable).Assembly)
            .WithImports(DefaultImports)
            .WithEmitDebugInformation(true)
            .WithFileEncoding(System.Text.Encoding.UTF8)
            .WithLanguageVersion(Microsoft.CodeAnalysis.CSharp.LanguageVersion.Latest);
        var pendingParameters = new Dictionary<string, string>(options.Parameters);
        if (pendingParameters.Count > 0 && !notebook.Cells.Any(c => c.Tags.Contains("parameters")))
            return Fail(notebookPath, notebook, options, 0, null, $"--param given, but no cell is tagged \"parameters\" (tag the cell that assigns {string.Join(", ", pendingParameters.Keys)})", []);

        ScriptState<object>? state = null;
        var timings = new List<(int, TimeSpan)>();
        var executionCount = 0;
        var previousDirectory = Environment.CurrentDirectory;
        var (previousOut, previousError) = (Console.Out, Console.Error);
        Environment.CurrentDirectory = notebookDir;
        try
        {
            foreach (var cell in notebook.Cells.ToList())
            {
                if (!cell.IsCode) continue;
                if (cell.Language != "csharp")
                    return Fail(notebookPath, notebook, options, cell.Number, null, $"language '{cell.Language}' is not supported by the headless runner (C# cells only)", timings);
                var writer = new CellWriter();
                globals.Display = value => writer.Add(Outputs.Display(DisplayFormatter.Format(value)));
                var (code, references, packages) = CellSource.Parse(cell.Source);
                var cellOptions = scriptOptions.WithFilePath(CellFile(cell.Number));
                try
                {
                    cellOptions = cellOptions.AddReferences(ResolveReferences(references, notebookDir, cell.Number))
                                             .AddReferences(ResolvePackages(packages, cell.Number));
                }
                catch (NotebookCellException e)
                {
                    notebook.SetOutputs(cell, [Outputs.Error("ReferenceError", e.Message, [e.Message])], ++executionCount);
                    return Fail(notebookPath, notebook, options, cell.Number, e.Line, e.Message, timings);
                }

                var watch = Stopwatch.StartNew();
                Console.SetOut(writer.Out);
                Console.SetError(writer.Error);
                string? error = null;
                int? errorLine = null;
                try
                {
                    var previous = state;
                    var run = Task.Run(() => previous is null
                        ? CSharpScript.RunAsync(code, cellOptions, globals, typeof(NotebookGlobals))
                        : previous.ContinueWithAsync(code, cellOptions));
                    state = await run.WaitAsync(options.CellTimeout).ConfigureAwait(false);
                    if (state.Exception is { } thrown) throw thrown;
                    if (state.ReturnValue is { } value)
                        writer.Add(Outputs.Result(DisplayFormatter.Format(value), executionCount + 1));
                    if (cell.Tags.Contains("parameters") && pendingParameters.Count > 0)
                        ApplyParameters(state, pendingParameters, writer);
                }
                catch (TimeoutException)
                {
                    error = $"timed out after {options.CellTimeout.TotalSeconds:0.#} s (--cell-timeout)";
                }
                catch (CompilationErrorException e)
                {
                    var first = e.Diagnostics.First(d => d.Severity == DiagnosticSeverity.Error);
                    errorLine = first.Location.GetLineSpan().StartLinePosition.Line + 1;
                    error = $"{first.Id}: {first.GetMessage(CultureInfo.InvariantCulture)}";
                    writer.Add(Outputs.Error("CompilationError", error, e.Diagnostics.Select(d => d.ToString())));
                }
                catch (NotebookCellException e)
                {
                    error = e.Message;
                    writer.Add(Outputs.Error("ParameterError", e.Message, [e.Message]));
                }
                catch (Exception e)
                {
                    var inner = e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerExceptions[0] : e;
                    errorLine = LineIn(inner, cell.Number);
                    error = $"{inner.GetType().Name}: {inner.Message}";
                    writer.Add(Outputs.Error(inner.GetType().Name, inner.Message, inner.ToString().Split('\n')));
                }
                finally
                {
                    Console.SetOut(previousOut);
                    Console.SetError(previousError);
                }
                writer.Flush();
                watch.Stop();
                timings.Add((cell.Number, watch.Elapsed));
                notebook.SetOutputs(cell, writer.Outputs, ++executionCount);
                options.CellFinished?.Invoke(cell, watch.Elapsed, error is null);
                if (error is not null)
                    return Fail(notebookPath, notebook, options, cell.Number, errorLine, error, timings);
            }
        }
        finally
        {
            Environment.CurrentDirectory = previousDirectory;
            Console.SetOut(previousOut);
            Console.SetError(previousError);
        }
        if (pendingParameters.Count > 0)
            return Fail(notebookPath, notebook, options, 0, null, $"--param names no variable of the parameters cell: {string.Join(", ", pendingParameters.Keys)}", timings);
        var (executed, report) = Write(notebookPath, notebook, options, timings);
        return new NotebookRunResult(notebookPath, true, null, null, null, timings, executed, report);
    }

    private static string CellFile(int number) => $"cell-{number}.csx";

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

    /// <summary>Sets each overridden variable, converted to the type the parameters cell gave it.</summary>
    private static void ApplyParameters(ScriptState<object> state, Dictionary<string, string> pending, CellWriter writer)
    {
        var applied = new List<string>();
        foreach (var (name, text) in pending.ToList())
        {
            var variable = state.GetVariable(name);
            if (variable is null) continue;
            object value;
            try
            {
                var type = Nullable.GetUnderlyingType(variable.Type) ?? variable.Type;
                value = type.IsEnum ? Enum.Parse(type, text, ignoreCase: true) : Convert.ChangeType(text, type, CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is FormatException or InvalidCastException or ArgumentException or OverflowException)
            {
                throw new NotebookCellException($"--param {name}={text}: not a valid {variable.Type.Name} ({e.Message})", null);
            }
            variable.Value = value;
            pending.Remove(name);
            applied.Add($"{name} = {text}");
        }
        if (applied.Count > 0)
            writer.Out.Write("parameters overridden: " + string.Join(", ", applied) + "\n");
    }

    private static IEnumerable<MetadataReference> ResolveReferences(List<string> references, string notebookDir, int cell)
    {
        foreach (var reference in references)
        {
            var simpleName = Path.GetFileNameWithoutExtension(reference);
            // The runner's own copy of a kit assembly wins: two copies of one assembly would make two sets of types.
            var loaded = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == simpleName && !a.IsDynamic);
            if (loaded is not null)
            {
                yield return MetadataReference.CreateFromFile(loaded.Location);
                continue;
            }
            var path = Path.GetFullPath(Path.Combine(notebookDir, reference));
            if (!File.Exists(path))
                throw new NotebookCellException($"#r \"{reference}\": {path} not found", null);
            Assembly.LoadFrom(path);
            yield return MetadataReference.CreateFromFile(path);
        }
    }

    private static IEnumerable<MetadataReference> ResolvePackages(List<(string Name, string? Version, int Line)> packages, int cell)
    {
        foreach (var (name, _, line) in packages)
        {
            var path = Path.Combine(AppContext.BaseDirectory, name + ".dll");
            if (!File.Exists(path))
                throw new NotebookCellException(
                    $"#r \"nuget: {name}\": the headless runner has no package '{name}'; it resolves packages only from those the kit references "
                    + $"({string.Join(", ", KitAssemblies)}, and their dependencies). Add it to Research.Lib or reference a DLL by path.", line);
            yield return MetadataReference.CreateFromFile(path);
        }
    }

    private static MetadataReference LoadKitAssembly(string name) =>
        MetadataReference.CreateFromFile(Assembly.Load(new AssemblyName(name)).Location);

    private static int? LineIn(Exception e, int cell)
    {
        var m = Regex.Match(e.StackTrace ?? "", Regex.Escape(CellFile(cell)) + ":line (\\d+)");
        return m.Success ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }
}
