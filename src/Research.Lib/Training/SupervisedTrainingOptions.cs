using Research.Lib.Losses;

namespace Research.Lib.Training;

/// <summary>
/// Settings of <see cref="SupervisedTrainer"/>. Defaults follow FlagEmbedding's fine-tuning recipe where it has one
/// (learning rate 1e-5, temperature 0.02, warm-up 10%, train_group_size 8, linear decay, weight decay 0.01 as AdamW's
/// usual value, gradient clipping at norm 1 as transformers' Trainer), and are small enough for a CPU run. Errors name
/// the settings as the JSON configuration spells them (snake_case).
/// </summary>
public sealed record SupervisedTrainingOptions : OptimizationOptions
{
    public SupervisedTrainingOptions()
    {
        WarmupRatio = 0.1;
        WeightDecay = 0.01;
    }

    public TrainingLoss Loss { get; init; } = TrainingLoss.InfoNce;
    public InfoNceOptions InfoNce { get; init; } = new();
    /// <summary>MarginScale: margin and scale (PaddleNLP defaults 0.3 and 30).</summary>
    public double Margin { get; init; } = 0.3;
    public double MarginScale { get; init; } = 30;
    /// <summary>Passages per query: 1 positive + (GroupSize − 1) hard negatives, FlagEmbedding's train_group_size.</summary>
    public int GroupSize { get; init; } = 8;
    public int GradientAccumulation { get; init; } = 1;
    /// <summary>
    /// With an evaluation callback and <see cref="OptimizationOptions.EvaluateEvery"/>: at the end, put back the weights of
    /// the best evaluation by main_score (transformers' load_best_model_at_end), so the saved model is the best step's,
    /// not the last one's. Resumable: a checkpoint carries the best weights so far.
    /// </summary>
    public bool KeepBest { get; init; } = true;
    public int QueryMaxLength { get; init; } = 64;
    public int PassageMaxLength { get; init; } = 256;

    /// <summary>GradCache chunk size (0: off): the batch's loss computed in the memory of this many texts at a time.</summary>
    public int GradCacheChunk { get; init; }

    /// <summary>
    /// Length buckets (0: off): the batch's texts are embedded in groups of this many of similar token length, each padded
    /// only to its own longest, and the vectors put back in batch order. The batch, the loss and the gradients are the
    /// same (up to float rounding; dropout draws differ with the shapes); the padding is not computed: on passages of
    /// uneven length (financial-qa-10K contexts: median 27 words, longest 787) a step costs a third. Not with
    /// grad_cache_chunk or several devices.
    /// </summary>
    public int LengthBucket { get; init; }

    /// <summary>Write a resumable checkpoint every this many steps (0: none), when a checkpoint folder is given.</summary>
    public int CheckpointEvery { get; init; }


    public override void Validate()
    {
        OptionChecks.Positive("info_nce.temperature", InfoNce.Temperature); // before the finite check, which would name its inverse (scale) first
        base.Validate();
        OptionChecks.Positive("group_size", GroupSize);
        OptionChecks.Positive("gradient_accumulation", GradientAccumulation);
        OptionChecks.AtLeast("checkpoint_every", CheckpointEvery, 0, "0 (no checkpoints) or a number of steps");
        OptionChecks.AtLeast("grad_cache_chunk", GradCacheChunk, 0, "0 (off) or a number of texts");
        OptionChecks.AtLeast("query_max_length", QueryMaxLength, 3, "at least 3 (two special tokens and a word)");
        OptionChecks.AtLeast("passage_max_length", PassageMaxLength, 3, "at least 3 (two special tokens and a word)");
        if (Loss == TrainingLoss.MarginScale) OptionChecks.Positive("margin_scale", MarginScale);
        if (LengthBucket < 0) throw new ArgumentException($"length_bucket {LengthBucket}: expected 0 (off) or a number of texts.");
        if (LengthBucket > 0 && GradCacheChunk > 0) throw new ArgumentException("length_bucket and grad_cache_chunk together are not supported: use one of them.");
        if (Loss == TrainingLoss.MarginScale && GroupSize != 1)
            throw new ArgumentException("loss MarginScale uses in-batch negatives only: set group_size to 1.");
        if (BatchSize < 2 && (Loss == TrainingLoss.MarginScale || InfoNce.InBatchNegatives && GroupSize == 1))
            throw new ArgumentException($"batch_size {BatchSize}: in-batch negatives need at least 2 queries per batch.");
    }
}
