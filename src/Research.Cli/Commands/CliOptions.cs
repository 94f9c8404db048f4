using System.CommandLine;
using Research.Lib.Devices;

namespace Research.Cli.Commands;

/// <summary>Options every verb spells the same way.</summary>
internal static class CliOptions
{
    /// <summary><c>--device</c>: auto (the first CUDA device when there is one, else the CPU), cpu, cuda or cuda:N.</summary>
    public static Option<string> Device() => new("--device")
    {
        Description = "auto (CUDA when available, else CPU), cpu, cuda or cuda:N.",
        DefaultValueFactory = _ => "auto",
    };

    public static DeviceSpec ParseDevice(string text) => DeviceSpec.Parse(text);

    /// <summary>A positive integer option value, or an error naming the option.</summary>
    public static int Positive(string option, int value) =>
        value > 0 ? value : throw new ArgumentException($"{option} {value}: expected a positive integer.");
}
