using Research.Lib.Tensors;
using Research.Lib.Training;
using TorchSharp;

namespace Research.Lib.Tests.Training;

[Collection(TorchRandomCollection.Name)]
public class TrainingHeadTests
{
    [Fact]
    public void SimCsesHeadIsOneLinearLayerWithTanh()
    {
        using var head = TrainingHead.Create(8, batchNorm: false);
        Assert.Equal(8 * 8 + 8, head.parameters().Sum(p => p.numel()));
        using var y = head.forward(torch.ones(4, 8).Times(100.0));
        Assert.True(y.abs().max().item<float>() <= 1f); // tanh
    }

    [Fact]
    public void TheBatchNormProjectionHasDiffCsesShapeAndWhitensEachColumnInTraining()
    {
        using var head = TrainingHead.Create(8, batchNorm: true);
        // Linear(8, 16) without bias, BatchNorm1d(16) with weight and bias, Linear(16, 8) without bias, BatchNorm1d(8) without affine.
        Assert.Equal(8 * 16 + 16 + 16 + 16 * 8, head.parameters().Sum(p => p.numel()));
        head.train();
        torch.manual_seed(7);
        using var x = torch.randn(32, 8).Times(3.0).Plus(5.0);
        using var y = head.forward(x);
        Assert.Equal(new long[] { 32, 8 }, y.shape);
        var mean = y.mean([0]).abs().max().item<float>();
        using var variance = y.var(0, unbiased: false);
        Assert.True(mean < 1e-5, $"largest column mean {mean}");
        // BatchNorm divides by sqrt(var + 1e-5): each column's variance is v / (v + 1e-5), within 1e-3 of 1 for v > 0.01.
        Assert.InRange(variance.min().item<float>(), 0.999f, 1.0001f);
        Assert.InRange(variance.max().item<float>(), 0.999f, 1.0001f);
    }
}
