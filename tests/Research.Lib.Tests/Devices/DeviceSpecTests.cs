using Research.Lib.Devices;
using TorchSharp;

namespace Research.Lib.Tests.Devices;

public class DeviceSpecTests
{
    [Theory]
    [InlineData("cpu", "cpu", null)]
    [InlineData(" CUDA ", "cuda", null)]
    [InlineData("cuda:3", "cuda", 3)]
    [InlineData("auto", "auto", null)]
    public void ParsesTheUsualSpellings(string text, string kind, int? index)
    {
        var spec = DeviceSpec.Parse(text);
        Assert.Equal((kind, index), (spec.Kind, spec.Index));
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    public void RejectsOtherSpellings(string text)
    {
        var error = Assert.Throws<FormatException>(() => DeviceSpec.Parse(text));
        Assert.Equal($"Device '{text}': expected cpu, cuda, cuda:N (N = 0, 1, ...) or auto.", error.Message);
    }

    [Fact]
    public void AutoFollowsCudaAvailabilityAndCpuAlwaysResolves()
    {
        Assert.Equal(DeviceType.CPU, DeviceSpec.Cpu.Resolve().type);
        var expected = torch.cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU;
        Assert.Equal(expected, DeviceSpec.Auto.Resolve().type);
    }

    [SkippableFact]
    public void CudaWithoutCudaIsAClearError()
    {
        Skip.If(torch.cuda.is_available(), "CUDA is available on this machine; the no-CUDA error path does not apply.");
        var error = Assert.Throws<InvalidOperationException>(() => DeviceSpec.Parse("cuda:1").Resolve());
        Assert.StartsWith("Device 'cuda:1' requested, but CUDA is not available", error.Message);
    }
}
