namespace Research.Lib.Modeling;

/// <summary>
/// Anything that turns texts into vectors: a trained <see cref="SentenceEncoder"/> or the model-free
/// <see cref="HashedNgramEncoder"/>. Queries and passages may be encoded differently (an instruction on queries).
/// </summary>
public interface IEmbeddingEncoder
{
    /// <summary>Length of the vectors.</summary>
    int Dimension { get; }

    /// <summary>Whether vectors are L2-normalized, so inner product is cosine.</summary>
    bool Normalizes { get; }

    EmbeddingMatrix EncodeQueries(IReadOnlyList<string> texts, EncodeOptions? options = null);

    EmbeddingMatrix EncodePassages(IReadOnlyList<string> texts, EncodeOptions? options = null);
}
