using Research.Lib.Data.Augment;
using Research.Lib.Losses;
using Research.Lib.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Research.Lib.Training;

/// <summary>
/// Unsupervised contrastive training on plain sentences, sharing the supervised trainer's optimizer, schedule, clipping,
/// mixed precision, divergence guard and log format:
/// <list type="bullet">
/// <item>SimCSE (Gao et al. 2021): each batch is encoded twice in one forward pass (the batch stacked on itself), so the
/// two rows of a sentence differ only by their dropout masks; <see cref="SimCseLoss"/> pairs row i of the first half with
/// row i of the second.</item>
/// <item>ESimCSE (Wu et al. 2022): the second view repeats some tokens (<see cref="TextAugmenter.RepeatTokens"/>), so the
/// two views differ in length and the model cannot tell positives by length; a momentum copy of the encoder (started as a
/// copy, θ_key ← m·θ_key + (1 − m)·θ after each step) embeds the first view without dropout, and those embeddings queue
/// up (FIFO, emptied at each epoch, as the official code) as extra negatives of the next steps.</item>
/// </list>
/// With <see cref="UnsupervisedTrainingOptions.TrainingMlp"/> a head sits on the pooled vector during training only
/// (SimCSE's mlp_only_train: Linear + tanh; or DiffCSE's BatchNorm projection with
/// <see cref="UnsupervisedTrainingOptions.MlpBatchNorm"/>, see <see cref="TrainingHead"/>). Sentences are de-duplicated (after normalization) first, so a batch never
/// holds two copies of a sentence as each other's negatives. Evaluation (e.g. STS Spearman, pair AP) every N steps; with
/// <see cref="OptimizationOptions.KeepBest"/> the best-scoring weights are put back at the end. The method is
/// <see cref="UnsupervisedObjective"/>, run by <see cref="TrainingLoop"/> (so it has accumulation, checkpoints and resume).
/// </summary>
public static class UnsupervisedTrainer
{
    /// <param name="encoder">the model to train (for a resumed run: loaded from the checkpoint folder)</param>
    /// <param name="sentences">plain sentences</param>
    /// <param name="options">the method and its settings</param>
    /// <param name="evaluate">optional evaluation callback (e.g. STS Spearman as main_score)</param>
    /// <param name="onLog">told every log line</param>
    /// <param name="checkpointDirectory">where checkpoints go every checkpoint_every steps</param>
    /// <param name="resumeFrom">a checkpoint folder to continue from exactly</param>
    public static TrainingResult Train(SentenceEncoder encoder, IReadOnlyList<string> sentences, UnsupervisedTrainingOptions options,
        Func<SentenceEncoder, IReadOnlyDictionary<string, double>>? evaluate = null, Action<TrainingLogEntry>? onLog = null,
        string? checkpointDirectory = null, string? resumeFrom = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.Method == UnsupervisedMethod.ESimCse && options.Lora is not null)
            throw new ArgumentException("lora with esimcse is not supported yet: its momentum encoder follows the model weight by weight; train ESimCSE without an adapter.");
        TrainingLoop.PrepareDropout(encoder.Model, options);
        TrainingLoop.PrepareLora(encoder, options);
        using var objective = new UnsupervisedObjective(encoder, sentences, options);
        return TrainingLoop.Run(encoder, objective, options, evaluate, onLog, checkpointDirectory, resumeFrom);
    }

    /// <summary>A detached copy of the model on <paramref name="device"/>, without gradients, in eval mode (no dropout): the momentum encoder.</summary>
    internal static BertModel Copy(BertModel model, Device device)
    {
        var copy = new BertModel(model.Config, model.HasPooler);
        var state = CheckpointLoader.StateDict(model);
        try
        {
            CheckpointLoader.Load(copy, state, "online encoder");
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
        copy.to(device);
        foreach (var p in copy.parameters()) p.requires_grad = false;
        copy.eval();
        return copy;
    }
}
