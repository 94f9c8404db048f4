namespace Research.Lib.Training;

/// <summary>
/// Where a run stands: optimizer steps, batches consumed, the next epoch and batch, the log so far, and (float16
/// training) the loss scaler's scale and good-step count, and the run's <see cref="TrainingFingerprint"/> (its data and the
/// settings that shape its batches), which a resume must match.
/// </summary>
public sealed record TrainingState(long Step, long MicroSteps, int Epoch, int BatchInEpoch, IReadOnlyList<TrainingLogEntry> Log,
    double LossScale = 1, int LossScaleGoodSteps = 0, TrainingFingerprint? Fingerprint = null);
