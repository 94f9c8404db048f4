using Research.Lib.Modeling;

namespace Research.Lib.Training;

/// <summary>
/// The settings every training method shares (transformers' <c>TrainingArguments</c> core: batch, epochs or steps, AdamW
/// with warm-up and decay, clipping, seed, logging and evaluation intervals, precision), checked once by
/// <see cref="Validate"/>. Each method's options extend it, as sentence-transformers' training arguments extend
/// transformers'; their constructors set the method's own defaults. Errors name a setting as the JSON configuration
/// spells it (snake_case) and give its value.
/// </summary>
public abstract record OptimizationOptions
{
    /// <summary>Examples per optimizer step (before accumulation, where the method has it).</summary>
    public int BatchSize { get; init; } = 32;
    public int Epochs { get; init; } = 1;
    /// <summary>
    /// Train exactly this many optimizer steps, going through the data again as often as needed; overrides
    /// <see cref="Epochs"/> (transformers' <c>max_steps</c>). Null: <see cref="Epochs"/> epochs.
    /// </summary>
    public int? MaxSteps { get; init; }
    public double LearningRate { get; init; } = 1e-5;
    /// <summary>Share of the steps spent warming the learning rate up linearly from 0.</summary>
    public double WarmupRatio { get; init; }
    /// <summary>Cosine decay after warm-up (default linear, as transformers' default schedule).</summary>
    public bool CosineDecay { get; init; }
    /// <summary>AdamW's decoupled weight decay.</summary>
    public double WeightDecay { get; init; }
    /// <summary>Clip the gradients' total L2 norm to this (transformers' max_grad_norm 1.0).</summary>
    public double MaxGradNorm { get; init; } = 1.0;
    public ulong Seed { get; init; } = 42;
    /// <summary>Log a line every this many optimizer steps.</summary>
    public int LogEvery { get; init; } = 10;
    /// <summary>Run the evaluation callback every this many steps (0: only at the end).</summary>
    public int EvaluateEvery { get; init; }
    /// <summary>Micro-batches whose gradients are summed before each optimizer step (an effective batch of batch_size × this).</summary>
    public int GradientAccumulation { get; init; } = 1;
    /// <summary>
    /// With an evaluation callback: at the end, put back the weights of the best evaluation by main_score (transformers'
    /// load_best_model_at_end), so the saved model is the best step's, not the last one's. Resumable: a checkpoint
    /// carries the best weights so far.
    /// </summary>
    public bool KeepBest { get; init; } = true;
    /// <summary>
    /// Early stopping (transformers' EarlyStoppingCallback early_stopping_patience): with an evaluation every
    /// evaluate_every steps, stop when this many evaluations in a row have not beaten the best main_score (0: off, run
    /// every step). With keep_best the saved model is then the best step's.
    /// </summary>
    public int Patience { get; init; }
    /// <summary>Write a resumable checkpoint every this many steps (0: none), when a checkpoint folder is given.</summary>
    public int CheckpointEvery { get; init; }
    /// <summary>
    /// Weight decay on every parameter. Off by default: biases and normalization weights (every parameter of fewer than two
    /// dimensions) are not decayed, as transformers' Trainer and nanoGPT's configure_optimizers leave them.
    /// </summary>
    public bool DecayAllParameters { get; init; }

    /// <summary>
    /// The transformer's dropout while training: hidden states and attention probabilities (and a cross-encoder head's),
    /// as Hugging Face's hidden_dropout_prob / attention_probs_dropout_prob passed to <c>from_pretrained</c> — PaddleNLP's
    /// SimCSE and the seed articles train Chinese SimCSE / ESimCSE with <c>--dropout 0.3</c>. Null (default): the values in
    /// the model's config.json. The saved model's config.json records the value trained with, as <c>save_pretrained</c> does.
    /// </summary>
    public double? Dropout { get; init; }

    /// <summary>
    /// Float32 (default); BFloat16 or Float16 run the encoder's matrix products and attention in half precision with
    /// float32 master weights (<see cref="BertModel.ComputeType"/>, as torch.autocast). Float16 adds dynamic loss scaling
    /// as PyTorch's GradScaler and needs a CUDA device.
    /// </summary>
    public EncodePrecision Precision { get; init; } = EncodePrecision.Float32;

    /// <summary>
    /// Train a LoRA adapter instead of the whole transformer (<see cref="LoraAdapter"/>; PEFT's <c>LoraConfig</c> names:
    /// <c>"lora": {"r": 16, "lora_alpha": 32, "lora_dropout": 0.1, "target_modules": ["query", "key", "value", "dense"]}</c>):
    /// the transformer is frozen, the adapters (and a Dense projection, as in sentence-transformers) train, and the model
    /// is saved as a PEFT adapter folder. Null (default): full fine-tuning. A model loaded from an adapter folder trains
    /// its adapter either way.
    /// </summary>
    public LoraOptions? Lora { get; init; }

    /// <summary>Refuses settings no run can use: non-finite numbers anywhere, non-positive sizes and rates, intervals out of range.</summary>
    public virtual void Validate()
    {
        OptionChecks.Finite(this);
        OptionChecks.Positive("batch_size", BatchSize);
        OptionChecks.Positive("epochs", Epochs);
        if (MaxSteps is { } m && m < 1)
            throw new ArgumentException($"max_steps {m}: expected a positive number of optimizer steps (leave it out to run every epoch).");
        OptionChecks.Positive("learning_rate", LearningRate);
        OptionChecks.InUnitInterval("warmup_ratio", WarmupRatio);
        OptionChecks.AtLeast("weight_decay", WeightDecay, 0, "a number >= 0");
        OptionChecks.Positive("max_grad_norm", MaxGradNorm);
        OptionChecks.AtLeast("log_every", LogEvery, 1, "a positive number of steps");
        OptionChecks.AtLeast("evaluate_every", EvaluateEvery, 0, "0 (only at the end) or a number of steps");
        OptionChecks.Positive("gradient_accumulation", GradientAccumulation);
        OptionChecks.AtLeast("checkpoint_every", CheckpointEvery, 0, "0 (no checkpoints) or a number of steps");
        OptionChecks.AtLeast("patience", Patience, 0, "0 (no early stopping) or a number of evaluations");
        if (Dropout is { } d && !(d is >= 0 and < 1))
            throw new ArgumentException($"dropout {d.ToString(System.Globalization.CultureInfo.InvariantCulture)}: expected a probability in [0, 1) (leave it out to keep the model's own).");
        Lora?.Validate();
        if (Patience > 0 && EvaluateEvery == 0)
            throw new ArgumentException($"patience {Patience}: early stopping counts evaluations during the run; set evaluate_every too.");
    }
}
