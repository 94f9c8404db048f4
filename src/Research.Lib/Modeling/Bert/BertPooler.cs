using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Research.Lib.Modeling.Bert;

#pragma warning disable IDE1006

/// <summary>BERT's pooler: tanh(dense(first token)). Kept for checkpoints that have it; sentence embeddings use <see cref="Pooling"/>.</summary>
internal sealed class BertPooler : nn.Module<Tensor, Tensor>
{
    private readonly Linear dense;

    public BertPooler(TransformerConfig c) : base(nameof(BertPooler))
    {
        dense = nn.Linear(c.HiddenSize, c.HiddenSize);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        return dense.forward(hidden.select(1, 0)).tanh().MoveToOuterDisposeScope(); // (batch, hidden)
    }
}
