using System.Text.Json;
using Research.Lib.Data;

namespace Research.Cli.Commands;

/// <summary>Runs a command body; a bad-input error prints its message (file, line, field) and exits 1, no stack trace.</summary>
internal static class CliErrors
{
    public static int Run(Action action)
    {
        try
        {
            action();
            return 0;
        }
        catch (Exception e) when (e is DataFormatException or FormatException or IOException or InvalidDataException
            or ArgumentException or InvalidOperationException or JsonException or NotSupportedException)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }
}
