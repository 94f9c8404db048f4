using Research.Cli.Commands;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Research.Cli.Tests;

/// <summary>Runs the <c>research</c> command tree in-process with the console captured (tests run one at a time).</summary>
internal static class CliHarness
{
    public static (int Exit, string Out, string Error) Run(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var (previousOut, previousError) = (Console.Out, Console.Error);
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            var exit = CliApp.Create().Parse(args).Invoke();
            return (exit, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(previousOut);
            Console.SetError(previousError);
        }
    }
}
