using Research.Lib.Data;
using Research.Lib.Data.Augment;
using Research.Lib.Losses;
using Research.Lib.Modeling;
using Research.Lib.Tensors;
using Research.Lib.Text;
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
/// <see cref="UnsupervisedTrainingOptions.KeepBest"/> the best-scoring weights are put back at the end.
/// </summary>
public static class UnsupervisedTrainer
{
    public static TrainingResult Train(SentenceEncoder encoder, IReadOnlyList<string> sentences, UnsupervisedTrainingOptions options,
        Func<SentenceEncoder, IReadOnlyDictionary<string, double>>? evaluate = null, Action<TrainingLogEntry>? onLog = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var data = sentences.Where(s => !string.IsNullOrWhiteSpace(s) && seen.Add(TextNormalizer.ForComparison(s))).ToList();
        if (data.Count < 2) throw new ArgumentException($"Unsupervised training needs at least 2 distinct sentences; got {data.Count}.");
        if (options.Precision == EncodePrecision.Float16 && encoder.Device.type != DeviceType.CUDA)
            throw new NotSupportedException("precision fp16 needs a CUDA device; on CPU use bf16 or fp32.");
        var batchesPerEpoch = (data.Count + options.BatchSize - 1) / options.BatchSize;
        var totalSteps = options.MaxSteps ?? (long)batchesPerEpoch * options.Epochs;
        var warmup = (long)Math.Round(totalSteps * options.WarmupRatio);
        var maxLength = Math.Min(options.MaxLength, encoder.Settings.MaxSeqLength);

        torch.manual_seed((long)(options.Seed & 0x7FFFFFFFFFFF));
        using var mlp = options.TrainingMlp ? TrainingHead.Create(encoder.Dimension, options.MlpBatchNorm) : null;
        mlp?.to(encoder.Device);
        if (options.Method == UnsupervisedMethod.DiffCse && encoder.Projection is not null)
            throw new ArgumentException("DiffCSE feeds the sentence vector to the discriminator in place of [CLS]: the model must have no Dense projection.");
        using var rtd = options.Method == UnsupervisedMethod.DiffCse ? new ReplacedTokenDetection(encoder, options.Generator!, options.MaskingRatio) : null;
        var parameters = encoder.Model.parameters().Concat(encoder.Projection?.parameters() ?? []).Concat(mlp?.parameters() ?? []).Concat(rtd?.Parameters ?? []).ToList();
        using var optimizer = new FlatAdamW(parameters, options.LearningRate, options.WeightDecay);
        var scaler = new LossScaler(options.Precision == EncodePrecision.Float16);
        var esimcse = options.Method == UnsupervisedMethod.ESimCse;
        using var key = esimcse ? Copy(encoder.Model, encoder.Device) : null;
        using var queue = esimcse ? new EmbeddingQueue(options.QueueSize) : null;
        var augmenter = new TextAugmenter(options.Seed ^ 0xE51CC5EUL);
        Tensor Embed(TokenBatch batch) => mlp is null ? encoder.Forward(batch, normalize: false) : mlp.forward(encoder.Forward(batch, normalize: false));

        var log = new List<TrainingLogEntry>();
        long step = 0, microSteps = 0;
        double gradNorm = 0;
        var meter = new TrainingMeter();
        long? bestStep = null;
        IReadOnlyDictionary<string, double>? bestEval = null;
        Dictionary<string, Tensor>? bestWeights = null;

        void Evaluate(TrainingLogEntry? entry)
        {
            if (evaluate is null) return;
            encoder.Model.eval();
            var previous = encoder.Model.ComputeType;
            encoder.Model.ComputeType = null;
            var metrics = evaluate(encoder);
            encoder.Model.ComputeType = previous;
            encoder.Model.train();
            var main = metrics.TryGetValue("main_score", out var m) ? m : metrics.Values.First();
            if (bestEval is null || main > (bestEval.TryGetValue("main_score", out var b) ? b : bestEval.Values.First()))
            {
                (bestEval, bestStep) = (metrics, step);
                if (options.KeepBest)
                {
                    foreach (var t in bestWeights?.Values.ToList() ?? []) t.Dispose();
                    bestWeights = encoder.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().cpu().clone().DetachFromDisposeScope(), StringComparer.Ordinal);
                }
            }
            var withEval = (entry ?? new TrainingLogEntry(step, (double)step / batchesPerEpoch, double.NaN, 0, 0, 0, double.NaN, double.NaN)) with { Eval = metrics };
            log.Add(withEval);
            onLog?.Invoke(withEval);
        }

        var previousComputeType = encoder.Model.ComputeType;
        encoder.Model.ComputeType = options.Precision switch
        {
            EncodePrecision.BFloat16 => ScalarType.BFloat16,
            EncodePrecision.Float16 => ScalarType.Float16,
            _ => null,
        };
        if (rtd is not null) rtd.ComputeType = encoder.Model.ComputeType;
        encoder.Model.train();
        encoder.Projection?.train();
        mlp?.train();
        try
        {
            for (var epoch = 0; epoch < options.Epochs && step < totalSteps; epoch++)
            {
                var order = new SplitMix64(Mix(options.Seed, (ulong)epoch)).Permutation(data.Count);
                queue?.Clear();
                for (var start = 0; start < order.Length && step < totalSteps; start += options.BatchSize)
                {
                    var count = Math.Min(options.BatchSize, order.Length - start);
                    if (count < 2) break; // a lone last sentence has no negative
                    using var scope = NewDisposeScope();
                    torch.manual_seed((long)(Mix(options.Seed, (ulong)microSteps) & 0x7FFFFFFFFFFF));
                    microSteps++;
                    var first = Enumerable.Range(start, count).Select(i => encoder.Tokenizer.Encode(data[order[i]], maxLength)).ToList();
                    var second = esimcse ? first.Select(t => augmenter.RepeatTokens(t, options.DupRate)).ToList() : first;
                    var views = TokenBatch.Pad([.. first, .. second], encoder.Tokenizer.PadId);
                    var both = Embed(views);                                                           // (2·count, dim)
                    var z1 = both.narrow(0, 0, count);
                    var z2 = both.narrow(0, count, count);
                    var loss = SimCseLoss.Compute(z1, z2, options.Temperature, queue?.Rows);
                    if (rtd is not null)
                    {
                        // DiffCSE: both views' vectors condition the discriminator on their own (independently masked) sentences.
                        var (detection, _) = rtd.Loss(views, both, Mix(options.Seed ^ 0xD1FFC5EUL, (ulong)microSteps));
                        loss = loss.Plus(detection.Times(options.LambdaWeight));
                    }
                    var value = (float)loss.to_type(ScalarType.Float64).item<double>();
                    if (!float.IsFinite(value))
                        throw new InvalidOperationException($"Training diverged at step {step + 1} (epoch {epoch + 1}): the loss is {value}. Lower the learning rate (now {options.LearningRate}) or raise the temperature.");
                    loss.Times(scaler.Scale).backward();
                    var (positive, negative) = ViewScores(z1, z2);
                    meter.Add(value, positive, negative, count);
                    var lr = LearningRateSchedule.At(step, totalSteps, warmup, options.LearningRate, options.CosineDecay);
                    if (!scaler.Step(optimizer, lr, options.MaxGradNorm, ref gradNorm))
                        continue;
                    if (key is not null && queue is not null)
                    {
                        MomentumUpdate.Apply(key, encoder.Model, options.Momentum);
                        using var noGrad = no_grad();
                        key.ComputeType = encoder.Model.ComputeType;
                        var keys = encoder.Forward(key, TokenBatch.Pad(first, encoder.Tokenizer.PadId), normalize: false);
                        queue.Enqueue(mlp is null ? keys : mlp.forward(keys));
                    }
                    step++;
                    var entry = step % options.LogEvery == 0 || step == totalSteps ? meter.Take(step, (double)step / batchesPerEpoch, lr, gradNorm) : null;
                    TrainingMeter.Emit(entry, TrainingMeter.EvaluationDue(evaluate is not null, step, totalSteps, options.EvaluateEvery), Evaluate, log, onLog);
                }
            }
            TrainingMeter.Finish(step, evaluate is not null, Evaluate, log);
            if (bestWeights is not null && bestStep != step)
                CheckpointLoader.Load(encoder.Model, bestWeights, $"best evaluation (step {bestStep})");
        }
        finally
        {
            foreach (var t in bestWeights?.Values.ToList() ?? []) t.Dispose();
            encoder.Model.ComputeType = previousComputeType;
            encoder.Model.eval();
            encoder.Projection?.eval();
        }
        return new TrainingResult(log, step, bestStep, bestEval);
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

    /// <summary>Mean cosine of each sentence's two views, and of a sentence with the other sentences' second views.</summary>
    private static (double Pos, double Neg) ViewScores(Tensor z1, Tensor z2)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var cos = nn.functional.normalize(z1.to_type(ScalarType.Float32), p: 2, dim: -1).mm(nn.functional.normalize(z2.to_type(ScalarType.Float32), p: 2, dim: -1).t());
        var n = cos.shape[0];
        var diagonal = cos.diagonal().sum().item<float>();
        var total = cos.sum().item<float>();
        return (diagonal / n, (total - diagonal) / (n * (n - 1)));
    }

    private static ulong Mix(ulong seed, ulong index) => SplitMix64.Mix(seed, index);
}
