using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Research.Lib.Modeling.Bert;

/// <summary>
/// Mixed precision for the encoder's matrix products, as PyTorch's <c>torch.autocast</c> does (TorchSharp 0.107 has
/// no autocast): when <see cref="ComputeType"/> is bfloat16 or float16, every Linear casts its input, weight and bias
/// to that type (the casts are differentiable, so gradients reach the float32 master weights) and attention runs on
/// the half-precision q/k/v its projections give, while embeddings, residual sums and LayerNorm stay in float32
/// (a half-precision product added to a float32 residual promotes to float32). Null = plain float32.
/// One instance is shared by all layers of a <see cref="BertModel"/>.
/// </summary>
internal sealed class Autocast
{
    public ScalarType? ComputeType { get; set; }

    /// <summary>x W^T + b in <see cref="ComputeType"/> (or the layer's own type when off).</summary>
    public Tensor Linear(Linear layer, Tensor x)
    {
        if (ComputeType is not { } t || x.dtype == t && layer.weight!.dtype == t)
            return layer.forward(x);
        using var scope = NewDisposeScope();
        using var w = layer.weight!.to_type(t);
        using var b = layer.bias?.to_type(t);
        return nn.functional.linear(x.to_type(t), w, b).MoveToOuterDisposeScope();
    }
}
