namespace Research.Lib.Data;

/// <summary>
/// One contrastive training record in FlagEmbedding's layout: a query, its positives, its (hard) negatives,
/// optional teacher scores for each (for distillation), an optional instruction prompt and an optional
/// task type (e.g. "retrieval", "sts"). Reads also accept the <c>pos_passage</c> / <c>neg_passage</c> key
/// names used by PaddleNLP's contrastive-learning tools.
/// </summary>
public sealed record TrainingExample
{
    public TrainingExample(string query, IReadOnlyList<string> pos, IReadOnlyList<string>? neg = null,
        IReadOnlyList<double>? posScores = null, IReadOnlyList<double>? negScores = null,
        string? prompt = null, string? type = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        ArgumentNullException.ThrowIfNull(pos);
        if (pos.Count == 0)
            throw new ArgumentException("A training example needs at least one positive.", nameof(pos));
        neg ??= [];
        if (posScores is not null && posScores.Count != pos.Count)
            throw new ArgumentException($"posScores has {posScores.Count} values for {pos.Count} positives.", nameof(posScores));
        if (negScores is not null && negScores.Count != neg.Count)
            throw new ArgumentException($"negScores has {negScores.Count} values for {neg.Count} negatives.", nameof(negScores));
        Query = query;
        Pos = pos;
        Neg = neg;
        PosScores = posScores;
        NegScores = negScores;
        Prompt = prompt;
        Type = type;
    }

    /// <summary>The query (anchor) text.</summary>
    public string Query { get; init; }

    /// <summary>Passages relevant to the query; at least one.</summary>
    public IReadOnlyList<string> Pos { get; init; }

    /// <summary>Passages not relevant to the query (hard negatives); possibly empty.</summary>
    public IReadOnlyList<string> Neg { get; init; }

    /// <summary>Teacher scores for <see cref="Pos"/>, same length, or null.</summary>
    public IReadOnlyList<double>? PosScores { get; init; }

    /// <summary>Teacher scores for <see cref="Neg"/>, same length, or null.</summary>
    public IReadOnlyList<double>? NegScores { get; init; }

    /// <summary>Instruction to prepend to the query (FlagEmbedding's <c>prompt</c>), or null.</summary>
    public string? Prompt { get; init; }

    /// <summary>
    /// The query as training embeds it: the record's <see cref="Prompt"/> in front when it has one (it covers the model's
    /// instruction, as FlagEmbedding's prompt covers query_instruction_for_retrieval), else <paramref name="modelInstruction"/>.
    /// </summary>
    public string QueryText(string modelInstruction) => (Prompt ?? modelInstruction) + Query;

    /// <summary>Task type (FlagEmbedding's <c>type</c>), or null.</summary>
    public string? Type { get; init; }

    /// <summary>Value equality over the list contents, not the list references.</summary>
    public bool Equals(TrainingExample? other) =>
        other is not null && Query == other.Query && Prompt == other.Prompt && Type == other.Type
        && Pos.SequenceEqual(other.Pos) && Neg.SequenceEqual(other.Neg)
        && SameScores(PosScores, other.PosScores) && SameScores(NegScores, other.NegScores);

    public override int GetHashCode() => HashCode.Combine(Query, Pos.Count, Neg.Count, Prompt, Type);

    private static bool SameScores(IReadOnlyList<double>? a, IReadOnlyList<double>? b) =>
        a is null ? b is null : b is not null && a.SequenceEqual(b);
}
