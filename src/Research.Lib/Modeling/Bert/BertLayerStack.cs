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
        {
            var next = l.call(x, keyMask); // (batch, seq, hidden); call, not forward, so that forward hooks run
            // A layer's output is dead once the next layer has read it: free it now rather than at the end of the
            // stack, so that inference holds one layer's activations instead of all of them (at batch 512 x 128
            // tokens, BERT-base's 12 outputs are 2.4 GB in float32). Autograd keeps what the backward pass needs.
            if (!ReferenceEquals(x, hidden)) x.Dispose();
            x = next;
        }
        return x.MoveToOuterDisposeScope();
    }
}
