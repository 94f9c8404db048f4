namespace Research.Lib.Modeling;

/// <summary>How token states become one sentence vector (the sentence-transformers pooling modes).</summary>
public enum PoolingMode
{
    /// <summary>The first token ([CLS] / &lt;s&gt;): bge and most retrieval models.</summary>
    Cls,

    /// <summary>The mean over real tokens (padding excluded): Sentence-BERT, text2vec, SimCSE-style models.</summary>
    Mean,

    /// <summary>The last real token: decoder-style embedding models.</summary>
    LastToken,
}
