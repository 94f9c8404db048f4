using Research.Lib.Data;
using Research.Lib.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Research.Lib.Training;

/// <summary>
/// The one training loop every method runs (transformers' Trainer in the kit's own terms), around an
/// <see cref="ITrainingObjective"/> that gives the batches and their loss: per epoch its batches, each seeded by its
/// position in the run; gradient accumulation; float16 loss scaling, clipping, AdamW with linear warm-up and linear or
/// cosine decay (weight decay skips biases and normalization weights unless decay_all_parameters); bf16/fp16 compute
/// with float32 master weights; a stop naming the step when the loss is not finite; a log line every log_every steps;
/// evaluation every evaluate_every steps and at the end, in float32 and eval mode, the best by main_score kept
/// (keep_best) and put back at the end, an early stop after patience evaluations without a better one; a checkpoint every checkpoint_every steps that a killed run resumes from exactly.
/// In a multi-process job (<see cref="ITrainingObjective.Processes"/>) the gradients are summed over the processes before each
/// step, and rank 0 alone evaluates and writes checkpoints.
/// </summary>
public static class TrainingLoop
{
    /// <summary>The file of a checkpoint that holds the objective's own state (<see cref="ITrainingObjective.ExtraState"/>).</summary>
    public const string ObjectiveStateFile = "objective_state.safetensors";

    /// <summary>
    /// Sets the transformer's training dropout to <paramref name="options"/>' dropout when it gives one (<see cref="BertModel.SetDropout"/>),
    /// before the objective copies the model (ESimCSE's momentum encoder) or lists its parameters. Every trainer calls it first.
    /// </summary>
    public static void PrepareDropout(BertModel model, OptimizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Dropout is { } p) model.SetDropout(p, p);
    }

    /// <summary>
    /// Adds the LoRA adapter <paramref name="options"/> ask for (lora) to the encoder before its objective lists the
    /// parameters to train, seeded by the run's seed and naming the folder the encoder was loaded from as the base model.
    /// An encoder that already has an adapter (loaded from an adapter folder, or a resumed run) keeps it when the settings
    /// agree; different settings are an error. The supervised and unsupervised trainers call it first (masked-language-model
    /// training and ESimCSE refuse an adapter).
    /// </summary>
    public static void PrepareLora(SentenceEncoder encoder, OptimizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Lora is not { } lora) return;
        if (encoder.Model.Lora is { } existing)
        {
            var (a, b) = (existing.Options, lora);
            if (a.R != b.R || a.LoraAlpha != b.LoraAlpha || a.LoraDropout != b.LoraDropout || a.UseRslora != b.UseRslora || !a.TargetModules.SequenceEqual(b.TargetModules))
                throw new ArgumentException($"lora: the model already has an adapter (r {a.R}, lora_alpha {a.LoraAlpha}, lora_dropout {a.LoraDropout}, target_modules {string.Join(", ", a.TargetModules)}) "
                    + $"and the config asks for r {b.R}, lora_alpha {b.LoraAlpha}, lora_dropout {b.LoraDropout}, target_modules {string.Join(", ", b.TargetModules)}; leave lora out to train the model's own adapter, or merge it first.");
            return;
        }
        LoraAdapter.Attach(encoder.Model, lora, (long)(options.Seed & 0x7FFFFFFFFFFF), encoder.SourceDirectory);
    }

    /// <param name="encoder">the model to train (for a resumed run: loaded from the checkpoint folder)</param>
    /// <param name="objective">the method: batches and loss</param>
    /// <param name="options">the shared settings (the objective's own options extend them)</param>
    /// <param name="evaluate">optional evaluation callback (main_score, or its first metric, picks the best step)</param>
    /// <param name="onLog">told every log line</param>
    /// <param name="checkpointDirectory">where checkpoints go every checkpoint_every steps (written whole)</param>
    /// <param name="resumeFrom">a checkpoint folder to continue from: optimizer state, position, log, best weights</param>
    public static TrainingResult Run(SentenceEncoder encoder, ITrainingObjective objective, OptimizationOptions options,
        Func<SentenceEncoder, IReadOnlyDictionary<string, double>>? evaluate = null, Action<TrainingLogEntry>? onLog = null,
        string? checkpointDirectory = null, string? resumeFrom = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.Patience > 0 && evaluate is null)
            throw new ArgumentException($"patience {options.Patience}: early stopping needs an evaluation to count (--eval, or an evaluation callback).");
        if (options.Precision == EncodePrecision.Float16 && encoder.Device.type != DeviceType.CUDA)
            throw new NotSupportedException("precision fp16 needs a CUDA device; on CPU use bf16 or fp32.");
        var stepsPerEpoch = Math.Max(1, objective.BatchesPerEpoch / options.GradientAccumulation);
        var totalSteps = options.MaxSteps ?? (long)stepsPerEpoch * options.Epochs;
        var warmup = (long)Math.Round(totalSteps * options.WarmupRatio);
        var parameters = objective.Parameters;
        using var optimizer = new FlatAdamW(parameters, options.LearningRate, options.WeightDecay,
            options.DecayAllParameters || options.WeightDecay == 0 ? null : FlatAdamW.WithoutDecay(parameters)); // without decay nothing to skip (and the flat buffer keeps its order)
        var log = new List<TrainingLogEntry>();
        long step = 0, microSteps = 0;      // optimizer steps; batches consumed over all epochs (every random draw is seeded by it)
        int resumeEpoch = 0, resumeBatch = 0, micro = 0;
        var scaler = new LossScaler(options.Precision == EncodePrecision.Float16);
        var fingerprint = objective.Fingerprint;
        long? bestStep = null;
        IReadOnlyDictionary<string, double>? bestEval = null;
        var sinceBest = 0;                  // evaluations in a row that did not beat the best (early stopping)
        var stoppedEarly = false;
        using var best = new WeightSnapshot();
        if (resumeFrom is not null)
        {
            var state = TrainingCheckpoint.Load(resumeFrom, optimizer);
            fingerprint.CheckResume(state.Fingerprint, resumeFrom);
            (step, microSteps, resumeEpoch, resumeBatch) = (state.Step, state.MicroSteps, state.Epoch, state.BatchInEpoch);
            log.AddRange(state.Log);
            foreach (var e in state.Log.Where(e => e.Eval is not null))
            {
                if (bestEval is null || MainScore(e.Eval!) > MainScore(bestEval)) (bestEval, bestStep, sinceBest) = (e.Eval, e.Step, 0);
                else sinceBest++;
            }
            if (TrainingCheckpoint.LoadBestWeights(resumeFrom) is { } saved) best.Set(saved);
            var extra = Path.Combine(resumeFrom, ObjectiveStateFile);
            if (File.Exists(extra))
            {
                var tensors = Safetensors.Read(extra);
                try { objective.LoadExtraState(tensors); }
                finally { foreach (var t in tensors.Values) t.Dispose(); }
            }
            scaler = new LossScaler(scaler.Enabled, state.LossScale, state.LossScaleGoodSteps);
            stoppedEarly = options.Patience > 0 && sinceBest >= options.Patience; // the run had stopped early: nothing left to train
        }
        double gradNorm = 0;
        Tensor? gradNormOnDevice = null;
        var meter = new TrainingMeter();
        var group = objective.Processes;
        var main = group?.IsMain ?? true;   // the process that evaluates and writes checkpoints

        void Evaluate(TrainingLogEntry? entry)
        {
            if (evaluate is null) return;
            // As a user's evaluation would see the model: eval mode (no dropout), float32.
            var computeType = encoder.Model.ComputeType;
            encoder.Model.ComputeType = null;
            encoder.Model.eval();
            IReadOnlyDictionary<string, double> metrics = new Dictionary<string, double>();
            try
            {
                if (main) metrics = evaluate(encoder);
            }
            finally
            {
                encoder.Model.ComputeType = computeType;
                encoder.Model.train();
            }
            if (main && metrics.Count == 0) throw new InvalidOperationException("The evaluation callback returned no metrics.");
            // In a multi-process job rank 0 evaluates; the others take its main score, so every process keeps the same
            // best step and stops early at the same evaluation.
            if (group is not null)
            {
                var shared = group.Broadcast([main ? MainScore(metrics) : 0]);
                if (!main) metrics = new Dictionary<string, double> { ["main_score"] = shared[0] };
            }
            if (bestEval is null || MainScore(metrics) > MainScore(bestEval))
            {
                (bestEval, bestStep, sinceBest) = (metrics, step, 0);
                if (options.KeepBest) best.Take(objective.SavedModules);
            }
            else sinceBest++;
            var withEval = (entry ?? new TrainingLogEntry(step, (double)step / stepsPerEpoch, double.NaN, 0, 0, 0, double.NaN, double.NaN)) with { Eval = metrics };
            log.Add(withEval);
            onLog?.Invoke(withEval);
        }

        var computeType = options.Precision switch
        {
            EncodePrecision.BFloat16 => ScalarType.BFloat16,
            EncodePrecision.Float16 => ScalarType.Float16,
            _ => (ScalarType?)null,
        };
        var previousComputeType = encoder.Model.ComputeType;
        encoder.Model.ComputeType = computeType;
        objective.SetComputeType(computeType);
        SetTraining(objective, true);
        var lastCheckpoint = resumeFrom is null ? (long?)null : step; // for the message when another process of the job ends
        try
        {
            // max_steps overrides epochs, as in transformers' Trainer: the data is gone through again (each epoch in its
            // own seeded order) until the steps are done, and the schedule spans exactly those steps.
            var epochs = options.MaxSteps is null ? options.Epochs : int.MaxValue;
            for (var epoch = resumeEpoch; epoch < epochs && step < totalSteps && !stoppedEarly; epoch++)
            {
                var batches = objective.BatchCount(epoch);
                if (batches == 0) break;
                var first = epoch == resumeEpoch ? resumeBatch : 0;
                if (first == 0) objective.StartEpoch(epoch);
                for (var b = first; b < batches && step < totalSteps && !stoppedEarly; b++)
                {
                    using var scope = NewDisposeScope();
                    var index = microSteps++;
                    torch.manual_seed(Seed(options.Seed, index));
                    var result = objective.Backward(epoch, b, index, scaler.Scale / options.GradientAccumulation);
                    if (result.Skipped) continue;
                    if (!double.IsFinite(result.Loss))
                        throw new InvalidOperationException($"Training diverged at step {step + 1} (epoch {epoch + 1}): the loss is {(float)result.Loss}. Lower the learning rate (now {options.LearningRate}){objective.DivergenceAdvice}.");
                    if (result.Scores is not null) meter.Add(result.Loss, result.Scores, result.Examples);
                    else meter.Add(result.Loss, result.Positive, result.Negative, result.Examples);
                    if (++micro < options.GradientAccumulation) continue;
                    micro = 0;
                    objective.BeforeStep();
                    if (group is not null)
                        foreach (var gradient in optimizer.Gradients()) group.AllReduceSum(gradient); // the whole batch's gradient in every process
                    var lr = LearningRateSchedule.At(step, totalSteps, warmup, options.LearningRate, options.CosineDecay);
                    var stepped = scaler.Step(optimizer, lr, options.MaxGradNorm, out var norm);
                    objective.AfterStep(stepped);
                    if (!stepped) continue; // float16 overflow: PyTorch's GradScaler skips the step and retries with half the scale
                    gradNormOnDevice?.Dispose();
                    gradNormOnDevice = norm;
                    step++;
                    // The scores and the gradient norm stay on the device until a log line needs them (one read per line):
                    // on a GPU the host tokenizes and queues the next batch while this step computes.
                    var logged = step % options.LogEvery == 0 || step == totalSteps;
                    if (logged) gradNorm = gradNormOnDevice?.item<double>() ?? 0;
                    var entry = logged ? meter.Take(step, (double)step / stepsPerEpoch, lr, gradNorm) : null;
                    TrainingMeter.Emit(entry, TrainingMeter.EvaluationDue(evaluate is not null, step, totalSteps, options.EvaluateEvery), Evaluate, log, onLog);
                    if (checkpointDirectory is not null && options.CheckpointEvery > 0 && step % options.CheckpointEvery == 0)
                    {
                        // The position after this batch: the next batch of this epoch, or the next epoch. Rank 0 writes it.
                        var (nextEpoch, nextBatch) = b + 1 < batches ? (epoch, b + 1) : (epoch + 1, 0);
                        if (main)
                            TrainingCheckpoint.Save(checkpointDirectory, encoder, optimizer, new TrainingState(step, microSteps, nextEpoch, nextBatch, log, scaler.Scale, scaler.GoodSteps, fingerprint),
                                best.Weights, dir =>
                                {
                                    objective.SaveModelFiles(dir);
                                    var extra = objective.ExtraState();
                                    if (extra.Count > 0) Safetensors.Write(Path.Combine(dir, ObjectiveStateFile), extra);
                                });
                        lastCheckpoint = step;
                    }
                    stoppedEarly = options.Patience > 0 && sinceBest >= options.Patience;
                }
            }
            TrainingMeter.Finish(step, evaluate is not null, Evaluate, log);
            if (options.KeepBest && best.Weights is not null && bestStep != step) best.Restore(objective.SavedModules, $"best evaluation (step {bestStep})");
        }
        catch (Devices.CollectiveException e) when (group is not null)
        {
            // Another process ended: say what survives, on every process that is still here.
            throw new Devices.CollectiveException(e.Message + (lastCheckpoint is { } at && checkpointDirectory is not null
                ? $" The last checkpoint, {checkpointDirectory} (step {at}), is intact: start every process again with --resume."
                : $" No checkpoint was written yet{(options.CheckpointEvery > 0 ? "" : " (checkpoint_every is 0)")}: the job starts again from the beginning."), e);
        }
        finally
        {
            gradNormOnDevice?.Dispose();
            encoder.Model.ComputeType = previousComputeType;
            objective.SetComputeType(previousComputeType);
            SetTraining(objective, false);
        }
        return new TrainingResult(log, step, bestStep, bestEval, stoppedEarly);
    }

    /// <summary>An evaluation's main_score (its first metric when it has none): what picks the best step.</summary>
    public static double MainScore(IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return metrics.TryGetValue("main_score", out var m) ? m : metrics.Values.First();
    }

    /// <summary>The torch seed of batch <paramref name="microStep"/> of a run seeded <paramref name="seed"/> (dropout masks).</summary>
    public static long Seed(ulong seed, long microStep) => (long)(SplitMix64.Mix(seed, (ulong)microStep) & 0x7FFFFFFFFFFF);

    /// <summary>The modules' parameters and buffers, each key prefixed (detached views; the caller does not dispose them).</summary>
    public static IReadOnlyDictionary<string, Tensor> StateOf(IEnumerable<(string Prefix, nn.Module Module)> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (prefix, module) in modules)
            foreach (var (name, t) in module.state_dict())
                state[prefix + name] = t;
        return state;
    }

    /// <summary>Copies <paramref name="state"/> into the modules' parameters and buffers; every one must be there with its shape.</summary>
    public static void LoadState(IEnumerable<(string Prefix, nn.Module Module)> modules, IReadOnlyDictionary<string, Tensor> state, string source)
    {
        ArgumentNullException.ThrowIfNull(modules);
        ArgumentNullException.ThrowIfNull(state);
        using var noGrad = no_grad();
        foreach (var (prefix, module) in modules)
            foreach (var (name, t) in module.state_dict())
            {
                if (!state.TryGetValue(prefix + name, out var saved) || !saved.shape.SequenceEqual(t.shape))
                    throw new InvalidDataException($"{source}: no state of shape [{string.Join(", ", t.shape)}] for {prefix + name}.");
                t.copy_(saved);
            }
    }

    private static void SetTraining(ITrainingObjective objective, bool on)
    {
        foreach (var (_, module) in objective.SavedModules.Concat(objective.TrainingModules))
            if (on) module.train(); else module.eval();
    }
}
