namespace Research.Lib.Training;

/// <summary>Where a run stands: optimizer steps, batches consumed, the next epoch and batch, and the log so far.</summary>
public sealed record TrainingState(long Step, long MicroSteps, int Epoch, int BatchInEpoch, IReadOnlyList<TrainingLogEntry> Log);
