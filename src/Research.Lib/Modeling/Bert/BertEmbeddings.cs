using Research.Lib.Tensors;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Research.Lib.Modeling.Bert;

// Field names are Hugging Face's parameter names: they become the state-dict keys.
#pragma warning disable IDE1006

/// <summary>Word + position + token-type embeddings, then LayerNorm and dropout.</summary>
internal sealed class BertEmbeddings : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly Embedding word_embeddings;
    private readonly Embedding position_embeddings;
    private readonly Embedding token_type_embeddings;
    private readonly LayerNorm LayerNorm;
    private double _dropout;

    public BertEmbeddings(TransformerConfig c) : base(nameof(BertEmbeddings))
    {
        word_embeddings = nn.Embedding(c.VocabSize, c.HiddenSize, padding_idx: c.PadTokenId);
        position_embeddings = nn.Embedding(c.MaxPositionEmbeddings, c.HiddenSize, padding_idx: c.IsRoberta ? c.PadTokenId : null);
        token_type_embeddings = nn.Embedding(c.TypeVocabSize, c.HiddenSize);
        LayerNorm = nn.LayerNorm(c.HiddenSize, c.LayerNormEps);
        _dropout = c.HiddenDropoutProb;
        RegisterComponents();
    }

    /// <summary>Sets the training dropout probability (<see cref="BertModel.SetDropout"/>).</summary>
    internal void SetDropout(double p) => _dropout = p;

    /// <summary>The word embedding matrix (vocab, hidden): the tied output layer of a masked-language-model head.</summary>
    public Tensor WordWeight => word_embeddings.weight!;

    /// <param name="inputIds">(batch, seq) int64</param>
    /// <param name="tokenTypeIds">(batch, seq) int64</param>
    /// <param name="positionIds">(batch, seq) int64</param>
    public override Tensor forward(Tensor inputIds, Tensor tokenTypeIds, Tensor positionIds)
    {
        using var scope = NewDisposeScope();
        var x = word_embeddings.forward(inputIds)            // (batch, seq, hidden)
            .Plus(position_embeddings.forward(positionIds))
            .Plus(token_type_embeddings.forward(tokenTypeIds));
        return FastDropout.Forward(LayerNorm.forward(x), _dropout, training).MoveToOuterDisposeScope();
    }
}
