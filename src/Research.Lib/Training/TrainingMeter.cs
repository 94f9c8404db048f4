using System.Diagnostics;

namespace Research.Lib.Training;

/// <summary>
/// What the trainers average between two log lines — loss, the positive and negative score means, examples per second —
/// and the one way a log line is made from them (<see cref="Take"/> starts the next window). Shared by the supervised,
/// unsupervised and masked-language-model trainers so their logs mean the same thing.
/// </summary>
internal sealed class TrainingMeter
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private double _loss, _positive, _negative;
    private int _batches;
    private long _examples;

    /// <summary>One micro-batch: its loss, its two score means (0 where there is none), its number of examples.</summary>
    public void Add(double loss, double positive, double negative, int examples)
    {
        _loss += loss;
        _positive += positive;
        _negative += negative;
        _batches++;
        _examples += examples;
    }

    /// <summary>The log line for <paramref name="step"/>: means over the batches since the last line; the rate since training began.</summary>
    public TrainingLogEntry Take(long step, double epoch, double learningRate, double gradNorm)
    {
        var n = Math.Max(1, _batches);
        var entry = new TrainingLogEntry(step, epoch, _batches == 0 ? double.NaN : _loss / n, learningRate, gradNorm,
            _examples / Math.Max(1e-9, _watch.Elapsed.TotalSeconds), _positive / n, _negative / n);
        (_loss, _positive, _negative, _batches) = (0, 0, 0, 0);
        return entry;
    }

    /// <summary>
    /// Files a log line: evaluated first when an evaluation is due at this step (not the last: the trainers evaluate
    /// after the loop), else logged as it is.
    /// </summary>
    public static void Emit(TrainingLogEntry? entry, bool evaluationDue, Action<TrainingLogEntry?> evaluate, List<TrainingLogEntry> log, Action<TrainingLogEntry>? onLog)
    {
        if (evaluationDue)
            evaluate(entry);
        else if (entry is not null)
        {
            log.Add(entry);
            onLog?.Invoke(entry);
        }
    }
}
