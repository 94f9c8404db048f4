using Research.Lib.Devices;

namespace Research.Lib.Tests.Devices;

public sealed class CpuFeaturesTests
{
    private static IReadOnlySet<string> Flags(string flags)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, $"processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: {flags}\nbugs\t\t: spectre_v1\n\nprocessor\t: 1\nflags\t\t: fpu\n");
            return CpuFeatures.ReadFlags(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Bf16UnitsAreAmxOrAvx512Bf16()
    {
        var sapphire = Flags("fpu avx512f avx512_vnni avx512_bf16 amx_bf16 amx_tile amx_int8");
        var cascade = Flags("fpu avx512f avx512_vnni");
        Assert.True(CpuFeatures.HasBf16(sapphire));
        Assert.True(CpuFeatures.HasBf16(Flags("avx512_bf16")));
        Assert.False(CpuFeatures.HasBf16(cascade));
        Assert.Equal("CPU bf16 units: amx_bf16, avx512_bf16: --precision bf16 runs on them (CPU training defaults to fp32; measure bf16 with research-benchmarks train-throughput)",
            CpuFeatures.Bf16Summary(sapphire));
        Assert.Equal("CPU bf16 units: none (no amx_bf16 or avx512_bf16; avx512_vnni is int8 only): bf16 is converted to float32 here and slower than it; CPU training stays fp32",
            CpuFeatures.Bf16Summary(cascade));
        Assert.Null(CpuFeatures.Bf16TrainingWarning(sapphire));
        Assert.StartsWith("warning: precision bf16 on a CPU without bf16 matrix units", CpuFeatures.Bf16TrainingWarning(cascade));
    }

    [Fact]
    public void AnUnreadableCpuinfoSaysUnknownAndWarnsOfNothing()
    {
        var none = CpuFeatures.ReadFlags("/no/such/cpuinfo");
        Assert.Empty(none);
        Assert.Equal("CPU bf16 units: unknown (no /proc/cpuinfo); CPU training defaults to fp32", CpuFeatures.Bf16Summary(none));
        Assert.Null(CpuFeatures.Bf16TrainingWarning(none));
    }
}
