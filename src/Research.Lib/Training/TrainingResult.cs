namespace Research.Lib.Training;

/// <summary>What a run did: its log, the optimizer steps taken, the best evaluation (step and metrics) when evaluated,
/// and whether early stopping (patience) ended it before its last step.</summary>
public sealed record TrainingResult(IReadOnlyList<TrainingLogEntry> Log, long Steps, long? BestStep, IReadOnlyDictionary<string, double>? BestEval, bool StoppedEarly = false);
