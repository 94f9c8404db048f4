using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Research.Lib.Training;

/// <summary>
/// What one training method adds to <see cref="TrainingLoop"/> (the way a sentence-transformers loss adds to transformers'
/// Trainer): the parameters it trains, its batches, and the loss of one batch, back-propagated, with the scores its log
/// lines show. The loop owns everything else — precision, accumulation, clipping, loss scaling, the schedule, the
/// divergence guard, logging, evaluation with the best step kept, checkpoints and resume.
/// </summary>
public interface ITrainingObjective : IDisposable
{
    /// <summary>Every parameter the optimizer updates, in a fixed order (the encoder's first).</summary>
    IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The modules of the model a run saves (keep_best takes and puts back their weights), each with a key prefix.</summary>
    IReadOnlyList<(string Prefix, nn.Module Module)> SavedModules { get; }

    /// <summary>
    /// Modules trained but not saved with the model (a training-only head, a discriminator, a momentum encoder): the loop
    /// switches them to training and back, and a checkpoint holds their state (see <see cref="ExtraState"/>).
    /// </summary>
    IReadOnlyList<(string Prefix, nn.Module Module)> TrainingModules => [];

    /// <summary>Batches in an epoch, for the step count and the epoch shown in the log.</summary>
    int BatchesPerEpoch { get; }

    /// <summary>The batches of epoch <paramref name="epoch"/> (an objective may shuffle by a seed derived from it).</summary>
    int BatchCount(int epoch);

    /// <summary>Called when epoch <paramref name="epoch"/> starts from its first batch (not when a run resumes within it).</summary>
    void StartEpoch(int epoch) { }

    /// <summary>
    /// Batch <paramref name="batch"/> of epoch <paramref name="epoch"/>: computes the loss, back-propagates it multiplied by
    /// <paramref name="lossMultiplier"/> (the loss scale over the accumulation steps) when it is finite, and returns its
    /// value and monitors. <paramref name="microStep"/> counts the batches consumed over the whole run: every random draw of
    /// the batch is seeded from it, so a resumed run repeats the draws. Runs inside a dispose scope of the loop.
    /// </summary>
    MicroBatchResult Backward(int epoch, int batch, long microStep, double lossMultiplier);

    /// <summary>
    /// The processes of a multi-process job this objective trains with, or null for one process: the loop sums the
    /// gradients over them before every step, and only rank 0 evaluates (the others receive its main score), logs and
    /// writes checkpoints.
    /// </summary>
    Devices.ProcessGroup? Processes => null;

    /// <summary>Before the optimizer step (e.g. gradients of replicas summed onto the main device).</summary>
    void BeforeStep() { }

    /// <summary>After the optimizer step (<paramref name="stepped"/> false: a float16 overflow skipped it): momentum updates, queues, replica copies.</summary>
    void AfterStep(bool stepped) { }

    /// <summary>The compute type of the modules the objective runs besides the encoder (set by the loop as the encoder's).</summary>
    void SetComputeType(ScalarType? computeType) { }

    /// <summary>What a checkpoint of this run must share with a run resuming it: data and the settings that shape the batches.</summary>
    TrainingFingerprint Fingerprint { get; }

    /// <summary>Appended to the divergence message: what to change besides the learning rate (e.g. " or raise the temperature").</summary>
    string DivergenceAdvice => "";

    /// <summary>State a checkpoint must hold for an exact resume besides the model and optimizer (training modules, queues).</summary>
    IReadOnlyDictionary<string, Tensor> ExtraState() => TrainingLoop.StateOf(TrainingModules);

    /// <summary>Puts back what <see cref="ExtraState"/> returned.</summary>
    void LoadExtraState(IReadOnlyDictionary<string, Tensor> state) => TrainingLoop.LoadState(TrainingModules, state, "checkpoint");

    /// <summary>Files the model folder needs besides the encoder's own (e.g. a masked-language-model head), for checkpoints.</summary>
    void SaveModelFiles(string directory) { }
}
