namespace Research.Lib.Training;

/// <summary>
/// Settings of <see cref="UnsupervisedTrainer"/>. Defaults are the papers' unsupervised BERT-base recipes
/// (princeton-nlp/SimCSE run_unsup_example.sh, caskcsg/sentemb ESimCSE/run.sh): temperature 0.05, batch 64, max 32 tokens,
/// 1 epoch, learning rate 3e-5, no warm-up and linear decay, no weight decay (Hugging Face Trainer's), evaluation every
/// 125 steps keeping the best; ESimCSE: dup_rate 0.32, queue 160 (2.5 × batch), momentum 0.995.
/// </summary>
public sealed record UnsupervisedTrainingOptions : OptimizationOptions
{
    public UnsupervisedTrainingOptions()
    {
        BatchSize = 64;
        LearningRate = 3e-5;
        EvaluateEvery = 125;
    }

    public UnsupervisedMethod Method { get; init; } = UnsupervisedMethod.SimCse;
    public double Temperature { get; init; } = 0.05;
    public int MaxLength { get; init; } = 32;
    /// <summary>
    /// A Linear + tanh head on the pooled vector during training only (SimCSE's cls pooler with mlp_only_train): it is
    /// trained with the encoder and dropped afterwards, so the saved model is the encoder alone.
    /// </summary>
    public bool TrainingMlp { get; init; } = true;
    /// <summary>
    /// With <see cref="TrainingMlp"/>: DiffCSE's BatchNorm projection (Linear → BatchNorm → ReLU → Linear → BatchNorm
    /// without affine, its <c>--batchnorm</c> flag) in place of Linear + tanh. Off by default (SimCSE's head).
    /// </summary>
    public bool MlpBatchNorm { get; init; }
    /// <summary>ESimCSE: the rate of repeated tokens (paper: 0.32 for BERT-base).</summary>
    public double DupRate { get; init; } = 0.32;
    /// <summary>ESimCSE: momentum-encoder embeddings kept as extra negatives (160 = 2.5 × batch 64).</summary>
    public int QueueSize { get; init; } = 160;
    /// <summary>ESimCSE: θ_key ← m·θ_key + (1 − m)·θ after every step (0.995).</summary>
    public double Momentum { get; init; } = 0.995;
    /// <summary>
    /// DiffCSE: a model folder with a masked-language-model head (from <c>research train --method mlm</c>, or a
    /// BertForMaskedLM checkpoint) used, frozen, as the generator; same vocabulary as the encoder. Required for DiffCSE.
    /// </summary>
    public string? Generator { get; init; }
    /// <summary>DiffCSE: share of tokens the generator replaces (0.30 in the paper's script).</summary>
    public double MaskingRatio { get; init; } = 0.30;
    /// <summary>DiffCSE: weight of the replaced-token-detection loss (0.005 in the paper's STS script).</summary>
    public double LambdaWeight { get; init; } = 0.005;

    public override void Validate()
    {
        base.Validate();
        OptionChecks.Positive("temperature", Temperature);
        OptionChecks.Positive("queue_size", QueueSize);
        if (BatchSize < 2) throw new ArgumentException($"batch_size {BatchSize}: in-batch negatives need at least 2 sentences per batch.");
        if (MaxLength < 3) throw new ArgumentException($"max_length {MaxLength}: expected at least 3 (two special tokens and a word).");
        OptionChecks.InUnitInterval("dup_rate", DupRate);
        OptionChecks.InUnitInterval("momentum", Momentum);
        OptionChecks.AtLeast("lambda_weight", LambdaWeight, 0, "a number >= 0");
        if (MaskingRatio is <= 0 or >= 1) throw new ArgumentException($"masking_ratio {MaskingRatio}: expected a number in (0, 1).");
        if (MlpBatchNorm && !TrainingMlp)
            throw new ArgumentException("mlp_batch_norm: the BatchNorm projection is a kind of training-only head; set training_mlp to true as well.");
        if (Method == UnsupervisedMethod.DiffCse && string.IsNullOrEmpty(Generator))
            throw new ArgumentException("DiffCSE needs a generator: set generator to a model folder with a masked-language-model head (research train --method mlm).");
    }
}
