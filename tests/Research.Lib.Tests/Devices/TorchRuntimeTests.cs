using Research.Lib.Devices;

namespace Research.Lib.Tests.Devices;

public class TorchRuntimeTests
{
    [Fact]
    public void MklFixIsOnExactlyOnAmdLinuxX64()
    {
        var amd = File.Exists("/proc/cpuinfo") && File.ReadAllText("/proc/cpuinfo").Contains("AuthenticAMD", StringComparison.Ordinal);
        var expected = Environment.GetEnvironmentVariable("RESEARCH_MKL_AMD_FIX") == "0" ? "MKL AMD fix: off (RESEARCH_MKL_AMD_FIX=0)"
            : !OperatingSystem.IsLinux() ? "MKL AMD fix: not needed on this platform"
            : amd ? "MKL AMD fix: on" : "MKL AMD fix: not needed (not an AMD CPU)";
        Assert.Equal(expected, TorchRuntime.Status);
    }
}
