using static TorchSharp.torch;

namespace Research.Lib.Modeling.Bert;

#pragma warning disable IDE1006

/// <summary>Self-attention followed by its residual output block (HF: attention.self, attention.output).</summary>
internal sealed class BertAttention : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly BertSelfAttention self;
    private readonly BertResidualOutput output;

    public BertAttention(TransformerConfig c, Autocast autocast) : base(nameof(BertAttention))
    {
        self = new BertSelfAttention(c, autocast);
        output = new BertResidualOutput(c.HiddenSize, c, autocast);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor keyMask)
    {
        using var scope = NewDisposeScope();
        return output.forward(self.forward(hidden, keyMask), hidden).MoveToOuterDisposeScope();
    }
}
