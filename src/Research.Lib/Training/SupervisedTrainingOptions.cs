using System.Text.Json.Serialization;
using Research.Lib.Losses;

namespace Research.Lib.Training;

/// <summary>
/// Settings of <see cref="SupervisedTrainer"/>. Defaults follow FlagEmbedding's fine-tuning recipe where it has one
/// (learning rate 1e-5, temperature 0.02, warm-up 10%, train_group_size 8, linear decay, weight decay 0.01 as AdamW's
/// usual value, gradient clipping at norm 1 as transformers' Trainer), and are small enough for a CPU run. Errors name
/// the settings as the JSON configuration spells them (snake_case).
/// </summary>
public sealed record SupervisedTrainingOptions : OptimizationOptions
{
    public SupervisedTrainingOptions()
    {
        WarmupRatio = 0.1;
        WeightDecay = 0.01;
    }

    /// <summary>
    /// The loss: a name (<see cref="ContrastiveLosses"/>: info_nce (default), margin_scale, cosent, triplet or
    /// distillation, which needs pos_scores / neg_scores; ignoring case and underscores, so "InfoNce" works too) whose
    /// numbers are the top-level settings below, or an object with its own (<see cref="LossSpec"/>).
    /// </summary>
    public LossSpec Loss { get; init; } = ContrastiveLosses.InfoNce;
    public InfoNceOptions InfoNce { get; init; } = new();
    /// <summary>margin_scale: margin and scale (PaddleNLP defaults 0.3 and 30).</summary>
    public double Margin { get; init; } = 0.3;
    public double MarginScale { get; init; } = 30;
    /// <summary>cosent: its scale (sentence-transformers' 20).</summary>
    public double CosentScale { get; init; } = 20;
    /// <summary>triplet: the distance and margin (sentence-transformers' Euclidean, 5).</summary>
    public TripletDistance TripletDistance { get; init; } = TripletDistance.Euclidean;
    public double TripletMargin { get; init; } = 5;
    /// <summary>distillation: divides the teacher's scores (1: as given); the student's cosines are divided by info_nce.temperature.</summary>
    public double TeacherTemperature { get; init; } = 1;
    /// <summary>Matryoshka: the loss is also applied to the embeddings cut to each of these sizes (e.g. [384, 256, 128, 64]); null: off.</summary>
    public int[]? MatryoshkaDimensions { get; init; }
    /// <summary>Matryoshka: one weight per size (null: 1 each).</summary>
    public double[]? MatryoshkaWeights { get; init; }
    /// <summary>Passages per query: 1 positive + (GroupSize − 1) hard negatives, FlagEmbedding's train_group_size.</summary>
    public int GroupSize { get; init; } = 8;
    public int QueryMaxLength { get; init; } = 64;
    public int PassageMaxLength { get; init; } = 256;

    /// <summary>GradCache chunk size (0: off): the batch's loss computed in the memory of this many texts at a time.</summary>
    public int GradCacheChunk { get; init; }

    /// <summary>
    /// Length buckets: the batch's texts are embedded in groups of this many of similar token length, each padded only to
    /// its own longest, and the vectors put back in batch order. The batch, the loss and the gradients are the same (up
    /// to float rounding; dropout draws differ with the shapes); the padding is not computed: on passages of uneven length
    /// (financial-qa-10K contexts: median 27 words, longest 787) a step costs a third. 0: off. The default,
    /// <see cref="AutoLengthBucket"/> (<c>"auto"</c> in a config), buckets of 16 for each list of texts (the queries, the
    /// passages) whose lengths vary — padding would be at least a fifth of its padded tokens — and one pass otherwise;
    /// off with grad_cache_chunk or several devices. A number is not allowed with those two.
    /// </summary>
    [JsonConverter(typeof(LengthBucketJsonConverter))]
    public int LengthBucket { get; init; } = AutoLengthBucket;

    /// <summary><see cref="LengthBucket"/>'s default: buckets of 16 where a list's lengths vary (<c>"auto"</c> in a config).</summary>
    public const int AutoLengthBucket = -1;

    /// <summary>
    /// Every batch from records of one <c>type</c> (the records without one form one more group), the batches of all
    /// types shuffled together: FlagEmbedding's same_dataset_within_batch, sentence-transformers' proportional
    /// multi-dataset batch sampler. For a file that mixes tasks (retrieval, STS, classification…), where another task's
    /// passage is a negative too easy to teach anything. Each type needs at least 2 records.
    /// </summary>
    public bool SameTypeWithinBatch { get; init; }

    /// <summary>The loss these options name, with its settings (a new object each call).</summary>
    public IContrastiveLoss CreateLoss() => Loss.Create(new LossSettings
    {
        InfoNce = InfoNce,
        Margin = Margin,
        MarginScale = MarginScale,
        CosentScale = CosentScale,
        TripletDistance = TripletDistance,
        TripletMargin = TripletMargin,
        TeacherTemperature = TeacherTemperature,
        MatryoshkaDimensions = MatryoshkaDimensions,
        MatryoshkaWeights = MatryoshkaWeights,
    });

    public override void Validate()
    {
        OptionChecks.Positive("info_nce.temperature", InfoNce.Temperature); // before the finite check, which would name its inverse (scale) first
        base.Validate();
        OptionChecks.Positive("group_size", GroupSize);
        OptionChecks.AtLeast("grad_cache_chunk", GradCacheChunk, 0, "0 (off) or a number of texts");
        OptionChecks.AtLeast("query_max_length", QueryMaxLength, 3, "at least 3 (two special tokens and a word)");
        OptionChecks.AtLeast("passage_max_length", PassageMaxLength, 3, "at least 3 (two special tokens and a word)");
        if (LengthBucket < AutoLengthBucket) throw new ArgumentException($"length_bucket {LengthBucket}: expected \"auto\", 0 (off) or a number of texts.");
        if (LengthBucket > 0 && GradCacheChunk > 0) throw new ArgumentException("length_bucket and grad_cache_chunk together are not supported: use one of them.");
        CreateLoss().Check(BatchSize, GroupSize);
    }
}
