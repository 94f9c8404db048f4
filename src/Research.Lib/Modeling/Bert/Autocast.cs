using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Research.Lib.Modeling.Bert;

/// <summary>
/// Mixed precision for the encoder's matrix products, as PyTorch's <c>torch.autocast</c> does (TorchSharp 0.107 has
/// no autocast): when <see cref="ComputeType"/> is bfloat16 or float16, every Linear casts its input, weight and bias
/// to that type (the casts are differentiable, so gradients reach the float32 master weights) and attention runs on
/// the half-precision q/k/v its projections give, while embeddings, residual sums and LayerNorm stay in float32
/// (a half-precision product added to a float32 residual promotes to float32). Null = plain float32.
/// <para>
/// For inference (<see cref="BeginHalfInference"/>) the layers run entirely in the half type, as a model loaded in that
/// dtype does (sentence-transformers' <c>model_kwargs={"torch_dtype": ...}</c>): each weight is cast once per encode call
/// and reused by every batch, and hidden states, residuals and LayerNorm stay in the half type — no per-batch casts of
/// weights or activations, half the memory traffic of float32 residuals.
/// </para>
/// One instance is shared by all layers of a <see cref="BertModel"/>.
/// </summary>
internal sealed class Autocast
{
    private Dictionary<Tensor, Tensor>? _halfWeights;

    public ScalarType? ComputeType { get; set; }

    /// <summary>True between <see cref="BeginHalfInference"/> and the disposal of what it returned.</summary>
    public bool PureHalf => _halfWeights is not null;

    /// <summary>The LoRA updates by the layer they adapt (<see cref="LoraAdapter"/>), or null when the model has none.</summary>
    public IReadOnlyDictionary<Linear, LoraBranch>? Lora { get; set; }

    /// <summary>
    /// x W^T + b in <see cref="ComputeType"/> (or the layer's own type when off), plus the layer's LoRA update
    /// scaling · B A dropout(x) in the same type when it has one.
    /// </summary>
    public Tensor Linear(Linear layer, Tensor x)
    {
        if (Lora is null || !Lora.TryGetValue(layer, out var branch)) return Plain(layer, x);
        using var scope = NewDisposeScope();
        using var scaling = branch.Scaling.ToScalar();
        var update = Plain(branch.B, Plain(branch.A, branch.Dropout(x)));
        // In place: the base product's backward needs neither its output nor the update, so no third (batch, seq, out) tensor.
        return Plain(layer, x).add_(update, scaling).MoveToOuterDisposeScope();
    }

    private Tensor Plain(Linear layer, Tensor x)
    {
        if (ComputeType is not { } t || x.dtype == t && layer.weight!.dtype == t)
            return layer.forward(x);
        if (_halfWeights is not null)
            return nn.functional.linear(x.dtype == t ? x : x.to_type(t), Half(layer.weight!, t), layer.bias is { } bias ? Half(bias, t) : null);
        using var scope = NewDisposeScope();
        using var w = layer.weight!.to_type(t);
        using var b = layer.bias?.to_type(t);
        return nn.functional.linear(x.to_type(t), w, b).MoveToOuterDisposeScope();
    }

    /// <summary>LayerNorm over the last dimension: in the half type during half inference, else the layer itself (float32).</summary>
    public Tensor LayerNorm(LayerNorm layer, Tensor x, double eps)
    {
        if (_halfWeights is null || ComputeType is not { } t)
            return layer.forward(x);
        return nn.functional.layer_norm(x.dtype == t ? x : x.to_type(t), [x.shape[^1]], Half(layer.weight!, t), Half(layer.bias!, t), eps);
    }

    /// <summary>
    /// Pure half-precision inference until the result is disposed: weights are cast to <see cref="ComputeType"/> on first
    /// use and cached; the caller must not train (or change the weights) meanwhile. No-op when <see cref="ComputeType"/> is null.
    /// </summary>
    public IDisposable BeginHalfInference()
    {
        if (ComputeType is null) return new Scope(null);
        _halfWeights = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        return new Scope(this);
    }

    private Tensor Half(Tensor weight, ScalarType t)
    {
        if (!_halfWeights!.TryGetValue(weight, out var half))
        {
            using var noGrad = no_grad();
            half = weight.to_type(t).DetachFromDisposeScope();
            _halfWeights[weight] = half;
        }
        return half;
    }

    private sealed class Scope(Autocast? owner) : IDisposable
    {
        public void Dispose()
        {
            if (owner?._halfWeights is not { } cache) return;
            owner._halfWeights = null;
            foreach (var half in cache.Values) half.Dispose();
        }
    }
}
