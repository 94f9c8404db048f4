using Research.Lib.Text;
using TorchSharp;

namespace Research.Lib.Modeling;

/// <summary>Creates a randomly initialized <see cref="SentenceEncoder"/> around a tokenizer (deterministic for a seed).</summary>
public static class ModelInitializer
{
    public static SentenceEncoder Create(ITextTokenizer tokenizer, ModelInitOptions options)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(options);
        var roberta = options.Architecture switch
        {
            "bert" => false,
            "xlm-roberta" => true,
            _ => throw new ArgumentException($"Architecture '{options.Architecture}': expected bert or xlm-roberta."),
        };
        if (roberta != tokenizer is XlmRobertaTokenizer)
            throw new ArgumentException(roberta ? "xlm-roberta needs a SentencePiece tokenizer." : "bert needs a WordPiece tokenizer.");
        var config = new TransformerConfig
        {
            ModelType = options.Architecture,
            VocabSize = tokenizer.VocabSize,
            HiddenSize = options.Hidden,
            NumHiddenLayers = options.Layers,
            NumAttentionHeads = options.Heads,
            IntermediateSize = options.Intermediate ?? 4 * options.Hidden,
            HiddenAct = options.HiddenAct,
            MaxPositionEmbeddings = roberta ? options.MaxPositions + tokenizer.PadId + 1 : options.MaxPositions,
            TypeVocabSize = roberta ? 1 : 2,
            LayerNormEps = roberta ? 1e-5 : 1e-12,
            PadTokenId = tokenizer.PadId,
        };
        var model = new BertModel(config, options.WithPooler);
        model.InitializeWeights(options.Seed);
        DenseProjection? projection = null;
        if (options.ProjectionDimension is { } dim)
        {
            projection = new DenseProjection(options.Hidden, dim);
            using var noGrad = torch.no_grad();
            var generator = new torch.Generator((ulong)options.Seed + 1);
            foreach (var (name, p) in projection.named_parameters())
                if (name.EndsWith("bias", StringComparison.Ordinal)) p.zero_();
                else p.normal_(0, 0.02, generator);
        }
        var settings = new SentenceEncoderSettings
        {
            Pooling = options.Pooling,
            Normalize = options.Normalize,
            MaxSeqLength = options.MaxPositions,
        };
        return new SentenceEncoder(tokenizer, model, settings, projection);
    }
}
