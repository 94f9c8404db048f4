namespace Research.Lib.Losses;

/// <summary>
/// Settings of <see cref="InfoNceLoss"/>. Temperature 0.02 is FlagEmbedding's default (bge fine-tuning);
/// sentence-transformers' MultipleNegativesRankingLoss uses scale 20, i.e. temperature 0.05 (set <see cref="Scale"/>).
/// </summary>
public sealed record InfoNceOptions
{
    private readonly double _temperature = 0.02;

    /// <summary>Divides the cosine similarities (default 0.02, FlagEmbedding).</summary>
    public double Temperature
    {
        get => _temperature;
        init => _temperature = value; // checked where it is used (InfoNceLoss) and by the training options' Validate, which names the config key
    }

    /// <summary>The inverse of <see cref="Temperature"/>, as sentence-transformers names it (scale 20 = temperature 0.05).</summary>
    public double Scale
    {
        get => 1 / Temperature;
        init => Temperature = 1 / value;
    }

    /// <summary>Use the other queries' passages as negatives too (default on); off: only the query's own group.</summary>
    public bool InBatchNegatives { get; init; } = true;

    /// <summary>Add the passage-to-query direction (each positive must pick its query among the batch's queries).</summary>
    public bool Symmetric { get; init; }
}
