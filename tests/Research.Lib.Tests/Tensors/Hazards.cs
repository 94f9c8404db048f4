using TorchSharp;
using static TorchSharp.torch;

namespace Research.Lib.Tests.Tensors;

/// <summary>Each way the scanner must catch of handing libtorch a temporary Scalar (never called; read as IL only).</summary>
internal static class Hazards
{
    public static Tensor PlusOperator(Tensor a, Tensor b) => a + b;

    public static Tensor TimesDouble(Tensor a) => a * 2.0;

    public static Tensor ImplicitConversion(Tensor a) => a.masked_fill(a.gt(a), 0.0);

    public static Tensor Arange() => arange(10);

    public static Tensor UndisposedScalar(Tensor a) => a.mul(3.0.ToScalar());

    public static Tensor Safe(Tensor a, Tensor b)
    {
        using var three = 3.0.ToScalar();
        return a.mul(three).add(b, Research.Lib.Tensors.Scalars.One);
    }
}
