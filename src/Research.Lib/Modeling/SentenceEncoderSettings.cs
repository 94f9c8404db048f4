namespace Research.Lib.Modeling;

/// <summary>
/// The sentence-level settings of a model folder (sentence-transformers metadata): pooling, normalization,
/// maximum sequence length and the query / passage instructions. A plain Hugging Face folder without
/// sentence-transformers files gets sentence-transformers' own defaults: mean pooling, no normalization.
/// </summary>
public sealed record SentenceEncoderSettings
{
    public PoolingMode Pooling { get; init; } = PoolingMode.Mean;
    public bool Normalize { get; init; }
    /// <summary>Tokens per text, special tokens included (sentence_bert_config.json max_seq_length).</summary>
    public int MaxSeqLength { get; init; } = 512;
    /// <summary>Prefix for queries (config_sentence_transformers.json prompts["query"]), e.g. bge's retrieval instruction.</summary>
    public string QueryInstruction { get; init; } = "";
    /// <summary>Prefix for passages (prompts["passage"] or ["document"]); usually empty.</summary>
    public string PassageInstruction { get; init; } = "";
}
