using Research.Lib.Data;
using Research.Lib.Losses;
using Research.Lib.Modeling;
using Research.Lib.Tensors;
using Research.Lib.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Research.Lib.Training;

/// <summary>
/// Supervised contrastive fine-tuning of a <see cref="SentenceEncoder"/> on query / positive / hard-negative records,
/// read top-down like a train.py: per epoch a seeded, duplicate-free batch order; per batch each query's group (one
/// positive drawn from its positives, GroupSize − 1 hard negatives drawn from its negatives, topped up with other
/// records' positives when it has too few); queries with the model's query instruction; the loss; gradient
/// accumulation; clipping; AdamW with linear warm-up and linear or cosine decay; a log line every few steps; an
/// optional evaluation callback; a stop with the step named when the loss is not finite.
/// </summary>
public static class SupervisedTrainer
{
    /// <param name="encoder">the model to train (for a resumed run: loaded from the checkpoint folder)</param>
    /// <param name="examples">training records</param>
    /// <param name="options">the run's settings (the same as the interrupted run's when resuming)</param>
    /// <param name="evaluate">optional evaluation callback (main_score picks the best step)</param>
    /// <param name="onLog">told every log line</param>
    /// <param name="checkpointDirectory">where checkpoints go every <see cref="SupervisedTrainingOptions.CheckpointEvery"/> steps (written whole)</param>
    /// <param name="resumeFrom">a checkpoint folder to continue from: optimizer state and position; the run continues exactly</param>
    public static TrainingResult Train(SentenceEncoder encoder, IReadOnlyList<TrainingExample> examples, SupervisedTrainingOptions options,
        Func<SentenceEncoder, IReadOnlyDictionary<string, double>>? evaluate = null, Action<TrainingLogEntry>? onLog = null,
        string? checkpointDirectory = null, string? resumeFrom = null)
    {
        return Train(encoder, examples, options, evaluate, onLog, checkpointDirectory, resumeFrom, null);
    }

    /// <summary>
    /// As <see cref="Train(SentenceEncoder, IReadOnlyList{TrainingExample}, SupervisedTrainingOptions, Func{SentenceEncoder, IReadOnlyDictionary{string, double}}?, Action{TrainingLogEntry}?, string?, string?)"/>,
    /// data-parallel over <paramref name="parallel"/>'s extra devices besides the encoder's own device: replicas are loaded
    /// from its model folder and kept identical to the encoder.
    /// </summary>
    public static TrainingResult Train(SentenceEncoder encoder, IReadOnlyList<TrainingExample> examples, SupervisedTrainingOptions options,
        Func<SentenceEncoder, IReadOnlyDictionary<string, double>>? evaluate, Action<TrainingLogEntry>? onLog,
        string? checkpointDirectory, string? resumeFrom, (IReadOnlyList<Devices.DeviceSpec> ExtraDevices, string ModelDirectory)? parallel)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckData(examples, options, "the training data");
        var pool = examples.SelectMany(e => e.Pos).Distinct(StringComparer.Ordinal).ToList();
        var batchesPerEpoch = DuplicateFreeBatcher.Batches(examples, options.BatchSize, new SplitMix64(options.Seed)).Count;
        var stepsPerEpoch = Math.Max(1, batchesPerEpoch / options.GradientAccumulation);
        var totalSteps = options.MaxSteps ?? (long)stepsPerEpoch * options.Epochs;
        var warmup = (long)Math.Round(totalSteps * options.WarmupRatio);
        var parameters = encoder.Model.parameters().Concat(encoder.Projection?.parameters() ?? []).ToList();
        using var optimizer = new FlatAdamW(parameters, options.LearningRate, options.WeightDecay);
        var log = new List<TrainingLogEntry>();
        long step = 0;
        var micro = 0;
        long microSteps = 0;        // batches consumed, over all epochs: every random draw is seeded by it
        var resumeEpoch = 0;
        var resumeBatch = 0;
        var scaler = new LossScaler(options.Precision == EncodePrecision.Float16);
        var fingerprint = TrainingFingerprint.Of(examples, options);
        long? bestStep = null;
        IReadOnlyDictionary<string, double>? bestEval = null;
        using var best = new WeightSnapshot();
        if (resumeFrom is not null)
        {
            var state = TrainingCheckpoint.Load(resumeFrom, optimizer);
            fingerprint.CheckResume(state.Fingerprint, resumeFrom);
            (step, microSteps, resumeEpoch, resumeBatch) = (state.Step, state.MicroSteps, state.Epoch, state.BatchInEpoch);
            log.AddRange(state.Log);
            // The best evaluation so far, and (keep_best) its weights, which the checkpoint carries.
            foreach (var e in state.Log.Where(e => e.Eval is not null))
                if (bestEval is null || MainScore(e.Eval!) > MainScore(bestEval)) (bestEval, bestStep) = (e.Eval, e.Step);
            if (TrainingCheckpoint.LoadBestWeights(resumeFrom) is { } saved) best.Set(saved);
            scaler = new LossScaler(scaler.Enabled, state.LossScale, state.LossScaleGoodSteps);
        }
        double gradNorm = 0;
        Tensor? gradNormOnDevice = null;
        var meter = new TrainingMeter();
        var queryPrefix = encoder.Settings.QueryInstruction;
        var passagePrefix = encoder.Settings.PassageInstruction;

        void Evaluate(TrainingLogEntry? entry)
        {
            if (evaluate is null) return;
            encoder.Model.eval();
            var metrics = evaluate(encoder);
            encoder.Model.train();
            if (bestEval is null || MainScore(metrics) > MainScore(bestEval))
            {
                bestEval = metrics;
                bestStep = step;
                if (options.KeepBest) best.Take(Trained(encoder));
            }
            var withEval = (entry ?? new TrainingLogEntry(step, (double)step / stepsPerEpoch, double.NaN, 0, 0, 0, double.NaN, double.NaN)) with { Eval = metrics };
            log.Add(withEval);
            onLog?.Invoke(withEval);
        }

        if (options.Precision == EncodePrecision.Float16 && encoder.Device.type != DeviceType.CUDA)
            throw new NotSupportedException("precision fp16 needs a CUDA device; on CPU use bf16 or fp32.");
        var computeType = options.Precision switch
        {
            EncodePrecision.BFloat16 => ScalarType.BFloat16,
            EncodePrecision.Float16 => ScalarType.Float16,
            _ => (ScalarType?)null,
        };
        var previousComputeType = encoder.Model.ComputeType;
        encoder.Model.ComputeType = computeType;
        encoder.Model.train();
        encoder.Projection?.train();
        using var replicas = parallel is { } par && par.ExtraDevices.Count > 0 ? new DataParallel(encoder, par.ExtraDevices, par.ModelDirectory) : null;
        if (replicas is not null && options.GradCacheChunk > 0)
            throw new ArgumentException("grad_cache_chunk and several devices together are not supported yet; use one of them.");
        if (replicas is not null && options.LengthBucket > 0)
            throw new ArgumentException("length_bucket and several devices together are not supported yet; use one of them.");
        try
        {
            for (var epoch = resumeEpoch; epoch < options.Epochs && step < totalSteps; epoch++)
            {
                // Each epoch's order and each batch's draws (groups, dropout) come from seeds derived from the position,
                // so a run resumed from a checkpoint repeats exactly what the uninterrupted run would have done.
                var batches = DuplicateFreeBatcher.Batches(examples, options.BatchSize, new SplitMix64(SplitMix64.Mix(options.Seed, (ulong)epoch)));
                for (var b = epoch == resumeEpoch ? resumeBatch : 0; b < batches.Count; b++)
                {
                    if (step >= totalSteps) break;
                    var batch = batches[b];
                    using var scope = NewDisposeScope();
                    var random = new SplitMix64(SplitMix64.Mix(options.Seed ^ 0x5DEECE66DUL, (ulong)microSteps));
                    torch.manual_seed((long)(SplitMix64.Mix(options.Seed, (ulong)microSteps) & 0x7FFFFFFFFFFF));
                    microSteps++;
                    var records = batch.Select(i => examples[i]).ToList();
                    var queries = records.Select(e => queryPrefix + e.Query).ToList();
                    var passages = new List<string>(records.Count * options.GroupSize);
                    foreach (var e in records) passages.AddRange(Group(e, options.GroupSize, random, pool).Select(p => passagePrefix + p));
                    var keys = PassageKeys(passages);
                    Tensor LossOf(Tensor q, Tensor p) => options.Loss == TrainingLoss.MarginScale
                        ? MarginScaleLoss.Compute(q, p, options.Margin, options.MarginScale)
                        : InfoNceLoss.Compute(q, p, options.GroupSize, options.InfoNce, keys);
                    Tensor qv, pv;
                    float value;
                    if (options.GradCacheChunk > 0)
                    {
                        // Gradient caching: the whole batch's loss in the memory of one chunk (same gradients as below).
                        (value, qv, pv) = GradCache.Backward(encoder, queries, passages, (q, p) => LossOf(q, p).Times(scaler.Scale / options.GradientAccumulation),
                            options.GradCacheChunk, options.QueryMaxLength, options.PassageMaxLength, (long)(SplitMix64.Mix(options.Seed, (ulong)microSteps) & 0x7FFFFFFFFFFF));
                        value *= (float)(options.GradientAccumulation / scaler.Scale);
                    }
                    else
                    {
                        qv = replicas?.Forward(queries, options.QueryMaxLength) ?? LengthBuckets.Forward(encoder, queries, options.QueryMaxLength, options.LengthBucket);
                        pv = replicas?.Forward(passages, options.PassageMaxLength) ?? LengthBuckets.Forward(encoder, passages, options.PassageMaxLength, options.LengthBucket);
                        var loss = LossOf(qv, pv);
                        value = (float)loss.to_type(ScalarType.Float64).item<double>();
                        if (float.IsFinite(value)) loss.Times(scaler.Scale / options.GradientAccumulation).backward();
                    }
                    if (!float.IsFinite(value))
                        throw new InvalidOperationException($"Training diverged at step {step + 1} (epoch {epoch + 1}): the loss is {value}. Lower the learning rate (now {options.LearningRate}) or raise the temperature.");
                    meter.Add(value, Scores(qv, pv, options.GroupSize), records.Count);
                    if (++micro < options.GradientAccumulation) continue;
                    micro = 0;
                    replicas?.ReduceGradients();
                    var lr = LearningRateSchedule.At(step, totalSteps, warmup, options.LearningRate, options.CosineDecay);
                    var stepped = scaler.Step(optimizer, lr, options.MaxGradNorm, out var norm);
                    replicas?.Synchronize();
                    if (!stepped) continue; // float16 overflow: PyTorch's GradScaler skips the step and retries with half the scale
                    gradNormOnDevice?.Dispose();
                    gradNormOnDevice = norm;
                    step++;
                    // Scores and the gradient norm stay on the device until a log line needs them (one read per line, not
                    // three per step): on a GPU the host tokenizes and queues the next batch while this step computes.
                    if (step % options.LogEvery == 0 || step == totalSteps) gradNorm = gradNormOnDevice?.item<double>() ?? 0;
                    var entry = step % options.LogEvery == 0 || step == totalSteps ? meter.Take(step, (double)step / stepsPerEpoch, lr, gradNorm) : null;
                    TrainingMeter.Emit(entry, TrainingMeter.EvaluationDue(evaluate is not null, step, totalSteps, options.EvaluateEvery), Evaluate, log, onLog);
                    if (checkpointDirectory is not null && options.CheckpointEvery > 0 && step % options.CheckpointEvery == 0)
                    {
                        // The position after this batch: the next batch of this epoch, or the next epoch.
                        var (nextEpoch, nextBatch) = b + 1 < batches.Count ? (epoch, b + 1) : (epoch + 1, 0);
                        TrainingCheckpoint.Save(checkpointDirectory, encoder, optimizer, new TrainingState(step, microSteps, nextEpoch, nextBatch, log, scaler.Scale, scaler.GoodSteps, fingerprint), best.Weights);
                    }
                }
            }
            TrainingMeter.Finish(step, evaluate is not null, Evaluate, log);
            if (options.KeepBest && best.Weights is not null && bestStep != step) best.Restore(Trained(encoder), $"best evaluation (step {bestStep})");
        }
        finally
        {
            gradNormOnDevice?.Dispose();
            encoder.Model.ComputeType = previousComputeType;
            encoder.Model.eval();
            encoder.Projection?.eval();
        }
        return new TrainingResult(log, step, bestStep, bestEval);
    }

    /// <summary>An evaluation's main_score (its first metric when it has none): what picks the best step.</summary>
    private static double MainScore(IReadOnlyDictionary<string, double> metrics) => metrics.TryGetValue("main_score", out var m) ? m : metrics.Values.First();

    /// <summary>The modules whose weights training changes: the transformer and the Dense projection when there is one.</summary>
    private static IReadOnlyList<(string Prefix, TorchSharp.torch.nn.Module Module)> Trained(SentenceEncoder encoder) =>
        encoder.Projection is null ? [("", encoder.Model)] : [("", encoder.Model), ("2_Dense.", encoder.Projection)];

    /// <summary>
    /// Refuses data these options cannot train on: fewer than 2 records, or fewer distinct passages in all than one query's
    /// group (1 positive + group_size − 1 negatives), which could only be filled by repeating passages.
    /// <paramref name="source"/> names the data in the message (e.g. "--data train.jsonl").
    /// </summary>
    public static void CheckData(IReadOnlyList<TrainingExample> examples, SupervisedTrainingOptions options, string source)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(options);
        if (examples.Count == 0) throw new ArgumentException($"{source}: no training records (the file is empty).");
        if (examples.Count < 2) throw new ArgumentException($"{source}: 1 training record; training needs at least 2.");
        var distinct = examples.SelectMany(e => e.Pos.Concat(e.Neg)).Distinct(StringComparer.Ordinal).Count();
        if (distinct < options.GroupSize)
            throw new ArgumentException($"group_size {options.GroupSize}: {source} has {distinct} distinct passages in all, fewer than one query's group (1 positive + {options.GroupSize - 1} negatives); lower group_size or mine more negatives.");
    }

    /// <summary>The positive (one of the record's positives) then GroupSize − 1 negatives: the record's own first, topped up from the pool.</summary>
    private static List<string> Group(TrainingExample e, int groupSize, SplitMix64 random, IReadOnlyList<string> pool)
    {
        var group = new List<string>(groupSize) { e.Pos[random.NextInt(e.Pos.Count)] };
        var negatives = e.Neg.ToList();
        random.Shuffle(negatives);
        var positives = e.Pos.ToHashSet(StringComparer.Ordinal);
        for (var i = 0; group.Count < groupSize; i++)
        {
            if (i < negatives.Count) { group.Add(negatives[i]); continue; }
            // Too few negatives: another record's positive (never one of this record's positives).
            var candidate = pool[random.NextInt(pool.Count)];
            if (!positives.Contains(candidate) || pool.Count <= positives.Count) group.Add(candidate);
        }
        return group;
    }


    /// <summary>Equal passages get equal keys, so a copy of a query's positive elsewhere in the batch is not a negative.</summary>
    private static List<long> PassageKeys(IReadOnlyList<string> passages)
    {
        var ids = new Dictionary<string, long>(StringComparer.Ordinal);
        return passages.Select(p => ids.TryGetValue(TextNormalizer.ForComparison(p), out var id) ? id : ids[TextNormalizer.ForComparison(p)] = ids.Count).ToList();
    }

    /// <summary>
    /// The batch's mean cosine of queries with their positives and with their hard negatives (0 without any), as a
    /// float64 pair left on the device (rounded through float32, as the log has always held them): read once per log line.
    /// </summary>
    private static Tensor Scores(Tensor queries, Tensor passages, int groupSize)
    {
        using var noGrad = no_grad();
        var q = nn.functional.normalize(queries, p: 2, dim: -1);
        var p = nn.functional.normalize(passages, p: 2, dim: -1).view(queries.shape[0], groupSize, -1);
        var cos = p.bmm(q.unsqueeze(2)).squeeze(2);                                        // (batch, group)
        var pos = cos.select(1, 0).mean().to_type(ScalarType.Float64);
        var neg = groupSize > 1 ? cos.narrow(1, 1, groupSize - 1).mean().to_type(ScalarType.Float64) : zeros_like(pos);
        return stack([pos, neg]).to_type(ScalarType.Float32).to_type(ScalarType.Float64);
    }
}
