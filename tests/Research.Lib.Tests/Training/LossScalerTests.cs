using Research.Lib.Tensors;
using Research.Lib.Training;
using TorchSharp;

namespace Research.Lib.Tests.Training;

/// <summary>Dynamic loss scaling with torch.amp.GradScaler's defaults.</summary>
public class LossScalerTests
{
    [Fact]
    public void UnscalesFiniteGradientsAndSkipsOverflowingSteps()
    {
        var scaler = new LossScaler(enabled: true);
        Assert.Equal(65536, scaler.Scale);
        using var p = torch.zeros(3).requires_grad_();
        (p * torch.tensor(new[] { 1f, 2f, 3f })).Times(65536.0).sum().backward();
        Assert.True(scaler.Unscale([p.grad!]));
        Assert.Equal(new[] { 1f, 2f, 3f }, p.grad!.data<float>().ToArray());
        Assert.Equal((65536.0, 1), (scaler.Scale, scaler.GoodSteps));

        p.grad.FillInPlace(double.PositiveInfinity);
        Assert.False(scaler.Unscale([p.grad!]));
        Assert.Equal((32768.0, 0), (scaler.Scale, scaler.GoodSteps));
    }

    [Fact]
    public void ScaleDoublesAfterTwoThousandGoodSteps()
    {
        var scaler = new LossScaler(enabled: true, scale: 1024, goodSteps: 1998);
        scaler.Update(finite: true);
        Assert.Equal((1024.0, 1999), (scaler.Scale, scaler.GoodSteps));
        scaler.Update(finite: true);
        Assert.Equal((2048.0, 0), (scaler.Scale, scaler.GoodSteps));
    }

    [Fact]
    public void DisabledScalerNeverScales()
    {
        var scaler = new LossScaler(enabled: false, scale: 1024);
        using var p = torch.ones(2).requires_grad_();
        p.Times(double.PositiveInfinity).sum().backward();
        Assert.True(scaler.Unscale([p.grad!]));
        scaler.Update(finite: false);
        Assert.Equal(1.0, scaler.Scale);
    }
}
