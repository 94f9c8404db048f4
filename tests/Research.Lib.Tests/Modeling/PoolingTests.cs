using Research.Lib.Modeling;
using TorchSharp;

namespace Research.Lib.Tests.Modeling;

public class PoolingTests
{
    // (batch 2, seq 3, hidden 2); the second row has one padding token.
    private static torch.Tensor Hidden() => torch.tensor(new float[] { 1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 99, 99 }, 2, 3, 2);
    private static torch.Tensor Mask() => torch.tensor(new long[] { 1, 1, 1, 1, 1, 0 }, 2, 3);

    [Theory]
    [InlineData(PoolingMode.Cls, new float[] { 1, 2, 10, 20 })]
    [InlineData(PoolingMode.Mean, new float[] { 3, 4, 20, 30 })]
    [InlineData(PoolingMode.LastToken, new float[] { 5, 6, 30, 40 })]
    public void PoolsIgnoringPadding(PoolingMode mode, float[] expected)
    {
        using var pooled = Pooling.Pool(Hidden(), Mask(), mode);
        Assert.Equal(new long[] { 2, 2 }, pooled.shape);
        Assert.Equal(expected, pooled.data<float>().ToArray());
    }

    [Fact]
    public void NormalizeGivesUnitRows()
    {
        using var n = Pooling.Normalize(torch.tensor(new float[] { 3, 4, 0, 0 }, 2, 2));
        Assert.Equal(new float[] { 0.6f, 0.8f, 0, 0 }, n.data<float>().ToArray());
    }
}
