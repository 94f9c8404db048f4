using Research.Lib.Modeling;

namespace Research.Lib.Training;

/// <summary>
/// Masked-language-model (domain-adaptive) pre-training of the encoder on plain sentences (Devlin et al. 2019;
/// Gururangan et al. 2020): <see cref="MlmObjective"/> run by <see cref="TrainingLoop"/>. Used to adapt a pretrained model
/// to a domain, to build a small backbone from scratch where no pretrained model exists (Chinese here), and to train
/// DiffCSE's generator. Same optimizer, schedule, clipping, mixed precision, divergence guard, evaluation rules,
/// checkpoints and log format as the other methods; in the log, <c>PositiveScore</c> is the accuracy on the masked
/// positions and <c>NegativeScore</c> is 0.
/// </summary>
public static class MlmTrainer
{
    /// <param name="encoder">the model to train (for a resumed run: loaded from the checkpoint folder)</param>
    /// <param name="head">the masked-language-model head (for a resumed run: loaded from the checkpoint folder)</param>
    /// <param name="sentences">plain sentences</param>
    /// <param name="options">the settings</param>
    /// <param name="evaluate">optional evaluation callback</param>
    /// <param name="onLog">told every log line</param>
    /// <param name="checkpointDirectory">where checkpoints go every checkpoint_every steps</param>
    /// <param name="resumeFrom">a checkpoint folder to continue from exactly</param>
    public static TrainingResult Train(SentenceEncoder encoder, MlmHead head, IReadOnlyList<string> sentences, MlmTrainingOptions options,
        Func<SentenceEncoder, IReadOnlyDictionary<string, double>>? evaluate = null, Action<TrainingLogEntry>? onLog = null,
        string? checkpointDirectory = null, string? resumeFrom = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ArgumentNullException.ThrowIfNull(encoder);
        if (options.Lora is not null || encoder.Model.Lora is not null)
            throw new ArgumentException("lora with masked-language-model training is not supported: the head is saved beside full weights; pre-train the whole model (leave lora out).");
        TrainingLoop.PrepareDropout(encoder.Model, options);
        using var objective = new MlmObjective(encoder, head, sentences, options);
        return TrainingLoop.Run(encoder, objective, options, evaluate, onLog, checkpointDirectory, resumeFrom);
    }
}
