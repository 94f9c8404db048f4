namespace Research.Lib.Evaluation;

/// <summary>The kinds of task <see cref="EvalSuite"/> runs, named as MTEB names its task types.</summary>
public enum EvalTaskType
{
    /// <summary>Queries against a corpus (BEIR folder, or the seed's query/pos_passage JSONL with a neg_passage file): nDCG@10.</summary>
    Retrieval,

    /// <summary>Each query's own candidates (FlagEmbedding's query/pos/neg JSONL) ranked by similarity: MAP.</summary>
    Reranking,

    /// <summary>Scored sentence pairs (sentence1 TAB sentence2 TAB score): cosine Spearman.</summary>
    STS,

    /// <summary>Labelled sentence pairs (sentence1 TAB sentence2 TAB 0|1): max AP over the similarity functions.</summary>
    PairClassification,
}
