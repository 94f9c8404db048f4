namespace Research.Lib.Search;

/// <summary>An exact inner-product index: Faiss Flat when the shim is built, else the kit's TorchSharp <see cref="ExactIndex"/>.</summary>
public static class FlatIndex
{
    public static IVectorIndex Create(int dimension) =>
        FaissIndex.IsAvailable ? FaissIndex.Create(dimension, "Flat") : new ExactIndex(dimension);

    /// <summary>"Flat" as <see cref="Create(int)"/>; any other Faiss factory string (HNSW32, IVF1024,Flat) through Faiss.</summary>
    public static IVectorIndex Create(int dimension, string factory) =>
        factory == "Flat" ? Create(dimension) : FaissIndex.Create(dimension, factory);
}
