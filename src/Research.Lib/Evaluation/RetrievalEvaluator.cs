using Research.Lib.Data;
using Research.Lib.Modeling;
using Research.Lib.Search;

namespace Research.Lib.Evaluation;

/// <summary>
/// Dense retrieval evaluation: encodes the queries (with the model's query instruction) and the corpus (title +
/// text, passage instruction), searches exactly (inner product; cosine for normalized models) for the top
/// <c>topK</c>, scores with <see cref="RetrievalEvaluation"/>, and optionally writes the TREC run and qrels so
/// the figures can be re-checked with trec_eval. A ranking made elsewhere (BM25, another tool) is scored with
/// <see cref="RetrievalEvaluation.Evaluate"/> and <see cref="TrecFiles.ReadRun"/>.
/// </summary>
public static class RetrievalEvaluator
{
    public const string MainScore = "ndcg_at_10";

    public static (RetrievalResult Result, Dictionary<string, IReadOnlyList<ScoredDocument>> Run) Evaluate(
        IEmbeddingEncoder encoder, RetrievalDataset data, int topK = 1000, EncodeOptions? options = null,
        RetrievalEvaluationOptions? evaluation = null, string? runPath = null, string? qrelsPath = null, string runTag = "research")
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(data);
        var queryVectors = encoder.EncodeQueries(data.Queries.Select(q => q.Text).ToList(), options);
        var docVectors = encoder.EncodePassages(data.Corpus.Select(d => d.FullText).ToList(), options);
        var (indices, scores) = ExactSearch.TopK(queryVectors, docVectors, topK, (encoder as SentenceEncoder)?.Device);
        var run = new Dictionary<string, IReadOnlyList<ScoredDocument>>(StringComparer.Ordinal);
        for (var i = 0; i < data.Queries.Count; i++)
            run[data.Queries[i].Id] = indices[i].Select((d, j) => new ScoredDocument(data.Corpus[d].Id, scores[i][j])).ToList();
        if (runPath is not null) TrecFiles.WriteRun(runPath, run, runTag);
        if (qrelsPath is not null) TrecFiles.WriteQrels(qrelsPath, data.Qrels);
        return (RetrievalEvaluation.Evaluate(run, data.Qrels, evaluation), run);
    }
}
