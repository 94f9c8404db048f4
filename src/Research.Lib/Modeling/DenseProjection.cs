using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Research.Lib.Modeling;

#pragma warning disable IDE1006

/// <summary>
/// A linear projection of the pooled vector to a smaller dimension (sentence-transformers' Dense module,
/// saved as <c>2_Dense</c> with the key <c>linear.weight</c>), e.g. 768 -> 256 as in semantic-indexing models.
/// Activation: identity or tanh (sentence-transformers' Dense default).
/// </summary>
public sealed class DenseProjection : nn.Module<Tensor, Tensor>
{
    private readonly Linear linear;

    public DenseProjection(int inFeatures, int outFeatures, bool bias = true, bool tanh = false) : base(nameof(DenseProjection))
    {
        linear = nn.Linear(inFeatures, outFeatures, hasBias: bias);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        HasBias = bias;
        Tanh = tanh;
        RegisterComponents();
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public bool HasBias { get; }
    public bool Tanh { get; }

    /// <param name="pooled">(batch, in)</param>
    /// <returns>(batch, out)</returns>
    public override Tensor forward(Tensor pooled)
    {
        using var scope = NewDisposeScope();
        var y = linear.forward(pooled);
        return (Tanh ? y.tanh() : y).MoveToOuterDisposeScope();
    }
}
