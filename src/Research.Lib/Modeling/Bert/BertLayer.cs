using static TorchSharp.torch;

namespace Research.Lib.Modeling.Bert;

#pragma warning disable IDE1006

/// <summary>One post-norm transformer layer: attention block, then feed-forward block.</summary>
internal sealed class BertLayer : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly BertAttention attention;
    private readonly BertIntermediate intermediate;
    private readonly BertResidualOutput output;

    public BertLayer(TransformerConfig c, Autocast autocast) : base(nameof(BertLayer))
    {
        attention = new BertAttention(c, autocast);
        intermediate = new BertIntermediate(c, autocast);
        output = new BertResidualOutput(c.IntermediateSize, c, autocast);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor keyMask)
    {
        using var scope = NewDisposeScope();
        var attended = attention.forward(hidden, keyMask);                          // (batch, seq, hidden)
        return output.forward(intermediate.forward(attended), attended).MoveToOuterDisposeScope();
    }
}
