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

    /// <summary><c>--precision</c>: fp32 (default), bf16 (CPU with AVX-512 BF16 / AMX, or CUDA), fp16 (CUDA).</summary>
    public static Option<string> Precision() => new("--precision")
    {
        Description = "fp32, bf16 (fast on CPUs with AMX / AVX-512 BF16 and on GPUs) or fp16 (CUDA only); bf16 and fp16 load the weights in that type (half the memory of fp32).",
        DefaultValueFactory = _ => "fp32",
    };

    public static Research.Lib.Modeling.EncodePrecision ParsePrecision(string text) => text switch
    {
        "fp32" => Research.Lib.Modeling.EncodePrecision.Float32,
        "bf16" => Research.Lib.Modeling.EncodePrecision.BFloat16,
        "fp16" => Research.Lib.Modeling.EncodePrecision.Float16,
        _ => throw new ArgumentException($"--precision {text}: expected fp32, bf16 or fp16."),
    };

    /// <summary>A positive integer option value, or an error naming the option.</summary>
    public static int Positive(string option, int value) =>
        value > 0 ? value : throw new ArgumentException($"{option} {value}: expected a positive integer.");
}
