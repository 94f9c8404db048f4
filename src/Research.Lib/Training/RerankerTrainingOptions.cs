namespace Research.Lib.Training;

/// <summary>
/// Settings of <see cref="RerankerTrainer"/> (a cross-encoder on query / positive / hard-negative records). Defaults
/// follow FlagEmbedding's reranker fine-tuning (listwise softmax over a group of 1 positive + 7 negatives,
/// train_group_size 8) with sentence-transformers' CrossEncoder learning rate (2e-5) and 10% warm-up.
/// </summary>
public sealed record RerankerTrainingOptions : OptimizationOptions
{
    public RerankerTrainingOptions()
    {
        LearningRate = 2e-5;
        WarmupRatio = 0.1;
        WeightDecay = 0.01;
    }

    /// <summary>
    /// <c>"listwise"</c> (default): per query, softmax cross-entropy over the logits of its group with the positive as the
    /// target (FlagEmbedding's reranker loss; sentence-transformers' CrossEncoder MultipleNegativesRankingLoss without
    /// in-batch negatives). <c>"bce"</c>: binary cross-entropy on every pair, the positive labelled 1 and each negative 0
    /// (sentence-transformers' BinaryCrossEntropyLoss).
    /// </summary>
    public string Loss { get; init; } = "listwise";

    /// <summary>Pairs per query: 1 positive + (GroupSize − 1) hard negatives (topped up with other records' positives when a record has too few).</summary>
    public int GroupSize { get; init; } = 8;

    /// <summary>Tokens per (query, passage) pair at most, truncated longest-first; null: the model's own budget.</summary>
    public int? MaxLength { get; init; }

    public override void Validate()
    {
        base.Validate();
        if (Loss is not ("listwise" or "bce"))
            throw new ArgumentException($"loss \"{Loss}\": a reranker trains with \"listwise\" (softmax over a query's group) or \"bce\" (binary cross-entropy per pair).");
        OptionChecks.Positive("group_size", GroupSize);
        if (Loss == "listwise" && GroupSize < 2)
            throw new ArgumentException($"group_size {GroupSize}: the listwise loss needs at least one negative per query (group_size ≥ 2).");
        if (MaxLength is { } m) OptionChecks.AtLeast("max_length", m, 5, "at least 5 tokens (three special tokens and a word of each text)");
    }
}
