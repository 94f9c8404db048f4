using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Research.Lib.Modeling.Bert;

#pragma warning disable IDE1006

/// <summary>The stack of layers (HF: encoder.layer.N).</summary>
internal sealed class BertLayerStack : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly ModuleList<BertLayer> layer;

    public BertLayerStack(TransformerConfig c, Autocast autocast) : base(nameof(BertLayerStack))
    {
        layer = nn.ModuleList(Enumerable.Range(0, c.NumHiddenLayers).Select(_ => new BertLayer(c, autocast)).ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor keyMask)
    {
        using var scope = NewDisposeScope();
        var x = hidden;
        foreach (var l in layer)
            x = l.forward(x, keyMask); // (batch, seq, hidden)
        return x.MoveToOuterDisposeScope();
    }
}
