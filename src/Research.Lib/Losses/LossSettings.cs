namespace Research.Lib.Losses;

/// <summary>
/// The numbers the named losses take (<see cref="ContrastiveLosses.Create"/>), each with sentence-transformers' or the
/// source recipe's default; a loss reads only its own.
/// </summary>
public sealed record LossSettings
{
    /// <summary>info_nce (and distillation's student temperature): temperature, in-batch negatives, symmetric term.</summary>
    public InfoNceOptions InfoNce { get; init; } = new();
    /// <summary>margin_scale: margin 0.3 and scale 30 (PaddleNLP).</summary>
    public double Margin { get; init; } = 0.3;
    public double MarginScale { get; init; } = 30;
    /// <summary>cosent: scale 20 (sentence-transformers' CoSENTLoss).</summary>
    public double CosentScale { get; init; } = 20;
    /// <summary>triplet: Euclidean distance with margin 5 (sentence-transformers' TripletLoss).</summary>
    public TripletDistance TripletDistance { get; init; } = TripletDistance.Euclidean;
    public double TripletMargin { get; init; } = 5;
    /// <summary>distillation: divides the teacher's scores (1: as given).</summary>
    public double TeacherTemperature { get; init; } = 1;
    /// <summary>Matryoshka sizes wrapping the loss (null: none), and their weights (null: 1 each).</summary>
    public IReadOnlyList<int>? MatryoshkaDimensions { get; init; }
    public IReadOnlyList<double>? MatryoshkaWeights { get; init; }
}
