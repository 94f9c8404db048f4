using Research.Lib.Data;
using Research.Lib.Devices;
using Research.Lib.Losses;
using Research.Lib.Modeling;
using Research.Lib.Tensors;
using Research.Lib.Text;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Research.Lib.Training;

/// <summary>
/// Supervised contrastive training as an <see cref="ITrainingObjective"/>: per epoch a seeded, duplicate-free batch
/// order; per batch each query's group (one positive drawn from its positives, group_size − 1 hard negatives drawn from
/// its negatives, topped up with other records' positives when it has too few, with their teacher scores for
/// distillation); queries with the record's prompt, else the model's query instruction; the loss (<see cref="IContrastiveLoss"/>); optionally
/// GradCache, length buckets or replicas on several devices for the forward passes. In a multi-process job
/// (<see cref="ProcessGroup"/>) every process draws the whole batch's groups, embeds its contiguous slice of the queries
/// and passages, and gathers the others' embeddings (detached), its own slice keeping its graph: the loss over the whole
/// batch is computed alike in every process, each back-propagates it into its own slice, and the sum of the processes'
/// gradients (the loop's all-reduce) is the whole batch's gradient — every query meets every process's passages as
/// negatives with the right labels, and the parameters stay equal to one process's on the same batch.
/// </summary>
public sealed class SupervisedObjective : ITrainingObjective
{
    private readonly SentenceEncoder _encoder;
    private readonly IReadOnlyList<TrainingExample> _examples;
    private readonly SupervisedTrainingOptions _options;
    private readonly IContrastiveLoss _loss;
    private readonly List<string> _pool;
    private readonly DataParallel? _replicas;
    private readonly SentenceEncoder? _guide;
    private readonly EpochBatches _batches;
    private readonly ProcessGroup? _group;

    /// <param name="encoder">the model trained</param>
    /// <param name="examples">the training records (checked by <see cref="SupervisedTrainer.CheckData"/>)</param>
    /// <param name="options">the run's settings</param>
    /// <param name="loss">the loss (null: the one <paramref name="options"/> name)</param>
    /// <param name="parallel">extra devices and the model folder their replicas load from, or null</param>
    /// <param name="group">the processes of a multi-process job this one trains with (each takes a slice of every batch), or null</param>
    public SupervisedObjective(SentenceEncoder encoder, IReadOnlyList<TrainingExample> examples, SupervisedTrainingOptions options,
        IContrastiveLoss? loss = null, (IReadOnlyList<DeviceSpec> ExtraDevices, string ModelDirectory)? parallel = null, ProcessGroup? group = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _loss = loss ?? options.CreateLoss();
        _loss.Check(options.BatchSize, options.GroupSize);
        if (_loss is MatryoshkaLoss m) m.CheckDimensions(encoder.Dimension);
        SupervisedTrainer.CheckData(examples, options, "the training data", _loss);
        (_encoder, _examples, _options) = (encoder, examples, options);
        _pool = examples.SelectMany(e => e.Pos).Distinct(StringComparer.Ordinal).ToList();
        _batches = new EpochBatches(examples, options.BatchSize, options.Seed, options.SameTypeWithinBatch);
        BatchesPerEpoch = _batches.PerEpoch;
        Fingerprint = TrainingFingerprint.Of(examples, options);
        Parameters = encoder.Model.parameters().Where(p => p.requires_grad).Concat(encoder.Projection?.parameters() ?? []).ToList();
        SavedModules = encoder.Projection is null ? [("", encoder.Model)] : [("", encoder.Model), ("2_Dense.", encoder.Projection)];
        if (parallel is { } par && par.ExtraDevices.Count > 0)
        {
            if (options.GradCacheChunk > 0)
                throw new ArgumentException("grad_cache_chunk and several devices together are not supported yet; use one of them.");
            if (options.LengthBucket > 0)
                throw new ArgumentException("length_bucket and several devices together are not supported yet; use one of them.");
            if (encoder.Model.Lora is not null)
                throw new ArgumentException("lora and several devices together are not supported yet; train the adapter on one device.");
            _replicas = new DataParallel(encoder, par.ExtraDevices, par.ModelDirectory);
        }
        if (group is not null)
        {
            if (options.GradCacheChunk > 0)
                throw new ArgumentException($"grad_cache_chunk and several processes ({group.Launch}) together are not supported yet; use one of them.");
            if (_replicas is not null)
                throw new ArgumentException("--devices (replicas in one process) and several processes together are not supported; give each process one device.");
            _group = group;
        }
        if (_loss.Guide is { } guide)
        {
            // The guide (GISTEmbed) is frozen and only scores: eval mode, no gradients, on the trained model's device.
            if (!File.Exists(Path.Combine(guide, "config.json")))
                throw new ArgumentException($"loss.guide {guide}: not a model folder (no config.json).");
            _guide = SentenceEncoder.Load(guide, DeviceSpec.Parse(encoder.Device.ToString()));
            _guide.Model.eval();
            foreach (var parameter in _guide.Model.parameters()) parameter.requires_grad = false;
        }
    }

    public IReadOnlyList<Parameter> Parameters { get; }
    public IReadOnlyList<(string Prefix, nn.Module Module)> SavedModules { get; }
    public int BatchesPerEpoch { get; }
    public TrainingFingerprint Fingerprint { get; }
    public string DivergenceAdvice => " or raise the temperature";
    public ProcessGroup? Processes => _group;

    public int BatchCount(int epoch) => Batches(epoch).Count;

    public void SetComputeType(ScalarType? computeType)
    {
        foreach (var replica in _replicas?.All.Skip(1) ?? []) replica.Model.ComputeType = computeType;
    }

    public MicroBatchResult Backward(int epoch, int batch, long microStep, double lossMultiplier)
    {
        var random = new SplitMix64(SplitMix64.Mix(_options.Seed ^ 0x5DEECE66DUL, (ulong)microStep));
        var records = Batches(epoch)[batch].Select(i => _examples[i]).ToList();
        var (queryPrefix, passagePrefix) = (_encoder.Settings.QueryInstruction, _encoder.Settings.PassageInstruction);
        var queries = records.Select(e => e.QueryText(queryPrefix)).ToList();
        var passages = new List<string>(records.Count * _options.GroupSize);
        var teacher = _loss.NeedsTeacherScores ? new List<float>(records.Count * _options.GroupSize) : null;
        foreach (var e in records)
            foreach (var (text, score) in Group(e, _options.GroupSize, random, _pool))
            {
                passages.Add(passagePrefix + text);
                teacher?.Add((float)score!.Value);
            }
        var keys = PassageKeys(passages);
        var teacherScores = teacher is null ? null : tensor(teacher.ToArray(), [records.Count, _options.GroupSize], device: _encoder.Device);
        var (guideQueries, guidePassages) = GuideEmbeddings(queries, passages);
        Tensor LossOf(Tensor q, Tensor p) => _loss.Compute(new ContrastiveBatch(q, p, _options.GroupSize, keys, teacherScores, guideQueries, guidePassages));
        Tensor qv, pv;
        double value;
        if (_options.GradCacheChunk > 0)
        {
            // Gradient caching: the whole batch's loss in the memory of one chunk (the same gradients as below).
            float cached;
            (cached, qv, pv) = GradCache.Backward(_encoder, queries, passages, (q, p) => LossOf(q, p).Times(lossMultiplier),
                _options.GradCacheChunk, _options.QueryMaxLength, _options.PassageMaxLength, TrainingLoop.Seed(_options.Seed, microStep + 1));
            value = cached * (float)(1 / lossMultiplier);
        }
        else if (_group is not null)
        {
            qv = AcrossProcesses(queries, 1, _options.QueryMaxLength);
            pv = AcrossProcesses(passages, _options.GroupSize, _options.PassageMaxLength);
            var loss = LossOf(qv, pv);
            value = (float)loss.to_type(ScalarType.Float64).item<double>();
            // A process whose slice is empty (a last batch smaller than the job) has no graph: its gradient is zero.
            if (double.IsFinite(value) && loss.requires_grad) loss.Times(lossMultiplier).backward();
        }
        else
        {
            qv = _replicas?.Forward(queries, _options.QueryMaxLength) ?? LengthBuckets.Forward(_encoder, queries, _options.QueryMaxLength, _options.LengthBucket);
            pv = _replicas?.Forward(passages, _options.PassageMaxLength) ?? LengthBuckets.Forward(_encoder, passages, _options.PassageMaxLength, _options.LengthBucket);
            var loss = LossOf(qv, pv);
            value = (float)loss.to_type(ScalarType.Float64).item<double>();
            if (double.IsFinite(value)) loss.Times(lossMultiplier).backward();
        }
        return new MicroBatchResult(value, records.Count, Scores(qv, pv, _options.GroupSize));
    }

    public void BeforeStep() => _replicas?.ReduceGradients();

    public void AfterStep(bool stepped) => _replicas?.Synchronize();

    public void Dispose()
    {
        _replicas?.Dispose();
        _guide?.Dispose();
    }

    /// <summary>
    /// The embeddings of all <paramref name="texts"/> (per record <paramref name="perRecord"/> of them, in record order): this
    /// process embeds its slice of the records (<see cref="Data.ShardSpec"/>), with its graph; the others' come gathered.
    /// </summary>
    private Tensor AcrossProcesses(IReadOnlyList<string> texts, int perRecord, int maxLength)
    {
        var group = _group!;
        var records = texts.Count / perRecord;
        var rows = Enumerable.Range(0, group.WorldSize).Select(r => new Data.ShardSpec(r, group.WorldSize).Range(records)).Select(x => (long)(x.To - x.From) * perRecord).ToList();
        var (from, to) = new Data.ShardSpec(group.Rank, group.WorldSize).Range(records);
        var slice = texts.Skip(from * perRecord).Take((to - from) * perRecord).ToList();
        var local = slice.Count > 0
            ? LengthBuckets.Forward(_encoder, slice, maxLength, _options.LengthBucket)
            : zeros(0, _encoder.Dimension, device: _encoder.Device);
        var all = group.AllGatherRows(local, rows);
        var before = rows.Take(group.Rank).Sum();
        var after = all.shape[0] - before - rows[group.Rank];
        return cat([all.narrow(0, 0, before), local.to(all.dtype), all.narrow(0, before + rows[group.Rank], after)], 0);
    }

    /// <summary>The guide model's embeddings of the batch's texts (its own tokenizer and lengths; no graph), or nulls without a guide.</summary>
    private (Tensor? Queries, Tensor? Passages) GuideEmbeddings(IReadOnlyList<string> queries, IReadOnlyList<string> passages)
    {
        if (_guide is null) return (null, null);
        using var noGrad = no_grad();
        return (LengthBuckets.Forward(_guide, queries, _options.QueryMaxLength, 0).detach(), LengthBuckets.Forward(_guide, passages, _options.PassageMaxLength, 0).detach());
    }

    private List<int[]> Batches(int epoch) => _batches.For(epoch);

    /// <summary>
    /// The positive (one of the record's positives) then GroupSize − 1 negatives: the record's own first, topped up from the
    /// pool; each with its teacher score when the record has them (null for a pool passage).
    /// </summary>
    internal static List<(string Text, double? Score)> Group(TrainingExample e, int groupSize, SplitMix64 random, IReadOnlyList<string> pool)
    {
        var p = random.NextInt(e.Pos.Count);
        var group = new List<(string, double?)>(groupSize) { (e.Pos[p], e.PosScores?[p]) };
        var negatives = Enumerable.Range(0, e.Neg.Count).ToList();
        random.Shuffle(negatives);
        var positives = e.Pos.ToHashSet(StringComparer.Ordinal);
        for (var i = 0; group.Count < groupSize; i++)
        {
            if (i < negatives.Count) { group.Add((e.Neg[negatives[i]], e.NegScores?[negatives[i]])); continue; }
            // Too few negatives: another record's positive (never one of this record's positives).
            var candidate = pool[random.NextInt(pool.Count)];
            if (!positives.Contains(candidate) || pool.Count <= positives.Count) group.Add((candidate, null));
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
