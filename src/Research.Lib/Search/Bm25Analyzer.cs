namespace Research.Lib.Search;

/// <summary>How BM25 splits text into terms.</summary>
public enum Bm25Analyzer
{
    /// <summary>Lucene's StandardAnalyzer without stop words: Unicode word breaking, lower-casing, no stemming.</summary>
    Standard,

    /// <summary>Lucene's EnglishAnalyzer: standard tokens, English stop words, possessive removal, Porter stemming.</summary>
    English,

    /// <summary>Lucene's CJKAnalyzer: overlapping bigrams of Chinese/Japanese/Korean characters (no dictionary needed), standard tokens otherwise.</summary>
    Cjk,
}
