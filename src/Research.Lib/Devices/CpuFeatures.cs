namespace Research.Lib.Devices;

/// <summary>
/// What this CPU's matrix units can do in bfloat16, read from /proc/cpuinfo's flags: AMX (<c>amx_bf16</c>) or AVX-512
/// BF16 (<c>avx512_bf16</c>) run bf16 GEMMs natively; without them oneDNN converts to float32 and bf16 training is
/// slower than float32 (measured on a CPU with avx512_vnni only: 0.35× the float32 step, benchmarks/README.md).
/// </summary>
public static class CpuFeatures
{
    private static readonly Lazy<IReadOnlySet<string>> LazyFlags = new(() => ReadFlags("/proc/cpuinfo"));

    /// <summary>The CPU's flags (empty where /proc/cpuinfo cannot be read).</summary>
    public static IReadOnlySet<string> Flags => LazyFlags.Value;

    /// <summary>Whether the CPU has bf16 matrix units (AMX-BF16 or AVX512-BF16).</summary>
    public static bool HasBf16MatrixUnits => HasBf16(Flags);

    /// <summary>Whether <paramref name="flags"/> name bf16 matrix units.</summary>
    public static bool HasBf16(IReadOnlySet<string> flags)
    {
        ArgumentNullException.ThrowIfNull(flags);
        return flags.Contains("amx_bf16") || flags.Contains("avx512_bf16");
    }

    /// <summary>One line for <c>research env</c>: the bf16 units and what they mean for CPU training.</summary>
    public static string Bf16Summary(IReadOnlySet<string> flags)
    {
        ArgumentNullException.ThrowIfNull(flags);
        if (flags.Count == 0) return "CPU bf16 units: unknown (no /proc/cpuinfo); CPU training defaults to fp32";
        var units = new[] { "amx_bf16", "avx512_bf16" }.Where(flags.Contains).ToList();
        return units.Count > 0
            ? $"CPU bf16 units: {string.Join(", ", units)}: --precision bf16 runs on them (CPU training defaults to fp32; measure bf16 with research-benchmarks train-throughput)"
            : $"CPU bf16 units: none (no amx_bf16 or avx512_bf16{(flags.Contains("avx512_vnni") ? "; avx512_vnni is int8 only" : "")}): bf16 is converted to float32 here and slower than it; CPU training stays fp32";
    }

    /// <summary>The warning for bf16 training on a CPU without bf16 units (null when there is nothing to say).</summary>
    public static string? Bf16TrainingWarning(IReadOnlySet<string> flags)
    {
        ArgumentNullException.ThrowIfNull(flags);
        return flags.Count == 0 || HasBf16(flags) ? null
            : "warning: precision bf16 on a CPU without bf16 matrix units (no amx_bf16 or avx512_bf16 in /proc/cpuinfo): each bf16 GEMM is converted to float32, so training is slower than in fp32 (measured 0.35× on such a CPU) and no more accurate. Use --precision fp32 here.";
    }

    /// <summary>The flags of the first processor listed in <paramref name="path"/> (a /proc/cpuinfo file).</summary>
    public static IReadOnlySet<string> ReadFlags(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
            return line is null ? new HashSet<string>() : line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        }
        catch (IOException)
        {
            return new HashSet<string>();
        }
        catch (UnauthorizedAccessException)
        {
            return new HashSet<string>();
        }
    }
}
