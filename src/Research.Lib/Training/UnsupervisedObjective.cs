using Research.Lib.Data;
using Research.Lib.Data.Augment;
using Research.Lib.Losses;
using Research.Lib.Modeling;
using Research.Lib.Tensors;
using Research.Lib.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Research.Lib.Training;

/// <summary>
/// SimCSE, ESimCSE and DiffCSE as an <see cref="ITrainingObjective"/> (see <see cref="UnsupervisedTrainer"/>): each
/// batch of distinct sentences is encoded twice in one forward pass, the second view repeated (ESimCSE) or the same
/// (SimCSE, DiffCSE); <see cref="SimCseLoss"/> with the momentum queue's negatives (ESimCSE) plus the weighted
/// replaced-token-detection loss (DiffCSE). A checkpoint holds the training-only head, the discriminator, the momentum
/// encoder and the queue, so a resumed run continues exactly.
/// </summary>
public sealed class UnsupervisedObjective : ITrainingObjective
{
    private readonly SentenceEncoder _encoder;
    private readonly List<string> _data;
    private readonly UnsupervisedTrainingOptions _options;
    private readonly int _maxLength;
    private readonly nn.Module<Tensor, Tensor>? _mlp;
    private readonly ReplacedTokenDetection? _rtd;
    private readonly BertModel? _key;
    private readonly EmbeddingQueue? _queue;
    private readonly List<List<TokenizedText>> _pending = []; // ESimCSE: the first views since the last step, for the queue
    private (int Epoch, int[] Order)? _order;

    /// <param name="encoder">the model trained</param>
    /// <param name="sentences">plain sentences: blank ones and repeats (after normalization) are dropped</param>
    /// <param name="options">the method and its settings</param>
    public UnsupervisedObjective(SentenceEncoder encoder, IReadOnlyList<string> sentences, UnsupervisedTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        _data = sentences.Where(s => !string.IsNullOrWhiteSpace(s) && seen.Add(TextNormalizer.ForComparison(s))).ToList();
        if (_data.Count < 2) throw new ArgumentException($"Unsupervised training needs at least 2 distinct sentences; got {_data.Count}.");
        if (options.Method == UnsupervisedMethod.DiffCse && encoder.Projection is not null)
            throw new ArgumentException("DiffCSE feeds the sentence vector to the discriminator in place of [CLS]: the model must have no Dense projection.");
        (_encoder, _options) = (encoder, options);
        _maxLength = Math.Min(options.MaxLength, encoder.Settings.MaxSeqLength);
        manual_seed((long)(options.Seed & 0x7FFFFFFFFFFF)); // the head's initial weights
        _mlp = options.TrainingMlp ? TrainingHead.Create(encoder.Dimension, options.MlpBatchNorm) : null;
        _mlp?.to(encoder.Device);
        _rtd = options.Method == UnsupervisedMethod.DiffCse ? new ReplacedTokenDetection(encoder, options.Generator!, options.MaskingRatio) : null;
        if (options.Method == UnsupervisedMethod.ESimCse && encoder.Model.Lora is not null)
            throw new ArgumentException("lora with esimcse is not supported yet: its momentum encoder follows the model weight by weight; train ESimCSE without an adapter.");
        if (options.Method == UnsupervisedMethod.ESimCse)
        {
            _key = UnsupervisedTrainer.Copy(encoder.Model, encoder.Device);
            _queue = new EmbeddingQueue(options.QueueSize);
        }
        Parameters = encoder.Model.parameters().Where(p => p.requires_grad).Concat(encoder.Projection?.parameters() ?? []).Concat(_mlp?.parameters() ?? []).Concat(_rtd?.Parameters ?? []).ToList();
        SavedModules = encoder.Projection is null ? [("", encoder.Model)] : [("", encoder.Model), ("2_Dense.", encoder.Projection)];
        TrainingModules = [.. _mlp is null ? [] : new[] { ("mlp.", (nn.Module)_mlp) }, .. _rtd?.Modules ?? []];
        // A lone last sentence has no negative: that batch is left out.
        BatchesPerEpoch = _data.Count / options.BatchSize + (_data.Count % options.BatchSize >= 2 ? 1 : 0);
        Fingerprint = TrainingFingerprint.Of(_data, options, ("method", options.Method), ("max_length", options.MaxLength),
            ("training_mlp", options.TrainingMlp), ("mlp_batch_norm", options.MlpBatchNorm), ("queue_size", options.QueueSize));
    }

    /// <summary>The sentences trained on (distinct, non-blank).</summary>
    public int SentenceCount => _data.Count;

    public IReadOnlyList<Parameter> Parameters { get; }
    public IReadOnlyList<(string Prefix, nn.Module Module)> SavedModules { get; }
    public IReadOnlyList<(string Prefix, nn.Module Module)> TrainingModules { get; }
    public int BatchesPerEpoch { get; }
    public TrainingFingerprint Fingerprint { get; }
    public string DivergenceAdvice => " or raise the temperature";

    public int BatchCount(int epoch) => BatchesPerEpoch;

    public void StartEpoch(int epoch) => _queue?.Clear(); // the official code empties the queue each epoch

    public void SetComputeType(ScalarType? computeType)
    {
        if (_rtd is not null) _rtd.ComputeType = computeType;
    }

    public MicroBatchResult Backward(int epoch, int batch, long microStep, double lossMultiplier)
    {
        var order = Order(epoch);
        var start = batch * _options.BatchSize;
        var count = Math.Min(_options.BatchSize, order.Length - start);
        var first = Enumerable.Range(start, count).Select(i => _encoder.Tokenizer.Encode(_data[order[i]], _maxLength)).ToList();
        var augmenter = _key is null ? null : new TextAugmenter(SplitMix64.Mix(_options.Seed ^ 0xE51CC5EUL, (ulong)microStep));
        var second = augmenter is null ? first : first.Select(t => augmenter.RepeatTokens(t, _options.DupRate)).ToList();
        var views = TokenBatch.Pad([.. first, .. second], _encoder.Tokenizer.PadId);
        var both = Embed(views);                                                            // (2·count, dim)
        var z1 = both.narrow(0, 0, count);
        var z2 = both.narrow(0, count, count);
        var loss = SimCseLoss.Compute(z1, z2, _options.Temperature, _queue?.Rows);
        if (_rtd is not null)
        {
            // DiffCSE: both views' vectors condition the discriminator on their own (independently masked) sentences.
            var (detection, _) = _rtd.Loss(views, both, SplitMix64.Mix(_options.Seed ^ 0xD1FFC5EUL, (ulong)microStep + 1));
            loss = loss.Plus(detection.Times(_options.LambdaWeight));
        }
        var value = (float)loss.to_type(ScalarType.Float64).item<double>();
        if (float.IsFinite(value)) loss.Times(lossMultiplier).backward();
        if (_key is not null) _pending.Add(first);
        var (positive, negative) = ViewScores(z1, z2);
        return new MicroBatchResult(value, count, Positive: positive, Negative: negative);
    }

    public void AfterStep(bool stepped)
    {
        if (_key is null || _queue is null) return;
        if (stepped)
        {
            // ESimCSE: θ_key ← m·θ_key + (1 − m)·θ, then the key encoder's embeddings of the first views join the queue.
            MomentumUpdate.Apply(_key, _encoder.Model, _options.Momentum);
            using var noGrad = no_grad();
            _key.ComputeType = _encoder.Model.ComputeType;
            foreach (var first in _pending)
            {
                var keys = _encoder.Forward(_key, TokenBatch.Pad(first, _encoder.Tokenizer.PadId), normalize: false);
                _queue.Enqueue(_mlp is null ? keys : _mlp.forward(keys));
            }
        }
        _pending.Clear();
    }

    public IReadOnlyDictionary<string, Tensor> ExtraState()
    {
        var state = new Dictionary<string, Tensor>(TrainingLoop.StateOf(TrainingModules), StringComparer.Ordinal);
        if (_key is not null)
            foreach (var (name, t) in _key.state_dict()) state["key." + name] = t;
        if (_queue?.Rows is { } rows) state["queue"] = rows;
        return state;
    }

    public void LoadExtraState(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        TrainingLoop.LoadState(TrainingModules, state, "checkpoint");
        if (_key is not null) TrainingLoop.LoadState([("key.", _key)], state, "checkpoint");
        _queue?.Clear();
        if (_queue is not null && state.TryGetValue("queue", out var rows)) _queue.Enqueue(rows.to(_encoder.Device));
    }

    public void Dispose()
    {
        _mlp?.Dispose();
        _rtd?.Dispose();
        _key?.Dispose();
        _queue?.Dispose();
    }

    private Tensor Embed(TokenBatch batch) => _mlp is null ? _encoder.Forward(batch, normalize: false) : _mlp.forward(_encoder.Forward(batch, normalize: false));

    private int[] Order(int epoch)
    {
        if (_order is not { } cached || cached.Epoch != epoch)
            _order = cached = (epoch, new SplitMix64(SplitMix64.Mix(_options.Seed, (ulong)epoch)).Permutation(_data.Count));
        return cached.Order;
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
}
