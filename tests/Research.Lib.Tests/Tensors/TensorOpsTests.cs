using Research.Lib.Tensors;
using static TorchSharp.torch;

namespace Research.Lib.Tests.Tensors;

public sealed class TensorOpsTests
{
    [Fact]
    public void ArithmeticMatchesTorchSharpsOperators()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3 });
        var b = tensor(new float[] { 10, 20, 30 });
        Assert.Equal([11f, 22f, 33f], a.Plus(b).data<float>().ToArray());
        Assert.Equal([1.5f, 2.5f, 3.5f], a.Plus(0.5).data<float>().ToArray());
        Assert.Equal([2.5f, 5f, 7.5f], a.Times(2.5).data<float>().ToArray());
        Assert.Equal([1f, 4f, 9f], a.Squared().data<float>().ToArray());
        Assert.Equal([0.5f, 1f, 1.5f], a.DividedBy(2).data<float>().ToArray());
        Assert.Equal([0f, -1f, -2f], a.SubtractedFrom(1).data<float>().ToArray());
        Assert.Equal([1f, float.NegativeInfinity, 3f], a.MaskedFill(tensor(new[] { false, true, false }), double.NegativeInfinity).data<float>().ToArray());
        var c = a.clone();
        c.PlusInPlace(b);
        Assert.Equal([11f, 22f, 33f], c.data<float>().ToArray());
        c.FillInPlace(7);
        Assert.Equal([7f, 7f, 7f], c.data<float>().ToArray());
    }

    [Fact]
    public void IntegerOperandsKeepInt64Indices()
    {
        using var scope = NewDisposeScope();
        var range = TensorOps.Arange(4);
        Assert.Equal(ScalarType.Int64, range.dtype);
        Assert.Equal([0L, 1, 2, 3], range.data<long>().ToArray());
        Assert.Equal([0L, 3, 6, 9], range.Times(3).data<long>().ToArray());
        Assert.Equal(ScalarType.Int64, range.Times(3).dtype);
        Assert.Equal([5L, 6, 7, 8], range.Plus(5).data<long>().ToArray());
        Assert.Equal(ScalarType.Int64, range.Plus(5).dtype);
    }
}
