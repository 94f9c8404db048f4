using Research.Lib.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Research.Lib.Modeling.Bert;

#pragma warning disable IDE1006

/// <summary>Multi-head scaled dot-product self-attention (Vaswani et al. 2017) with BERT's separate q/k/v projections.</summary>
internal sealed class BertSelfAttention : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Linear query;
    private readonly Linear key;
    private readonly Linear value;
    private readonly int _heads;
    private double _dropout;
    private readonly Autocast _autocast;

    public BertSelfAttention(TransformerConfig c, Autocast autocast) : base(nameof(BertSelfAttention))
    {
        query = nn.Linear(c.HiddenSize, c.HiddenSize);
        key = nn.Linear(c.HiddenSize, c.HiddenSize);
        value = nn.Linear(c.HiddenSize, c.HiddenSize);
        _heads = c.NumAttentionHeads;
        _dropout = c.AttentionProbsDropoutProb;
        _autocast = autocast;
        RegisterComponents();
    }

    /// <summary>Sets the training dropout probability (<see cref="BertModel.SetDropout"/>).</summary>
    internal void SetDropout(double p) => _dropout = p;

    /// <summary>How attention is computed (set for the whole model by <see cref="BertModel.AttentionImplementation"/>).</summary>
    public AttentionImplementation Implementation { get; set; }

    /// <summary>softmax(q kᵀ / √d, padding keys at −∞) v, with dropout on the probabilities: (batch, heads, seq, headDim).</summary>
    private static Tensor Eager(Tensor q, Tensor k, Tensor v, Tensor keyMask, double dropout, long headDim)
    {
        using var scope = NewDisposeScope();
        using var scale = Math.Sqrt(headDim).ToScalar();
        var scores = q.matmul(k.transpose(-2, -1)).div_(scale);                 // (batch, heads, seq, seq)
        scores.masked_fill_(keyMask.logical_not(), Scalars.NegativeInfinity);
        var probs = scores.softmax(-1);
        probs = FastDropout.Forward(probs, dropout, training: dropout > 0);
        return probs.matmul(v).MoveToOuterDisposeScope();
    }

    /// <param name="hidden">(batch, seq, hidden)</param>
    /// <param name="keyMask">(batch, 1, 1, seq) bool: true where a key may be attended, false at padding</param>
    public override Tensor forward(Tensor hidden, Tensor keyMask)
    {
        using var scope = NewDisposeScope();
        var (batch, seq, width) = (hidden.shape[0], hidden.shape[1], hidden.shape[2]);
        var headDim = width / _heads;
        Tensor Split(Linear proj) => _autocast.Linear(proj, hidden).view(batch, seq, _heads, headDim).transpose(1, 2); // (batch, heads, seq, headDim)
        var dropout = training ? _dropout : 0.0;
        // Dropout on the CPU: the eager form with the kit's parallel masks (libtorch's fused attention would draw them
        // on one thread, a tenth of a step).
        var fused = Implementation == AttentionImplementation.Sdpa && !(dropout > 0 && hidden.device_type == TorchSharp.DeviceType.CPU);
        var context = fused
            ? nn.functional.scaled_dot_product_attention(Split(query), Split(key), Split(value), keyMask, dropout) // (batch, heads, seq, headDim)
            : Eager(Split(query), Split(key), Split(value), keyMask, dropout, headDim);
        return context.transpose(1, 2).reshape(batch, seq, width).MoveToOuterDisposeScope();              // (batch, seq, hidden)
    }
}
