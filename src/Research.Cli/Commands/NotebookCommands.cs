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
            var overrides = new Dictionary<string, string>();
            foreach (var p in r.GetValue(parameters) ?? [])
            {
                var eq = p.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    Console.Error.WriteLine($"--param '{p}': expected name=value.");
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
                CellFinished = (cell, time, ok) => Console.WriteLine($"  cell {cell.Number,3}  {time.TotalSeconds,7:0.00} s  {(ok ? "ok" : "FAILED")}"),
            };
            var runner = new NotebookRunner();
            foreach (var file in r.GetValue(files)!)
            {
                Console.WriteLine($"{file}:");
                var result = await runner.RunAsync(file, options);
                Console.WriteLine($"  executed notebook: {result.ExecutedNotebookPath}");
                Console.WriteLine($"  HTML report:       {result.HtmlReportPath}");
                if (!result.Succeeded)
                {
                    Console.Error.WriteLine(result.ToString());
                    return 1;
                }
                Console.WriteLine("  " + result);
            }
            return 0;
        }));
        notebooks.Subcommands.Add(run);
        return notebooks;
    }
}
