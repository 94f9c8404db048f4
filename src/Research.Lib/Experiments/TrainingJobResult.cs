using Research.Lib.Training;

namespace Research.Lib.Experiments;

/// <summary>
/// What a <see cref="TrainingJob"/> did: the run, the number of records or sentences it trained on, whether the saved model
/// is the best evaluation's, and in a multi-process job which process this was (only rank 0 writes the run folder).
/// </summary>
public sealed record TrainingJobResult(TrainingResult Result, int Records, bool KeptBest, Devices.LaunchEnvironment? Launch = null)
{
    /// <summary>The closing line <c>research train</c> prints.</summary>
    public string Summary(string method, string outDir)
    {
        var what = method switch
        {
            "supervised" => $"{Result.Steps} steps on {Records} records",
            "reranker" => $"reranker: {Result.Steps} steps on {Records} records",
            _ => $"{method}: {Result.Steps} steps on {Records} sentences",
        };
        var best = Result.BestEval is { } b
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"; best main_score {TrainingLoop.MainScore(b):0.0000} at step {Result.BestStep}")
              + (method == "supervised" ? "" : KeptBest ? " (kept)" : " (the model is the last step's)")
            : "";
        var stopped = Result.StoppedEarly ? $"; stopped early (patience) after step {Result.Steps}" : "";
        if (Launch is { Rank: > 0 } l) return $"{l}: {what}, the batches shared with the other processes; rank 0 wrote {outDir}{stopped}";
        var processes = Launch is { } m ? $" ({m.WorldSize} processes)" : "";
        return $"{what}{processes} -> {outDir}{best}{stopped}";
    }
}
