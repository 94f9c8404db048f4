using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Research.Lib.Data;

namespace Research.Lib.Training;

/// <summary>
/// What a checkpoint must share with the run that resumes it: the training records (a SHA-256 over every query,
/// positive and negative, in order) and the settings that decide the batches, their order and the schedule. A resume
/// with other data or another batch size would continue a different run from the middle; <see cref="CheckResume"/>
/// refuses it, naming what differs.
/// </summary>
public sealed record TrainingFingerprint(string DataSha256, IReadOnlyDictionary<string, string> Settings)
{
    /// <summary>A supervised run's: its records (query, positives, negatives, in order) and its batch-shaping settings.</summary>
    public static TrainingFingerprint Of(IReadOnlyList<TrainingExample> examples, SupervisedTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(options);
        // With same_type_within_batch the records' types decide the batches too, so they are part of the data then.
        var types = options.SameTypeWithinBatch;
        return Of(examples.SelectMany(e => new[] { e.Query }.Concat(e.Pos).Append("\u0001").Concat(e.Neg).Append(types ? "\u0002" + e.Type : "\u0002")), options,
            ("group_size", options.GroupSize), ("same_type_within_batch", options.SameTypeWithinBatch), ("query_max_length", options.QueryMaxLength), ("passage_max_length", options.PassageMaxLength),
            ("length_bucket", options.LengthBucket), ("loss", options.Loss.ToString()));
    }

    /// <summary>
    /// Any run's: a SHA-256 over <paramref name="texts"/> (its data, in order), the shared settings that decide its batches
    /// and schedule (batch size, accumulation, epochs, max steps, seed, learning rate, warm-up, decay), and the method's own.
    /// </summary>
    public static TrainingFingerprint Of(IEnumerable<string> texts, OptimizationOptions options, params (string Name, object? Value)[] methodSettings)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(options);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var text in texts)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(text));
            sha.AppendData([0]);
        }
        static string S(object? v) => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "null";
        var settings = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["batch_size"] = S(options.BatchSize),
            ["gradient_accumulation"] = S(options.GradientAccumulation),
            ["epochs"] = S(options.Epochs),
            ["max_steps"] = S(options.MaxSteps),
            ["seed"] = S(options.Seed),
            ["learning_rate"] = S(options.LearningRate),
            ["warmup_ratio"] = S(options.WarmupRatio),
            ["cosine_decay"] = S(options.CosineDecay),
        };
        if (options.Dropout is { } dropout) settings["dropout"] = S(dropout); // only when set: checkpoints made before the option resume as before
        foreach (var (name, value) in methodSettings) settings[name] = S(value);
        return new TrainingFingerprint(Convert.ToHexStringLower(sha.GetHashAndReset()), settings);
    }

    /// <summary>Refuses to resume <paramref name="directory"/>'s checkpoint (made with <paramref name="saved"/>) in this run.</summary>
    public void CheckResume(TrainingFingerprint? saved, string directory)
    {
        if (saved is null)
            throw new InvalidDataException($"checkpoint {directory}: it records no fingerprint of its data and settings (made by an earlier version), so resuming it cannot be checked; start the run again.");
        var differences = Settings.Keys.Union(saved.Settings.Keys).Order(StringComparer.Ordinal)
            .Where(k => saved.Settings.GetValueOrDefault(k) != Settings.GetValueOrDefault(k))
            .Select(k => $"{k} {saved.Settings.GetValueOrDefault(k) ?? "(unset)"} in the checkpoint, {Settings.GetValueOrDefault(k) ?? "(unset)"} now")
            .ToList();
        if (saved.DataSha256 != DataSha256)
            differences.Insert(0, "other training data (the records' SHA-256 differs)");
        if (differences.Count > 0)
            throw new InvalidDataException($"checkpoint {directory} was made by another run: {string.Join("; ", differences)}. Resume with the data and settings it was made with, or start without resuming.");
    }
}
