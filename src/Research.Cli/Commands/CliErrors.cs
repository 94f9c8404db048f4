using System.Text.Json;
using Research.Lib.IO;

namespace Research.Cli.Commands;

/// <summary>
/// The one error handler of every verb: bad input (a file, a line, a field, an option) prints its message and exits 1,
/// never a stack trace. An error the kit did not foresee also exits 1, with its type named so it can be reported.
/// </summary>
internal static class CliErrors
{
    public static int Run(Action action)
    {
        try
        {
            action();
            return 0;
        }
        catch (Exception e)
        {
            return Report(e);
        }
    }

    public static async Task<int> RunAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e)
        {
            return Report(e);
        }
    }

    private static int Report(Exception e)
    {
        if (e is CliExit exit) return exit.Code;
        if (Environment.GetEnvironmentVariable("RESEARCH_TRACE") == "1") Console.Error.WriteLine(e);
        // A wrapper (reflection, a type initializer, a task) is not the error: its inner exception is.
        while (e is System.Reflection.TargetInvocationException or TypeInitializationException or AggregateException { InnerExceptions.Count: 1 } && e.InnerException is not null)
            e = e.InnerException;
        Console.Error.WriteLine(IsBadInput(e) ? e.Message : $"unexpected error ({e.GetType().Name}): {e.Message}");
        return 1;
    }

    private static bool IsBadInput(Exception e) => e is DataFormatException or FormatException or IOException or InvalidDataException
        or ArgumentException or InvalidOperationException or JsonException or NotSupportedException or UnauthorizedAccessException or OverflowException
        or Research.Lib.Devices.CollectiveException;
}

/// <summary>Ends a verb with an exit code after it has printed its own report (e.g. validation found bad records).</summary>
internal sealed class CliExit(int code) : Exception($"exit {code}")
{
    public int Code { get; } = code;
}
