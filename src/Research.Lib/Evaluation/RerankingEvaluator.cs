using Research.Lib.Data;
using Research.Lib.Modeling;
using Research.Lib.Search;

namespace Research.Lib.Evaluation;

/// <summary>
/// A cross-encoder evaluated as the second stage of retrieval, as MTEB evaluates rerankers on retrieval tasks: each
/// query's top candidates from a first stage (BM25 or a bi-encoder) are scored pair by pair with the
/// <see cref="CrossEncoder"/> and re-ordered; documents past the first stage's top never enter the ranking, so recall at
/// that depth is the first stage's and the gain shows in nDCG@10, MRR@10 and MAP.
/// </summary>
public static class RerankingEvaluator
{
    /// <summary>The first stages a reranker evaluation names: <c>bm25</c>, or a bi-encoder folder.</summary>
    public const string Bm25 = "bm25";

    /// <param name="reranker">the cross-encoder</param>
    /// <param name="data">queries, corpus and judgments</param>
    /// <param name="firstStage">each query's candidates, best first (a query the first stage has no list for gets none)</param>
    /// <param name="top">candidates per query re-scored (the first stage's top)</param>
    /// <param name="batchSize">pairs per forward pass</param>
    /// <param name="progress">pairs scored so far</param>
    /// <returns>each query's top candidates ordered by the cross-encoder's logit (ties: the first stage's order)</returns>
    public static Dictionary<string, IReadOnlyList<ScoredDocument>> Rerank(CrossEncoder reranker, RetrievalDataset data,
        IReadOnlyDictionary<string, IReadOnlyList<ScoredDocument>> firstStage, int top = 100, int batchSize = 32, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(reranker);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(firstStage);
        if (top < 1) throw new ArgumentException($"rerank top {top}: expected at least 1 candidate per query.", nameof(top));
        var documents = data.Corpus.ToDictionary(d => d.Id, d => d.FullText, StringComparer.Ordinal);
        var lists = new List<(string Query, List<string> DocIds)>();
        var pairs = new List<(string, string)>();
        foreach (var query in data.Queries)
        {
            if (!firstStage.TryGetValue(query.Id, out var candidates)) continue;
            var ids = candidates.Take(top).Select(c => c.DocId).ToList();
            foreach (var id in ids)
                pairs.Add((query.Text, documents.TryGetValue(id, out var text) ? text
                    : throw new InvalidDataException($"first stage: document '{id}' (query '{query.Id}') is not in the corpus.")));
            lists.Add((query.Id, ids));
        }
        var scores = reranker.Predict(pairs, batchSize, progress);
        var run = new Dictionary<string, IReadOnlyList<ScoredDocument>>(StringComparer.Ordinal);
        var at = 0;
        foreach (var (queryId, ids) in lists)
        {
            var start = at;
            run[queryId] = ids.Select((id, j) => (Doc: new ScoredDocument(id, scores[start + j]), Rank: j))
                .OrderByDescending(x => x.Doc.Score).ThenBy(x => x.Rank).Select(x => x.Doc).ToList();
            at += ids.Count;
        }
        return run;
    }

    /// <summary>
    /// A training run's evaluation of a cross-encoder: the first stage's lists (computed once, before training) re-ranked
    /// every call; ndcg_at_10, mrr_at_10, map and main_score = ndcg_at_10.
    /// </summary>
    public static Func<CrossEncoder, IReadOnlyDictionary<string, double>> ForTraining(RetrievalDataset dev,
        IReadOnlyDictionary<string, IReadOnlyList<ScoredDocument>> firstStage, int top = 100)
    {
        ArgumentNullException.ThrowIfNull(dev);
        ArgumentNullException.ThrowIfNull(firstStage);
        return reranker =>
        {
            var result = RetrievalEvaluation.Evaluate(Rerank(reranker, dev, firstStage, top), dev.Qrels);
            return new Dictionary<string, double>(StringComparer.Ordinal)
            {
                ["ndcg_at_10"] = result["ndcg_at_10"],
                ["mrr_at_10"] = result["mrr_at_10"],
                ["map"] = result["map"],
                ["main_score"] = result[RetrievalEvaluator.MainScore],
            };
        };
    }

    /// <summary>The BM25 first stage over a data set: each query's top <paramref name="top"/> documents (English analyzer unless <paramref name="analyzer"/> says otherwise).</summary>
    public static Dictionary<string, IReadOnlyList<ScoredDocument>> Bm25FirstStage(RetrievalDataset data, int top = 100, Bm25Analyzer analyzer = Bm25Analyzer.English)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var index = Bm25Index.Build(data.Corpus.Select(d => (d.Id, d.FullText)), new Bm25Options { Analyzer = analyzer });
        return data.Queries.ToDictionary(q => q.Id, q => index.Search(q.Text, top), StringComparer.Ordinal);
    }
}
