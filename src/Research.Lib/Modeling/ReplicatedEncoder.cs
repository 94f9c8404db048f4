using Research.Lib.Devices;

namespace Research.Lib.Modeling;

/// <summary>
/// One <see cref="SentenceEncoder"/> replica per device in one process (the seed's many-GPU encoding): the texts are cut
/// into contiguous shards, one per replica, encoded on their own threads, and the vectors put back in input order.
/// In-process replicas rather than one process per device: .NET threads run TorchSharp calls truly in parallel (there
/// is no global interpreter lock to escape), the model is loaded once per device, and the results need no inter-process
/// gathering. With a single device it is the plain encoder with one more copy of the output.
/// </summary>
public sealed class ReplicatedEncoder : IEmbeddingEncoder, IDisposable
{
    private readonly SentenceEncoder[] _replicas;

    private ReplicatedEncoder(SentenceEncoder[] replicas) => _replicas = replicas;

    /// <summary>
    /// Loads the model folder once per device ("cpu", "cuda:0", "cuda:1", ...; a device may repeat); <paramref name="weights"/>
    /// as <see cref="SentenceEncoder.Load"/>'s (bf16 / fp16: inference-only replicas holding half-precision weights).
    /// </summary>
    public static ReplicatedEncoder Load(string directory, IReadOnlyList<DeviceSpec> devices, EncodePrecision weights = EncodePrecision.Float32)
    {
        ArgumentNullException.ThrowIfNull(devices);
        if (devices.Count == 0) throw new ArgumentException("--devices: give at least one device.");
        var replicas = new List<SentenceEncoder>();
        try
        {
            foreach (var device in devices) replicas.Add(SentenceEncoder.Load(directory, device, weights: weights));
        }
        catch
        {
            foreach (var r in replicas) r.Dispose();
            throw;
        }
        return new ReplicatedEncoder([.. replicas]);
    }

    /// <summary>Parses "cpu", "cuda:0,cuda:1", "cpu,cpu".</summary>
    public static IReadOnlyList<DeviceSpec> ParseDevices(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Any(p => p.Length == 0))
            throw new ArgumentException($"--devices '{text}': expected a comma-separated list of devices without empty entries, such as cuda:0,cuda:1.");
        return parts.Select(DeviceSpec.Parse).ToList(); // a device may appear twice: two replicas on one device (e.g. cpu,cpu in tests)
    }

    public int ReplicaCount => _replicas.Length;

    public int Dimension => _replicas[0].Dimension;

    public bool Normalizes => _replicas[0].Normalizes;

    public EmbeddingMatrix EncodeQueries(IReadOnlyList<string> texts, EncodeOptions? options = null) =>
        Run(texts, (encoder, part) => encoder.EncodeQueries(part, options is null ? null : options with { Progress = null }), options);

    public EmbeddingMatrix EncodePassages(IReadOnlyList<string> texts, EncodeOptions? options = null) =>
        Run(texts, (encoder, part) => encoder.EncodePassages(part, options is null ? null : options with { Progress = null }), options);

    private EmbeddingMatrix Run(IReadOnlyList<string> texts, Func<SentenceEncoder, IReadOnlyList<string>, EmbeddingMatrix> encode, EncodeOptions? options)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var n = _replicas.Length;
        var parts = Enumerable.Range(0, n).Select(i => new Data.ShardSpec(i, n).Range(texts.Count)).ToArray();
        var results = new EmbeddingMatrix[n];
        var tasks = Enumerable.Range(0, n).Select(i => Task.Run(() =>
        {
            var (from, to) = parts[i];
            results[i] = encode(_replicas[i], texts.Skip(from).Take(to - from).ToList());
        })).ToArray();
        Task.WaitAll(tasks);
        var data = new float[(long)texts.Count * Dimension];
        for (var i = 0; i < n; i++)
            results[i].Data.CopyTo(data, (long)parts[i].From * Dimension);
        options?.Progress?.Report(texts.Count);
        return new EmbeddingMatrix(data, texts.Count, Dimension);
    }

    public void Dispose()
    {
        foreach (var r in _replicas) r.Dispose();
    }
}
