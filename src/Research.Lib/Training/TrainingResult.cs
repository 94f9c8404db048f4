namespace Research.Lib.Training;

/// <summary>What a run did: its log, the optimizer steps taken, and the best evaluation (step and metrics) when evaluated.</summary>
public sealed record TrainingResult(IReadOnlyList<TrainingLogEntry> Log, long Steps, long? BestStep, IReadOnlyDictionary<string, double>? BestEval);
