namespace Research.Lib.Data;

/// <summary>
/// A retrieval evaluation set: queries, a corpus, and relevance judgments (qrels: query id -> document id ->
/// graded relevance; a judgment of 0 means judged not relevant). Built by <see cref="BeirReader"/> or
/// <see cref="QueryPassageEvalReader"/>.
/// </summary>
public sealed record RetrievalDataset(
    IReadOnlyList<EvalQuery> Queries,
    IReadOnlyList<CorpusDocument> Corpus,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Qrels);
