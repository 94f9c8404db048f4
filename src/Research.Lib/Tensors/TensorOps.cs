using TorchSharp;
using static TorchSharp.torch;

namespace Research.Lib.Tensors;

/// <summary>
/// Tensor arithmetic with scalars that cannot be freed while libtorch reads them (see <see cref="Scalars"/>): use these
/// instead of TorchSharp's <c>a + b</c>, <c>x * 2.0</c>, <c>x / t</c>, <c>1 - x</c>, <c>arange(n)</c> and implicit
/// Scalar conversions, which make temporaries that a garbage collection can finalize during the native call.
/// </summary>
public static class TensorOps
{
    /// <summary>a + b (element-wise, broadcasting).</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, Scalars.One);

    /// <summary>a += b in place.</summary>
    public static Tensor PlusInPlace(this Tensor a, Tensor b) => a.add_(b, Scalars.One);

    /// <summary>a + value.</summary>
    public static Tensor Plus(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.add(s, Scalars.One);
    }

    /// <summary>a + value (an integer value keeps an integer tensor's type: indices stay int64).</summary>
    public static Tensor Plus(this Tensor a, long value)
    {
        using var s = value.ToScalar();
        return a.add(s, Scalars.One);
    }

    /// <summary>a + value in place (an integer value keeps an integer tensor's type).</summary>
    public static Tensor PlusInPlace(this Tensor a, long value)
    {
        using var s = value.ToScalar();
        return a.add_(s, Scalars.One);
    }

    /// <summary>value − a.</summary>
    public static Tensor SubtractedFrom(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.neg().add_(s, Scalars.One);
    }

    /// <summary>a × value (an integer value keeps an integer tensor's type).</summary>
    public static Tensor Times(this Tensor a, long value)
    {
        using var s = value.ToScalar();
        return a.mul(s);
    }

    /// <summary>a × value.</summary>
    public static Tensor Times(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.mul(s);
    }

    /// <summary>a² element-wise (TorchSharp's <c>square()</c> is <c>pow(2)</c> with a temporary Scalar).</summary>
    public static Tensor Squared(this Tensor a) => a.mul(a);

    /// <summary>a / value.</summary>
    public static Tensor DividedBy(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.div(s);
    }

    /// <summary>a with <paramref name="value"/> where <paramref name="mask"/> is true.</summary>
    public static Tensor MaskedFill(this Tensor a, Tensor mask, double value)
    {
        using var s = value.ToScalar();
        return a.masked_fill(mask, s);
    }

    /// <summary>Sets a to <paramref name="value"/> where <paramref name="mask"/> is true, in place.</summary>
    public static Tensor MaskedFillInPlace(this Tensor a, Tensor mask, double value)
    {
        using var s = value.ToScalar();
        return a.masked_fill_(mask, s);
    }

    /// <summary>Fills a with <paramref name="value"/> in place.</summary>
    public static Tensor FillInPlace(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.fill_(s);
    }

    /// <summary>0, 1, …, count − 1 as int64 on <paramref name="device"/>.</summary>
    public static Tensor Arange(long count, Device? device = null)
    {
        using var stop = count.ToScalar();
        return torch.arange(Scalars.Zero, stop, Scalars.One, ScalarType.Int64, device);
    }
}
