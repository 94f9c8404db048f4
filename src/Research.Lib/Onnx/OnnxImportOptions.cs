using Research.Lib.Modeling;

namespace Research.Lib.Onnx;

/// <summary>Sentence-level settings an ONNX transformer graph does not carry; the importer writes them into the folder.</summary>
public sealed record OnnxImportOptions
{
    public PoolingMode Pooling { get; init; } = PoolingMode.Mean;
    public bool Normalize { get; init; }
    /// <summary>Tokens per text (sentence_bert_config.json max_seq_length); null: the graph's position count.</summary>
    public int? MaxLength { get; init; }
    public string QueryInstruction { get; init; } = "";
    /// <summary>Lower-case text before WordPiece; null: decided from the vocabulary (uncased vocabularies hold no upper-case tokens).</summary>
    public bool? LowerCase { get; init; }
}
