using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Research.Lib.Modeling.Bert;

#pragma warning disable IDE1006

/// <summary>The feed-forward expansion: dense to intermediate_size, then the activation.</summary>
internal sealed class BertIntermediate : nn.Module<Tensor, Tensor>
{
    private readonly Linear dense;
    private readonly string _activation;
    private readonly Autocast _autocast;

    public BertIntermediate(TransformerConfig c, Autocast autocast) : base(nameof(BertIntermediate))
    {
        dense = nn.Linear(c.HiddenSize, c.IntermediateSize);
        _activation = c.HiddenAct;
        _autocast = autocast;
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        var x = _autocast.Linear(dense, hidden); // (batch, seq, intermediate)
        var y = Activation.Apply(_activation, x);
        return y.MoveToOuterDisposeScope();
    }
}
