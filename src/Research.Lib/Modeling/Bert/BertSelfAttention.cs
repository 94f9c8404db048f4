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
    private readonly double _dropout;
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

    /// <param name="hidden">(batch, seq, hidden)</param>
    /// <param name="keyMask">(batch, 1, 1, seq) bool: true where a key may be attended, false at padding</param>
    public override Tensor forward(Tensor hidden, Tensor keyMask)
    {
        using var scope = NewDisposeScope();
        var (batch, seq, width) = (hidden.shape[0], hidden.shape[1], hidden.shape[2]);
        var headDim = width / _heads;
        Tensor Split(Linear proj) => _autocast.Linear(proj, hidden).view(batch, seq, _heads, headDim).transpose(1, 2); // (batch, heads, seq, headDim)
        var context = nn.functional.scaled_dot_product_attention(Split(query), Split(key), Split(value),
            keyMask, training ? _dropout : 0.0);                                                      // (batch, heads, seq, headDim)
        return context.transpose(1, 2).reshape(batch, seq, width).MoveToOuterDisposeScope();              // (batch, seq, hidden)
    }
}
