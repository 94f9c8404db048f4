using Research.Lib.Modeling;

namespace Research.Lib.Search;

/// <summary>What every index checks before it takes vectors: matching counts, finite values, unique ids.</summary>
internal static class VectorIndexInput
{
    public static void Validate(EmbeddingMatrix vectors, IReadOnlyList<long> ids, int dimension)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(ids);
        if (vectors.Dimension != dimension) throw new ArgumentException($"Vectors have dimension {vectors.Dimension}; the index has {dimension}.");
        if (ids.Count != vectors.Rows) throw new ArgumentException($"{ids.Count} ids for {vectors.Rows} vectors.");
        if (vectors.FirstNonFinite() is { } bad)
            throw new ArgumentException($"Vector {bad.Row} has a non-finite value (NaN or infinity) at column {bad.Column}; an index cannot rank it.");
        var seen = new HashSet<long>();
        for (var i = 0; i < ids.Count; i++)
            if (!seen.Add(ids[i])) throw new ArgumentException($"Id {ids[i]} appears twice (rows {IndexOf(ids, ids[i])} and {i}); ids must be unique.");
    }

    private static int IndexOf(IReadOnlyList<long> ids, long id)
    {
        for (var i = 0; i < ids.Count; i++) if (ids[i] == id) return i;
        return -1;
    }
}
