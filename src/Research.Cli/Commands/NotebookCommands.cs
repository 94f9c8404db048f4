using System.CommandLine;
using Research.Notebooks;

namespace Research.Cli.Commands;

/// <summary><c>research notebooks run</c>: Polyglot C# notebooks, headless.</summary>
internal static class NotebookCommands
{
    public static Command Create()
    {
        var notebooks = new Command("notebooks", "Run Polyglot (.NET Interactive) C# notebooks headless.");
        var files = new Argument<string[]>("NOTEBOOKS") { Description = ".ipynb files, run one after another.", Arity = ArgumentArity.OneOrMore };
        var outDir = new Option<string>("--out") { Description = "Folder for the executed notebooks and HTML reports.", DefaultValueFactory = _ => "artifacts/notebooks" };
        var parameters = new Option<string[]>("--param") { Description = "name=value: overrides a variable of the cell tagged \"parameters\" (repeatable).", AllowMultipleArgumentsPerToken = false };
        var timeout = new Option<int>("--cell-timeout") { Description = "Seconds a single cell may run.", DefaultValueFactory = _ => 600 };
        var run = new Command("run", "Run notebooks and write the executed .ipynb and an HTML report of each; exit 1 on the first failing notebook.")
        {
            files, outDir, parameters, timeout,
        };
        run.SetAction((r, cancel) => CliErrors.RunAsync(async () =>
        {
            // The kernel points Console at its own capture while a cell runs, and a timed-out cell keeps it: report on
            // the process's own streams, taken before any cell runs.
            var (stdout, stderr) = (Console.Out, Console.Error);
            var overrides = new Dictionary<string, string>();
            foreach (var p in r.GetValue(parameters) ?? [])
            {
                var eq = p.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    stderr.WriteLine($"--param '{p}': expected name=value.");
                    return 1;
                }
                overrides[p[..eq]] = p[(eq + 1)..];
            }
            if (r.GetValue(timeout) <= 0)
                throw new ArgumentException($"--cell-timeout {r.GetValue(timeout)}: expected a positive number of seconds.");
            var outPath = Path.GetFullPath(r.GetValue(outDir)!);
            if (File.Exists(outPath))
                throw new IOException($"--out {r.GetValue(outDir)}: is a file; expected a folder for the executed notebooks and reports.");
            var options = new NotebookRunOptions
            {
                Parameters = overrides,
                CellTimeout = TimeSpan.FromSeconds(r.GetValue(timeout)),
                OutputDirectory = outPath,
                CellFinished = (cell, time, ok) => stdout.WriteLine($"  cell {cell.Number,3}  {time.TotalSeconds,7:0.00} s  {(ok ? "ok" : "FAILED")}"),
            };
            var runner = new NotebookRunner();
            foreach (var file in r.GetValue(files)!)
            {
                stdout.WriteLine($"{file}:");
                var result = await runner.RunAsync(file, options);
                stdout.WriteLine($"  executed notebook: {result.ExecutedNotebookPath}");
                stdout.WriteLine($"  HTML report:       {result.HtmlReportPath}");
                if (!result.Succeeded)
                {
                    stderr.WriteLine(result.ToString());
                    // A timed-out cell is still running (on libtorch's threads, for a training cell): ending the process the
                    // usual way would run libtorch's static destructors under it (a SIGSEGV in oneDNN's primitive cache,
                    // seen as exit 139 instead of this message). End it at once, after the output is out.
                    if (result.TimedOut) ProcessEnd.Immediately(1, stdout, stderr);
                    return 1;
                }
                stdout.WriteLine("  " + result);
            }
            return 0;
        }));
        notebooks.Subcommands.Add(run);
        return notebooks;
    }
}
