using System.Diagnostics;
using System.Globalization;

namespace Research.Benchmarks;

/// <summary>What every benchmark shares: --name value options and the process's memory readings.</summary>
internal static class BenchmarkArgs
{
    public static string Option(string[] args, string name, string fallback) => Optional(args, name) ?? fallback;

    public static string? Optional(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>Peak resident memory of this process (VmHWM), MiB.</summary>
    public static double PeakRssMiB() => Status("VmHWM:") ?? Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;

    /// <summary>Current resident memory of this process (VmRSS), MiB.</summary>
    public static double RssMiB() => Status("VmRSS:") ?? Process.GetCurrentProcess().WorkingSet64 / 1048576.0;

    private static double? Status(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field, StringComparison.Ordinal))
                return double.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
        return null;
    }
}
