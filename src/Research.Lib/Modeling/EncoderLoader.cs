using Research.Lib.Devices;

namespace Research.Lib.Modeling;

/// <summary>
/// The one way the kit turns what a user names into an encoder: a model folder (on one device, or replicated over
/// several), or <c>hashed</c>, the model-free n-gram TF-IDF encoder fitted on the texts it will encode. The CLI, the
/// notebooks and the experiment runner load encoders through it.
/// </summary>
public static class EncoderLoader
{
    /// <summary>The name of the model-free hashed n-gram encoder.</summary>
    public const string Hashed = "hashed";

    /// <param name="model">a model folder, or <see cref="Hashed"/></param>
    /// <param name="device">the device of a single encoder</param>
    /// <param name="devices">several devices (one replica each; overrides <paramref name="device"/>), or null</param>
    /// <param name="weights">bf16 / fp16 load the folder's weights in that type (inference only); the hashed encoder has none</param>
    /// <param name="fitTexts">the hashed encoder's idf corpus (called only for it)</param>
    /// <returns>the encoder; dispose it when it is <see cref="IDisposable"/></returns>
    public static IEmbeddingEncoder Load(string model, DeviceSpec device, IReadOnlyList<DeviceSpec>? devices = null,
        EncodePrecision weights = EncodePrecision.Float32, Func<IEnumerable<string>>? fitTexts = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        if (model == Hashed)
        {
            if (weights != EncodePrecision.Float32)
                throw new ArgumentException($"precision {weights}: the hashed encoder has no weights to hold in half precision; it takes only fp32.");
            return HashedNgramEncoder.Fit(fitTexts?.Invoke() ?? throw new ArgumentException("The hashed encoder is fitted on the texts it encodes; none were given."));
        }
        return devices is { Count: > 1 } || devices is { Count: 1 } && devices[0] != device
            ? ReplicatedEncoder.Load(model, devices, weights)
            : SentenceEncoder.Load(model, device, weights: weights);
    }
}
