using Research.Lib.Data;
using Research.Lib.Modeling;
using Research.Lib.Tensors;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Research.Lib.Training;

/// <summary>
/// Cross-encoder training as an <see cref="ITrainingObjective"/>: per epoch a seeded, duplicate-free batch order; per
/// batch each query's group (one of its positives, group_size − 1 of its hard negatives, topped up with other records'
/// positives), every (query, passage) pair scored by the <see cref="CrossEncoder"/>, and the listwise or binary
/// cross-entropy loss (<see cref="RerankerTrainingOptions.Loss"/>). Queries carry the record's prompt when it has one.
/// </summary>
public sealed class RerankerObjective : ITrainingObjective
{
    private readonly CrossEncoder _model;
    private readonly IReadOnlyList<TrainingExample> _examples;
    private readonly RerankerTrainingOptions _options;
    private readonly List<string> _pool;
    private readonly EpochBatches _batches;

    public RerankerObjective(CrossEncoder model, IReadOnlyList<TrainingExample> examples, RerankerTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckData(examples, options, "the training data");
        (_model, _examples, _options) = (model, examples, options);
        _pool = examples.SelectMany(e => e.Pos).Distinct(StringComparer.Ordinal).ToList();
        _batches = new EpochBatches(examples, options.BatchSize, options.Seed);
        BatchesPerEpoch = _batches.PerEpoch;
        Fingerprint = TrainingFingerprint.Of(examples.SelectMany(e => new[] { e.Prompt ?? "", e.Query }.Concat(e.Pos).Append("\u0001").Concat(e.Neg).Append("\u0002")), options,
            ("method", "reranker"), ("loss", options.Loss), ("group_size", options.GroupSize), ("max_length", model.MaxLength));
        Parameters = model.Encoder.Model.parameters().Where(p => p.requires_grad).Concat(model.Head.parameters()).ToList();
        SavedModules = [("", model.Encoder.Model), ("head.", model.Head)];
    }

    public IReadOnlyList<Parameter> Parameters { get; }
    public IReadOnlyList<(string Prefix, nn.Module Module)> SavedModules { get; }
    public int BatchesPerEpoch { get; }
    public TrainingFingerprint Fingerprint { get; }

    public int BatchCount(int epoch) => Batches(epoch).Count;

    /// <summary>
    /// Refuses data a reranker cannot train on: fewer than 2 records, or fewer distinct passages than one group.
    /// <paramref name="source"/> names the data (e.g. "--data train.jsonl").
    /// </summary>
    public static void CheckData(IReadOnlyList<TrainingExample> examples, RerankerTrainingOptions options, string source)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(options);
        if (examples.Count < 2) throw new ArgumentException($"{source}: {examples.Count} training record{(examples.Count == 1 ? "" : "s")}; training needs at least 2.");
        var distinct = examples.SelectMany(e => e.Pos.Concat(e.Neg)).Distinct(StringComparer.Ordinal).Count();
        if (distinct < options.GroupSize)
            throw new ArgumentException($"group_size {options.GroupSize}: {source} has {distinct} distinct passages in all, fewer than one query's group (1 positive + {options.GroupSize - 1} negatives); lower group_size or mine more negatives.");
    }

    public MicroBatchResult Backward(int epoch, int batch, long microStep, double lossMultiplier)
    {
        var random = new SplitMix64(SplitMix64.Mix(_options.Seed ^ 0x5DEECE66DUL, (ulong)microStep));
        var records = Batches(epoch)[batch].Select(i => _examples[i]).ToList();
        var group = _options.GroupSize;
        var pairs = new List<(string, string)>(records.Count * group);
        foreach (var e in records)
        {
            var query = e.QueryText("");
            foreach (var (text, _) in SupervisedObjective.Group(e, group, random, _pool)) pairs.Add((query, text));
        }
        var logits = _model.Forward(_model.Tokenize(pairs)).view(records.Count, group);      // (batch, group), positive first
        var loss = Loss(logits, _options.Loss);
        var value = (float)loss.to_type(ScalarType.Float64).item<double>();
        if (double.IsFinite(value)) loss.Times(lossMultiplier).backward();
        return new MicroBatchResult(value, records.Count, Scores(logits));
    }

    /// <summary>The loss of a (queries, group) logit matrix whose first column is each query's positive.</summary>
    public static Tensor Loss(Tensor logits, string kind)
    {
        ArgumentNullException.ThrowIfNull(logits);
        using var scope = NewDisposeScope();
        var result = kind switch
        {
            "listwise" => nn.functional.cross_entropy(logits, zeros(logits.shape[0], ScalarType.Int64, logits.device)),
            "bce" => nn.functional.binary_cross_entropy_with_logits(logits, zeros_like(logits).index_fill_(1, tensor(new long[] { 0 }, device: logits.device), Scalars.One)),
            _ => throw new ArgumentException($"reranker loss \"{kind}\": expected listwise or bce.", nameof(kind)),
        };
        return result.MoveToOuterDisposeScope();
    }

    public void SaveModelFiles(string directory) => _model.Save(directory);

    public void Dispose() { } // the model belongs to the caller

    /// <summary>The batch's mean positive logit and mean negative logit (float64 pair on the device), for the log's score columns.</summary>
    private static Tensor Scores(Tensor logits)
    {
        using var noGrad = no_grad();
        var pos = logits.select(1, 0).mean().to_type(ScalarType.Float64);
        var neg = logits.shape[1] > 1 ? logits.narrow(1, 1, logits.shape[1] - 1).mean().to_type(ScalarType.Float64) : zeros_like(pos);
        return stack([pos, neg]);
    }

    private List<int[]> Batches(int epoch) => _batches.For(epoch);
}
