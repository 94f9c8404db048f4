using Research.Lib.Data;
using Research.Lib.Losses;
using Research.Lib.Modeling;

namespace Research.Lib.Training;

/// <summary>
/// Supervised contrastive fine-tuning of a <see cref="SentenceEncoder"/> on query / positive / hard-negative records:
/// <see cref="SupervisedObjective"/> (the batches, groups and loss) run by <see cref="TrainingLoop"/> (the optimizer,
/// schedule, precision, accumulation, evaluation, checkpoints).
/// </summary>
public static class SupervisedTrainer
{
    /// <param name="encoder">the model to train (for a resumed run: loaded from the checkpoint folder)</param>
    /// <param name="examples">training records</param>
    /// <param name="options">the run's settings (the same as the interrupted run's when resuming)</param>
    /// <param name="evaluate">optional evaluation callback (main_score picks the best step)</param>
    /// <param name="onLog">told every log line</param>
    /// <param name="checkpointDirectory">where checkpoints go every <see cref="OptimizationOptions.CheckpointEvery"/> steps (written whole)</param>
    /// <param name="resumeFrom">a checkpoint folder to continue from: optimizer state and position; the run continues exactly</param>
    public static TrainingResult Train(SentenceEncoder encoder, IReadOnlyList<TrainingExample> examples, SupervisedTrainingOptions options,
        Func<SentenceEncoder, IReadOnlyDictionary<string, double>>? evaluate = null, Action<TrainingLogEntry>? onLog = null,
        string? checkpointDirectory = null, string? resumeFrom = null)
    {
        return Train(encoder, examples, options, evaluate, onLog, checkpointDirectory, resumeFrom, null);
    }

    /// <summary>
    /// As <see cref="Train(SentenceEncoder, IReadOnlyList{TrainingExample}, SupervisedTrainingOptions, Func{SentenceEncoder, IReadOnlyDictionary{string, double}}?, Action{TrainingLogEntry}?, string?, string?)"/>,
    /// data-parallel over <paramref name="parallel"/>'s extra devices besides the encoder's own device (replicas are loaded
    /// from its model folder and kept identical to the encoder), or over the processes of <paramref name="group"/> (each
    /// embeds a slice of every batch; gradients are summed over them).
    /// </summary>
    public static TrainingResult Train(SentenceEncoder encoder, IReadOnlyList<TrainingExample> examples, SupervisedTrainingOptions options,
        Func<SentenceEncoder, IReadOnlyDictionary<string, double>>? evaluate, Action<TrainingLogEntry>? onLog,
        string? checkpointDirectory, string? resumeFrom, (IReadOnlyList<Devices.DeviceSpec> ExtraDevices, string ModelDirectory)? parallel,
        Devices.ProcessGroup? group = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        TrainingLoop.PrepareDropout(encoder.Model, options);
        TrainingLoop.PrepareLora(encoder, options);
        using var objective = new SupervisedObjective(encoder, examples, options, parallel: parallel, group: group);
        return TrainingLoop.Run(encoder, objective, options, evaluate, onLog, checkpointDirectory, resumeFrom);
    }

    /// <summary>
    /// Refuses data these options cannot train on: fewer than 2 records, or fewer distinct passages in all than one query's
    /// group (1 positive + group_size − 1 negatives), which could only be filled by repeating passages; for a loss that
    /// needs teacher scores (distillation), a record without pos_scores / neg_scores or with fewer negatives than a group
    /// needs (a passage from elsewhere has no teacher score). <paramref name="source"/> names the data in the message
    /// (e.g. "--data train.jsonl").
    /// </summary>
    public static void CheckData(IReadOnlyList<TrainingExample> examples, SupervisedTrainingOptions options, string source, IContrastiveLoss? loss = null)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(options);
        if (examples.Count == 0) throw new ArgumentException($"{source}: no training records (the file is empty).");
        if (examples.Count < 2) throw new ArgumentException($"{source}: 1 training record; training needs at least 2.");
        var distinct = examples.SelectMany(e => e.Pos.Concat(e.Neg)).Distinct(StringComparer.Ordinal).Count();
        if (distinct < options.GroupSize)
            throw new ArgumentException($"group_size {options.GroupSize}: {source} has {distinct} distinct passages in all, fewer than one query's group (1 positive + {options.GroupSize - 1} negatives); lower group_size or mine more negatives.");
        if (options.SameTypeWithinBatch)
        {
            if (examples.All(e => e.Type is null))
                throw new ArgumentException($"same_type_within_batch: no record of {source} has a \"type\"; give each record the task it belongs to, or turn the option off.");
            var lone = examples.GroupBy(e => e.Type ?? "", StringComparer.Ordinal).FirstOrDefault(g => g.Count() < 2);
            if (lone is not null)
                throw new ArgumentException($"same_type_within_batch: {source} has 1 record {(lone.Key.Length == 0 ? "without a type" : $"of type \"{lone.Key}\"")}; a batch of one type needs at least 2 (in-batch negatives), so it would never be trained on.");
        }
        loss ??= options.CreateLoss();
        if (loss.NeedsTeacherScores)
            for (var i = 0; i < examples.Count; i++)
            {
                var e = examples[i];
                if (e.PosScores is null || (e.NegScores is null && options.GroupSize > 1))
                    throw new ArgumentException(loss.Name == ContrastiveLosses.CoSent
                        ? $"loss cosent with gold_scores: {source} record {i + 1} (query \"{e.Query}\") has no {(e.PosScores is null ? "pos_scores" : "neg_scores")}; every (query, passage) pair needs its gold score (an STS score or a 0/1 label)."
                        : $"loss {loss.Name}: {source} record {i + 1} (query \"{e.Query}\") has no {(e.PosScores is null ? "pos_scores" : "neg_scores")}; distillation needs the teacher's score of every passage (research mine --replace writes the miner's scores; a reranker's are better).");
                if (e.Neg.Count < options.GroupSize - 1)
                    throw new ArgumentException($"loss {loss.Name}: {source} record {i + 1} (query \"{e.Query}\") has {e.Neg.Count} negatives, fewer than group_size − 1 = {options.GroupSize - 1}; a group topped up from other records would hold passages without a teacher score. Lower group_size or mine more negatives.");
            }
    }
}
