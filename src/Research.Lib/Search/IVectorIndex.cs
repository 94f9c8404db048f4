using Research.Lib.Modeling;

namespace Research.Lib.Search;

/// <summary>
/// A vector index: add vectors with ids, top-k search, range search (every neighbour past a threshold — what query
/// cleaning needs), save. Implemented by <see cref="FaissIndex"/> (Flat, HNSW, IVF, PQ by factory string) and
/// <see cref="ExactIndex"/> (TorchSharp, exact, CPU or CUDA). Results are ordered best first.
/// </summary>
public interface IVectorIndex : IDisposable
{
    int Dimension { get; }

    long Count { get; }

    VectorMetric Metric { get; }

    void Add(EmbeddingMatrix vectors, IReadOnlyList<long> ids);

    /// <summary>The k nearest neighbours of each query (fewer when the index holds fewer).</summary>
    VectorHit[][] Search(EmbeddingMatrix queries, int k);

    /// <summary>Every neighbour with inner product above <paramref name="threshold"/> (or L2 distance below it), best first.</summary>
    VectorHit[][] RangeSearch(EmbeddingMatrix queries, float threshold);

    void Save(string path);
}
