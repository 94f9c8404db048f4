using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Research.Lib.Modeling.Bert;

#pragma warning disable IDE1006

/// <summary>dense → activation → LayerNorm before the tied output layer (HF: cls.predictions.transform).</summary>
internal sealed class MlmTransform : nn.Module<Tensor, Tensor>
{
    private readonly Linear dense;
    private readonly LayerNorm LayerNorm;
    private readonly string _activation;

    public MlmTransform(TransformerConfig c) : base(nameof(MlmTransform))
    {
        dense = nn.Linear(c.HiddenSize, c.HiddenSize);
        LayerNorm = nn.LayerNorm(c.HiddenSize, c.LayerNormEps);
        _activation = c.HiddenAct;
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        var x = dense.forward(hidden);
        x = Activation.Apply(_activation, x);
        return LayerNorm.forward(x).MoveToOuterDisposeScope();
    }
}
