namespace Research.Lib.Search;

/// <summary>A retrieved document and its score, as one line of a TREC run.</summary>
public readonly record struct ScoredDocument(string DocId, double Score);
