namespace Research.Lib.Training;

/// <summary>
/// Linear warm-up from 0 to the peak rate over the warm-up steps, then linear decay to 0 or cosine decay to 0 at the
/// last step (transformers' get_linear_schedule_with_warmup / get_cosine_schedule_with_warmup).
/// </summary>
public static class LearningRateSchedule
{
    /// <param name="step">0-based optimizer step</param>
    /// <param name="totalSteps">optimizer steps in the run</param>
    /// <param name="warmupSteps">steps of linear warm-up</param>
    /// <param name="peak">the rate after warm-up</param>
    /// <param name="cosine">cosine decay instead of linear</param>
    public static double At(long step, long totalSteps, long warmupSteps, double peak, bool cosine)
    {
        if (step < warmupSteps) return peak * (step + 1) / warmupSteps;
        var progress = totalSteps <= warmupSteps ? 1.0 : (double)(step - warmupSteps) / (totalSteps - warmupSteps);
        progress = Math.Clamp(progress, 0, 1);
        return cosine ? peak * 0.5 * (1 + Math.Cos(Math.PI * progress)) : peak * (1 - progress);
    }
}
