namespace Research.Lib.Modeling;

/// <summary>
/// Options of <see cref="SentenceEncoder.Encode"/>. Defaults follow sentence-transformers' <c>encode</c>:
/// batch size 32, the model's max_seq_length, the model's normalization, float32.
/// </summary>
public sealed record EncodeOptions
{
    private readonly int _batchSize = 32;
    private readonly int? _maxLength;

    /// <summary>Texts per forward pass (default 32, as sentence-transformers).</summary>
    public int BatchSize
    {
        get => _batchSize;
        init => _batchSize = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(BatchSize), value, "BatchSize must be positive.");
    }

    /// <summary>Maximum tokens per text, special tokens included; null = the model's max_seq_length.</summary>
    public int? MaxLength
    {
        get => _maxLength;
        init => _maxLength = value is null or >= 2 ? value : throw new ArgumentOutOfRangeException(nameof(MaxLength), value, "MaxLength must be at least 2 (room for the special tokens).");
    }

    /// <summary>Prefix put before every text, e.g. bge's "Represent this sentence for searching relevant passages: "; null = none.</summary>
    public string? Instruction { get; init; }

    /// <summary>L2-normalize the vectors; null = what the model folder says (a Normalize module).</summary>
    public bool? Normalize { get; init; }

    public EncodePrecision Precision { get; init; } = EncodePrecision.Float32;

    /// <summary>Told the number of texts encoded so far, after each batch.</summary>
    public IProgress<int>? Progress { get; init; }
}
