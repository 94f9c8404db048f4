using Research.Lib.Data;
using Research.Lib.Modeling;
using Research.Lib.Tensors;
using Research.Lib.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Research.Lib.Training;

/// <summary>
/// Masked-language-model (domain-adaptive) pre-training of the encoder on plain sentences (Devlin et al. 2019;
/// Gururangan et al. 2020): each batch is corrupted by <see cref="MlmMasking"/> (a fresh draw per batch, so every epoch
/// masks differently), the <see cref="MlmHead"/> predicts the original tokens at the chosen positions, cross-entropy.
/// Used to adapt a pretrained model to a domain, to build a small backbone from scratch where no pretrained model
/// exists (Chinese here), and to train DiffCSE's generator. Same optimizer, schedule, clipping, mixed precision,
/// divergence guard and log format as the other trainers; in the log, <c>PositiveScore</c> is the accuracy on the
/// masked positions and <c>NegativeScore</c> is 0.
/// </summary>
public static class MlmTrainer
{
    public static TrainingResult Train(SentenceEncoder encoder, MlmHead head, IReadOnlyList<string> sentences, MlmTrainingOptions options,
        Func<SentenceEncoder, IReadOnlyDictionary<string, double>>? evaluate = null, Action<TrainingLogEntry>? onLog = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (encoder.Tokenizer.MaskId is null)
            throw new ArgumentException("The model's tokenizer has no mask token ([MASK] / <mask>): masked-language-model training needs one.");
        var data = sentences.Where(s => !string.IsNullOrWhiteSpace(s)).ToList();
        if (data.Count == 0) throw new ArgumentException("Masked-language-model training needs at least one non-empty sentence.");
        if (options.Precision == EncodePrecision.Float16 && encoder.Device.type != DeviceType.CUDA)
            throw new NotSupportedException("precision fp16 needs a CUDA device; on CPU use bf16 or fp32.");
        WordPieceTextTokenizer? wordPiece = null;
        if (options.WholeWordMasking)
            wordPiece = encoder.Tokenizer as WordPieceTextTokenizer ?? throw new ArgumentException(
                $"whole_word_masking needs a WordPiece (BERT-family) tokenizer, whose \"##\" pieces mark words; this model's tokenizer is {encoder.Tokenizer.Kind}.");
        head.to(encoder.Device);
        var batchesPerEpoch = (data.Count + options.BatchSize - 1) / options.BatchSize;
        var totalSteps = options.MaxSteps ?? (long)batchesPerEpoch * options.Epochs;
        var warmup = (long)Math.Round(totalSteps * options.WarmupRatio);
        var parameters = encoder.Model.parameters().Concat(head.parameters()).ToList();
        using var optimizer = new FlatAdamW(parameters, options.LearningRate, options.WeightDecay);
        var scaler = new LossScaler(options.Precision == EncodePrecision.Float16);
        var log = new List<TrainingLogEntry>();
        long? bestStep = null;
        IReadOnlyDictionary<string, double>? bestEval = null;
        long step = 0, microSteps = 0;
        double gradNorm = 0;
        var meter = new TrainingMeter();
        var previousComputeType = encoder.Model.ComputeType;
        encoder.Model.ComputeType = options.Precision switch { EncodePrecision.BFloat16 => ScalarType.BFloat16, EncodePrecision.Float16 => ScalarType.Float16, _ => null };
        encoder.Model.train();
        head.train();

        void Evaluate(TrainingLogEntry? entry)
        {
            if (evaluate is null) return;
            encoder.Model.eval();
            var metrics = evaluate(encoder);
            encoder.Model.train();
            var main = metrics.TryGetValue("main_score", out var m) ? m : metrics.Values.First();
            if (bestEval is null || main > (bestEval.TryGetValue("main_score", out var b) ? b : bestEval.Values.First()))
                (bestEval, bestStep) = (metrics, step);
            var withEval = (entry ?? new TrainingLogEntry(step, (double)step / batchesPerEpoch, double.NaN, 0, 0, 0, double.NaN, double.NaN)) with { Eval = metrics };
            log.Add(withEval);
            onLog?.Invoke(withEval);
        }

        try
        {
            for (var epoch = 0; epoch < options.Epochs && step < totalSteps; epoch++)
            {
                var order = new SplitMix64(SplitMix64.Mix(options.Seed, (ulong)epoch)).Permutation(data.Count);
                for (var start = 0; start < order.Length && step < totalSteps; start += options.BatchSize)
                {
                    using var scope = NewDisposeScope();
                    var texts = order.Skip(start).Take(options.BatchSize).Select(i => data[i]).ToList();
                    torch.manual_seed((long)(SplitMix64.Mix(options.Seed, (ulong)microSteps) & 0x7FFFFFFFFFFF));
                    var batch = encoder.Tokenize(texts, options.MaxLength);
                    var maskSeed = SplitMix64.Mix(options.Seed ^ 0x4D4C4DUL, (ulong)microSteps);
                    var (inputs, labels) = wordPiece is null
                        ? MlmMasking.Mask(batch, encoder.Tokenizer, options.MaskProbability, maskSeed)
                        : WholeWordMasking.Mask(batch, WordGroups(wordPiece, batch, texts), encoder.Tokenizer, options.MaskProbability, maskSeed);
                    microSteps++;
                    var (_, mask, types) = batch.ToTensors(encoder.Device);
                    var ids = tensor(inputs, [batch.Count, batch.Length], device: encoder.Device);
                    var target = tensor(labels, [batch.Count * batch.Length], device: encoder.Device);
                    var chosen = target.ne(MlmMasking.IgnoreScalar).nonzero().squeeze(1);          // positions to predict
                    if (chosen.shape[0] == 0) continue;                                       // nothing masked in this batch (tiny texts)
                    var hidden = encoder.Model.forward(ids, mask, types);                     // (batch, seq, hidden)
                    var picked = hidden.reshape(-1, hidden.shape[2]).index_select(0, chosen); // (n, hidden)
                    var logits = head.forward(picked, encoder.Model.WordEmbeddingWeight);     // (n, vocab)
                    var truth = target.index_select(0, chosen);
                    var loss = nn.functional.cross_entropy(logits, truth);
                    var value = (float)loss.to_type(ScalarType.Float64).item<double>();
                    if (!float.IsFinite(value))
                        throw new InvalidOperationException($"Training diverged at step {step + 1} (epoch {epoch + 1}): the loss is {value}. Lower the learning rate (now {options.LearningRate}).");
                    loss.Times(scaler.Scale).backward();
                    float accuracy;
                    using (no_grad())
                        accuracy = logits.argmax(1).eq(truth).to_type(ScalarType.Float32).mean().item<float>();
                    meter.Add(value, accuracy, 0, texts.Count); // the masked-token accuracy rides in PositiveScore
                    var lr = LearningRateSchedule.At(step, totalSteps, warmup, options.LearningRate, options.CosineDecay);
                    if (!scaler.Step(optimizer, lr, options.MaxGradNorm, ref gradNorm))
                        continue;
                    step++;
                    var entry = step % options.LogEvery == 0 || step == totalSteps ? meter.Take(step, (double)step / batchesPerEpoch, lr, gradNorm) : null;
                    TrainingMeter.Emit(entry, TrainingMeter.EvaluationDue(evaluate is not null, step, totalSteps, options.EvaluateEvery), Evaluate, log, onLog);
                }
            }
            TrainingMeter.Finish(step, evaluate is not null, Evaluate, log);
        }
        finally
        {
            encoder.Model.ComputeType = previousComputeType;
            encoder.Model.eval();
            head.eval();
        }
        return new TrainingResult(log, step, bestStep, bestEval);
    }

    /// <summary>Each row's word groups for whole-word masking: WordPiece words, Chinese words from the segmenter.</summary>
    private static List<int[]> WordGroups(WordPieceTextTokenizer tokenizer, TokenBatch batch, IReadOnlyList<string> texts)
    {
        var rows = new List<int[]>(batch.Count);
        for (var r = 0; r < batch.Count; r++)
        {
            var ids = Enumerable.Range(r * batch.Length, batch.Length).Where(i => batch.Mask[i] != 0).Select(i => (int)batch.Ids[i]).ToList();
            rows.Add(WholeWordMasking.Groups(tokenizer.Tokens(ids), ids.Select(tokenizer.SpecialIds.Contains).ToList(), ChineseWordSegmenter.Words(texts[r])));
        }
        return rows;
    }
}
