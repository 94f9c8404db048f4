using Research.Lib.Devices;
using Research.Lib.Modeling;

namespace Research.Lib.Evaluation;

/// <summary>
/// A model an <see cref="EvalSuite"/> evaluates: a model folder (loaded once for every task), <c>hashed</c> (the
/// model-free n-gram TF-IDF encoder, its idf fitted on each task's own texts, no labels), or <c>bm25</c> (lexical
/// retrieval and reranking only; it has no embedding to score STS or pair tasks with).
/// </summary>
public sealed class EvalSuiteModel : IDisposable
{
    private readonly IEmbeddingEncoder? _encoder;
    private readonly bool _owned;

    private EvalSuiteModel(string name, string spec, IEmbeddingEncoder? encoder, bool owned)
    {
        Name = name;
        Spec = spec;
        _encoder = encoder;
        _owned = owned;
    }

    /// <summary>The name results are filed under (a folder's name, or hashed / bm25).</summary>
    public string Name { get; }

    /// <summary>What the user named: a folder path, "hashed" or "bm25".</summary>
    public string Spec { get; }

    /// <summary>The loaded model, for a folder (or a wrapped <see cref="SentenceEncoder"/>); null for hashed and bm25.</summary>
    public SentenceEncoder? Encoder => _encoder as SentenceEncoder;

    public bool IsBm25 => _encoder is null && Spec == "bm25";

    public bool IsHashed => _encoder is null && Spec == "hashed";

    /// <summary>
    /// Loads a model folder, or names a baseline ("hashed", "bm25"); <paramref name="name"/> overrides the folder's name;
    /// <paramref name="weights"/> bf16 / fp16 holds the folder's weights in that type (evaluation never trains).
    /// </summary>
    public static EvalSuiteModel Load(string spec, DeviceSpec? device = null, string? name = null, EncodePrecision weights = EncodePrecision.Float32)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(spec);
        if (spec is "hashed" or "bm25") return new EvalSuiteModel(name ?? spec, spec, null, false);
        if (!Directory.Exists(spec))
            throw new DirectoryNotFoundException($"--model {spec}: no such model folder (or name the baselines 'hashed' or 'bm25').");
        return new EvalSuiteModel(name ?? EvaluationNaming.Model(spec), spec, SentenceEncoder.Load(spec, device, weights: weights), true);
    }

    /// <summary>An encoder already in memory (a notebook's model, a test's fixed vectors), filed under <paramref name="name"/>; the caller keeps ownership.</summary>
    public static EvalSuiteModel Wrap(string name, IEmbeddingEncoder encoder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(encoder);
        return new EvalSuiteModel(name, name, encoder, false);
    }

    /// <summary>Whether the model can be evaluated on a task type (bm25: retrieval and reranking only).</summary>
    public bool Supports(EvalTaskType type) => !IsBm25 || type is EvalTaskType.Retrieval or EvalTaskType.Reranking;

    /// <summary>The encoder for a task: the loaded model, or the hashed encoder fitted on the task's texts.</summary>
    public IEmbeddingEncoder EncoderFor(IEnumerable<string> taskTexts) =>
        _encoder ?? (IsHashed ? HashedNgramEncoder.Fit(taskTexts) : throw new InvalidOperationException("bm25 has no embedding encoder."));

    public void Dispose()
    {
        if (_owned) (_encoder as IDisposable)?.Dispose();
    }
}
