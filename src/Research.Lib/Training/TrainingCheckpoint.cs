using System.Text.Json;
using Research.Lib.IO;
using Research.Lib.Modeling;
using static TorchSharp.torch;

namespace Research.Lib.Training;

/// <summary>
/// A resumable checkpoint, written as one folder (<see cref="AtomicDirectory"/>): the model (a complete Hugging Face +
/// sentence-transformers folder, so a checkpoint is also a usable model), the optimizer's state (AdamW moments and step
/// counts, <c>optimizer.safetensors</c>, see <see cref="FlatAdamW"/>) and the position and log (<c>trainer_state.json</c>). The random draws of a run are
/// seeded by position, so no generator state needs saving.
/// </summary>
public static class TrainingCheckpoint
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The best evaluation's weights so far (keep_best), beside the checkpoint's model.</summary>
    public const string BestWeightsFile = "best_weights.safetensors";

    /// <param name="directory">the checkpoint folder (replaced whole)</param>
    /// <param name="encoder">the model</param>
    /// <param name="optimizer">its optimizer</param>
    /// <param name="state">position, log, scaler, fingerprint</param>
    /// <param name="bestWeights">keep_best's weights so far, or null</param>
    /// <param name="alsoSave">writes what else the folder needs (the objective's files) into the folder being built</param>
    public static void Save(string directory, SentenceEncoder encoder, FlatAdamW optimizer, TrainingState state, IReadOnlyDictionary<string, Tensor>? bestWeights = null, Action<string>? alsoSave = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(optimizer);
        AtomicDirectory.Write(directory, dir =>
        {
            encoder.Save(dir);
            optimizer.Save(Path.Combine(dir, "optimizer.safetensors"));
            if (bestWeights is not null) Safetensors.Write(Path.Combine(dir, BestWeightsFile), bestWeights);
            alsoSave?.Invoke(dir);
            AtomicFile.WriteAllText(Path.Combine(dir, "trainer_state.json"), JsonSerializer.Serialize(state, Json) + "\n");
        });
    }

    /// <summary>The best weights a checkpoint carries (keep_best), or null.</summary>
    public static Dictionary<string, Tensor>? LoadBestWeights(string directory)
    {
        var path = Path.Combine(directory, BestWeightsFile);
        return File.Exists(path) ? Safetensors.Read(path) : null;
    }

    /// <summary>Loads the optimizer's state into <paramref name="optimizer"/> and returns the position; the model comes from <c>SentenceEncoder.Load(directory)</c>.</summary>
    public static TrainingState Load(string directory, FlatAdamW optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var statePath = Path.Combine(directory, "trainer_state.json");
        var optimizerPath = Path.Combine(directory, "optimizer.safetensors");
        if (File.Exists(statePath) && !File.Exists(optimizerPath) && File.Exists(Path.Combine(directory, "optimizer.bin")))
            throw new InvalidDataException($"{directory}: a checkpoint from before the flat AdamW (optimizer.bin, per-parameter state); it cannot be resumed by this version: start the run again (its model folder still loads).");
        if (!File.Exists(statePath) || !File.Exists(optimizerPath))
            throw new FileNotFoundException($"{directory}: not a training checkpoint (trainer_state.json and optimizer.safetensors expected).", statePath);
        optimizer.Load(optimizerPath);
        try
        {
            return JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(statePath), Json)
                ?? throw new InvalidDataException($"{statePath}: empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{statePath}: not a valid trainer state ({e.Message}).", e);
        }
    }
}
