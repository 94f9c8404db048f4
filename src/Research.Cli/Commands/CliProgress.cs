using Spectre.Console;

namespace Research.Cli.Commands;

/// <summary>A byte-based progress bar on stderr for long reads; plain in non-interactive consoles.</summary>
internal static class CliProgress
{
    public static T OverFile<T>(string description, string path, Func<IProgress<long>, T> work)
    {
        var total = File.Exists(path) ? new FileInfo(path).Length : 0;
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        if (!console.Profile.Capabilities.Interactive || total < (8 << 20))
            return work(new Progress<long>(_ => { }));
        T result = default!;
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(description), maxValue: total);
                result = work(new SyncProgress(v => task.Value = v));
                task.Value = total;
            });
        return result;
    }

    /// <summary>A progress bar over a count of items (e.g. texts encoded); plain in non-interactive consoles.</summary>
    public static T OverCount<T>(string description, int total, Func<IProgress<int>, T> work)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        if (!console.Profile.Capabilities.Interactive || total < 256)
            return work(new Progress<int>(_ => { }));
        T result = default!;
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(description), maxValue: total);
                result = work(new SyncCountProgress(v => task.Value = v));
                task.Value = total;
            });
        return result;
    }

    private sealed class SyncCountProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }

    private sealed class SyncProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
