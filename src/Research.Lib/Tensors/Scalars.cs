using TorchSharp;

namespace Research.Lib.Tensors;

/// <summary>
/// Scalars that live as long as the process, for TorchSharp calls that need a <see cref="Scalar"/> constant.
/// <para>
/// Why: a TorchSharp <see cref="Scalar"/> owns a native <c>at::Scalar</c> and frees it in its finalizer. TorchSharp's
/// convenience overloads (<c>a + b</c> is <c>add(b, 1)</c>, <c>x * 2.0</c>, <c>arange(n)</c>, every implicit
/// <c>double → Scalar</c> conversion) make a temporary Scalar, read its handle and pass it to native code without keeping
/// the object alive; once the JIT has optimised the caller, a garbage collection on another thread (a tokenizer worker,
/// the test host) can finalize the temporary while libtorch still reads it, and the call fails with
/// <c>Expected false to be true ... toFloat at c10/core/Scalar.h</c> or reads a wrong value. Static fields are GC
/// roots, so these never are finalized; values that vary are made with <c>using var s = value.ToScalar()</c>, which keeps
/// the object alive until after the call. <see cref="TensorOps"/> wraps the common cases; a test reads the kit's IL and
/// fails on any call that makes a temporary Scalar.
/// </para>
/// </summary>
public static class Scalars
{
    /// <summary>The integer 0 (also an arange start).</summary>
    public static readonly Scalar Zero = 0L.ToScalar();

    /// <summary>The integer 1: the <c>alpha</c> of a plain add, an arange step.</summary>
    public static readonly Scalar One = 1L.ToScalar();

    /// <summary>Minus infinity (masked logits, masked attention scores).</summary>
    public static readonly Scalar NegativeInfinity = double.NegativeInfinity.ToScalar();
}
