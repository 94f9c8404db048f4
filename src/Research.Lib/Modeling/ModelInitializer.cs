using Research.Lib.Data;
using Research.Lib.Text;
using TorchSharp;

namespace Research.Lib.Modeling;

/// <summary>Creates a randomly initialized <see cref="SentenceEncoder"/> around a tokenizer (deterministic for a seed).</summary>
public static class ModelInitializer
{
    /// <summary>
    /// The tokenizer of a new model: for xlm-roberta the SentencePiece model at <paramref name="sentencePiece"/>; for bert the
    /// WordPiece vocabulary in <paramref name="vocabFile"/> (vocab.txt), else one of up to <paramref name="vocabWords"/> words
    /// built from the texts of <paramref name="vocabFrom"/> (plain text, JSONL records or TSV pairs).
    /// </summary>
    public static ITextTokenizer CreateTokenizer(string architecture, string? sentencePiece, string? vocabFile, IReadOnlyList<string>? vocabFrom, int vocabWords) => architecture switch
    {
        "xlm-roberta" => XlmRobertaTokenizer.Load(sentencePiece ?? throw new ArgumentException("xlm-roberta needs a SentencePiece model (--spm).")),
        "bert" when vocabFile is not null => WordPieceTextTokenizer.Create(WordPieceTextTokenizer.VocabLines(File.ReadAllBytes(vocabFile))),
        "bert" when vocabFrom is { Count: > 0 } => WordPieceTextTokenizer.Create(WordPieceVocabBuilder.Build(TextCorpus.ReadTexts(vocabFrom), vocabWords)),
        "bert" => throw new ArgumentException("bert needs a vocabulary: --vocab (a vocab.txt) or --vocab-from (texts to build one from)."),
        _ => throw new ArgumentException($"Architecture '{architecture}': expected bert or xlm-roberta."),
    };

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
