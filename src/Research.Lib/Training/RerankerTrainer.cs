using Research.Lib.Data;
using Research.Lib.Modeling;

namespace Research.Lib.Training;

/// <summary>
/// Fine-tunes a <see cref="CrossEncoder"/> (reranker) on query / positive / hard-negative records:
/// <see cref="RerankerObjective"/> run by <see cref="TrainingLoop"/> (optimizer, schedule, precision, accumulation,
/// evaluation with the best step kept, checkpoints and resume). A checkpoint folder is a cross-encoder folder:
/// resume with <c>CrossEncoder.Load(checkpoint)</c>.
/// </summary>
public static class RerankerTrainer
{
    /// <param name="model">the cross-encoder to train (for a resumed run: loaded from the checkpoint folder)</param>
    /// <param name="examples">training records: each query's positives and hard negatives</param>
    /// <param name="options">the run's settings; <see cref="RerankerTrainingOptions.MaxLength"/> must equal the model's budget when given</param>
    /// <param name="evaluate">optional evaluation of the cross-encoder (main_score picks the best step)</param>
    /// <param name="onLog">told every log line</param>
    /// <param name="checkpointDirectory">where checkpoints go every checkpoint_every steps</param>
    /// <param name="resumeFrom">a checkpoint folder to continue from</param>
    public static TrainingResult Train(CrossEncoder model, IReadOnlyList<TrainingExample> examples, RerankerTrainingOptions options,
        Func<CrossEncoder, IReadOnlyDictionary<string, double>>? evaluate = null, Action<TrainingLogEntry>? onLog = null,
        string? checkpointDirectory = null, string? resumeFrom = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.MaxLength is { } m && m != model.MaxLength)
            throw new ArgumentException($"max_length {m}: the cross-encoder was loaded with {model.MaxLength} tokens per pair; load it with CrossEncoder.Load(..., maxLength: {m}).");
        TrainingLoop.PrepareDropout(model.Encoder.Model, options);
        if (options.Dropout is { } p) model.Head.Dropout = p;
        TrainingLoop.PrepareLora(model.Encoder, options);
        using var objective = new RerankerObjective(model, examples, options);
        return TrainingLoop.Run(model.Encoder, objective, options, evaluate is null ? null : _ => Evaluate(model, evaluate), onLog, checkpointDirectory, resumeFrom);
    }

    /// <summary>The loop puts the transformer in eval mode for an evaluation; the head follows it.</summary>
    private static IReadOnlyDictionary<string, double> Evaluate(CrossEncoder model, Func<CrossEncoder, IReadOnlyDictionary<string, double>> evaluate)
    {
        model.Head.eval();
        try { return evaluate(model); }
        finally { model.Head.train(); }
    }
}
