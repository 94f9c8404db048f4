using Research.Lib.Devices;
using Research.Lib.Modeling;

namespace Research.Lib.Evaluation;

/// <summary>
/// A model an <see cref="EvalSuite"/> evaluates: a model folder (loaded once for every task), <c>hashed</c> (the
/// model-free n-gram TF-IDF encoder, its idf fitted on each task's own texts, no labels), or <c>bm25</c> (lexical
/// retrieval and reranking only; it has no embedding to score STS or pair tasks with). A cross-encoder folder (a
/// reranker, <see cref="CrossEncoder"/>) is evaluated on retrieval tasks as the second stage over a first stage's top
/// candidates (<see cref="FirstStage"/>, BM25 by default; <see cref="RerankTop"/>) and on reranking tasks directly.
/// </summary>
public sealed class EvalSuiteModel : IDisposable
{
    private readonly IEmbeddingEncoder? _encoder;
    private readonly bool _owned;

    private EvalSuiteModel(string name, string spec, IEmbeddingEncoder? encoder, bool owned, CrossEncoder? reranker = null, EvalSuiteModel? firstStage = null, int rerankTop = 100)
    {
        Name = name;
        Spec = spec;
        _encoder = encoder;
        _owned = owned;
        Reranker = reranker;
        FirstStage = firstStage;
        RerankTop = rerankTop;
    }

    /// <summary>The cross-encoder, when the folder is a reranker.</summary>
    public CrossEncoder? Reranker { get; }

    /// <summary>A reranker's first stage on retrieval tasks (bm25 or a bi-encoder folder); null for other models.</summary>
    public EvalSuiteModel? FirstStage { get; }

    /// <summary>A reranker's candidates per query on retrieval tasks: the first stage's top this many.</summary>
    public int RerankTop { get; }

    /// <summary>The name results are filed under (a folder's name, or hashed / bm25).</summary>
    public string Name { get; }

    /// <summary>What the user named: a folder path, "hashed" or "bm25".</summary>
    public string Spec { get; }

    /// <summary>The loaded model, for a folder (or a wrapped <see cref="SentenceEncoder"/>); null for hashed and bm25.</summary>
    public SentenceEncoder? Encoder => _encoder as SentenceEncoder;

    public bool IsBm25 => _encoder is null && Reranker is null && Spec == "bm25";

    public bool IsHashed => _encoder is null && Reranker is null && Spec == "hashed";

    /// <summary>
    /// Loads a model folder, or names a baseline ("hashed", "bm25"); <paramref name="name"/> overrides the folder's name;
    /// <paramref name="weights"/> bf16 / fp16 holds the folder's weights in that type (evaluation never trains). A
    /// cross-encoder folder re-ranks <paramref name="firstStage"/>'s top <paramref name="rerankTop"/> (bm25 or a
    /// bi-encoder folder; default bm25); for other models those two must be left out.
    /// </summary>
    public static EvalSuiteModel Load(string spec, DeviceSpec? device = null, string? name = null, EncodePrecision weights = EncodePrecision.Float32,
        string? firstStage = null, int? rerankTop = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(spec);
        var isReranker = Directory.Exists(spec) && CrossEncoder.IsCrossEncoderFolder(spec);
        if (!isReranker && (firstStage is not null || rerankTop is not null))
            throw new ArgumentException($"{(firstStage is not null ? "--first-stage" : "--rerank-top")}: {spec} is not a cross-encoder (reranker) folder; only a reranker re-ranks a first stage.");
        if (spec is "hashed" or "bm25") return new EvalSuiteModel(name ?? spec, spec, null, false);
        if (!Directory.Exists(spec))
            throw new DirectoryNotFoundException($"--model {spec}: no such model folder (or name the baselines 'hashed' or 'bm25').");
        if (!isReranker) return new EvalSuiteModel(name ?? EvaluationNaming.Model(spec), spec, SentenceEncoder.Load(spec, device, weights: weights), true);
        var top = rerankTop ?? 100;
        if (top < 1) throw new ArgumentException($"--rerank-top {top}: expected at least 1 candidate per query.");
        var stageSpec = firstStage ?? RerankingEvaluator.Bm25;
        if (stageSpec == "hashed" || (Directory.Exists(stageSpec) && CrossEncoder.IsCrossEncoderFolder(stageSpec)))
            throw new ArgumentException($"--first-stage {stageSpec}: expected bm25 or a bi-encoder (embedding model) folder.");
        var stage = Load(stageSpec, device, weights: weights);
        try
        {
            return new EvalSuiteModel(name ?? EvaluationNaming.Model(spec), spec, null, true, CrossEncoder.Load(spec, device), stage, top);
        }
        catch
        {
            stage.Dispose();
            throw;
        }
    }

    /// <summary>An encoder already in memory (a notebook's model, a test's fixed vectors), filed under <paramref name="name"/>; the caller keeps ownership.</summary>
    public static EvalSuiteModel Wrap(string name, IEmbeddingEncoder encoder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(encoder);
        return new EvalSuiteModel(name, name, encoder, false);
    }

    /// <summary>Whether the model can be evaluated on a task type (bm25 and rerankers: retrieval and reranking only).</summary>
    public bool Supports(EvalTaskType type) => (!IsBm25 && Reranker is null) || type is EvalTaskType.Retrieval or EvalTaskType.Reranking;

    /// <summary>The encoder for a task: the loaded model, or the hashed encoder fitted on the task's texts.</summary>
    public IEmbeddingEncoder EncoderFor(IEnumerable<string> taskTexts) =>
        _encoder ?? (IsHashed ? HashedNgramEncoder.Fit(taskTexts) : throw new InvalidOperationException($"{Spec} has no embedding encoder."));

    public void Dispose()
    {
        if (!_owned) return;
        (_encoder as IDisposable)?.Dispose();
        Reranker?.Dispose();
        FirstStage?.Dispose();
    }
}
