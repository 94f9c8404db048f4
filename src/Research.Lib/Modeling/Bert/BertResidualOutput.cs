using Research.Lib.Tensors;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Research.Lib.Modeling.Bert;

#pragma warning disable IDE1006

/// <summary>dense -> dropout -> LayerNorm(x + residual): BERT's post-norm output block (attention.output and output).</summary>
internal sealed class BertResidualOutput : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Linear dense;
    private readonly LayerNorm LayerNorm;
    private double _dropout;
    private readonly Autocast _autocast;
    private readonly double _eps;

    public BertResidualOutput(int inFeatures, TransformerConfig c, Autocast autocast) : base(nameof(BertResidualOutput))
    {
        dense = nn.Linear(inFeatures, c.HiddenSize);
        LayerNorm = nn.LayerNorm(c.HiddenSize, c.LayerNormEps);
        _dropout = c.HiddenDropoutProb;
        _autocast = autocast;
        _eps = c.LayerNormEps;
        RegisterComponents();
    }

    /// <summary>Sets the training dropout probability (<see cref="BertModel.SetDropout"/>).</summary>
    internal void SetDropout(double p) => _dropout = p;

    public override Tensor forward(Tensor x, Tensor residual)
    {
        using var scope = NewDisposeScope();
        return _autocast.LayerNorm(LayerNorm, FastDropout.Forward(_autocast.Linear(dense, x), _dropout, training).Plus(residual), _eps).MoveToOuterDisposeScope(); // (batch, seq, hidden)
    }
}
