using System.Diagnostics;
using Research.Lib.Tensors;
using static TorchSharp.torch;

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
    private Tensor? _scores; // float64 (positive, negative) sums kept on the device, read at Take

    /// <summary>
    /// One micro-batch whose two score means are still on the device (a float64 pair): they are summed there and read once
    /// per log line, so a GPU step does not wait for them.
    /// </summary>
    public void Add(double loss, Tensor scores, int examples)
    {
        using (no_grad())
        {
            if (_scores is null) _scores = scores.detach().clone().DetachFromDisposeScope();
            else _scores.PlusInPlace(scores);
        }
        Add(loss, 0, 0, examples);
    }

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
        if (_scores is not null)
        {
            using var host = _scores.cpu();
            var sums = host.data<double>().ToArray();
            (_positive, _negative) = (_positive + sums[0], _negative + sums[1]);
            _scores.Dispose();
            _scores = null;
        }
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

    /// <summary>
    /// Whether an evaluation is due after <paramref name="step"/>: every <paramref name="every"/> steps and at the last step,
    /// when there is an evaluation callback. The last step's evaluation is filed with its log line (one line: loss and scores),
    /// before a checkpoint of that step is written.
    /// </summary>
    public static bool EvaluationDue(bool evaluates, long step, long totalSteps, int every) =>
        evaluates && (step == totalSteps || every > 0 && step % every == 0);

    /// <summary>After the loop: evaluates the last step if no evaluation of it is in the log (a run resumed at its end).</summary>
    public static void Finish(long step, bool evaluates, Action<TrainingLogEntry?> evaluate, List<TrainingLogEntry> log)
    {
        if (evaluates && !log.Any(e => e.Step == step && e.Eval is not null)) evaluate(null);
    }
}
