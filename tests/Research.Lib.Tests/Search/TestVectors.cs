using Research.Lib.Modeling;

namespace Research.Lib.Tests.Search;

/// <summary>Seeded vectors for the search tests.</summary>
internal static class TestVectors
{
    /// <summary>Coordinates uniform in [-0.5, 0.5).</summary>
    public static EmbeddingMatrix Random(int rows, int dim, int seed)
    {
        var rng = new Random(seed);
        return new EmbeddingMatrix(Enumerable.Range(0, rows * dim).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray(), rows, dim);
    }

    /// <summary>The same vectors scaled to unit length (inner product = cosine).</summary>
    public static EmbeddingMatrix Unit(int rows, int dim, int seed)
    {
        var m = Random(rows, dim, seed);
        for (var r = 0; r < rows; r++)
        {
            var row = m.Data.AsSpan(r * dim, dim);
            var norm = MathF.Sqrt(row.ToArray().Sum(v => v * v));
            for (var d = 0; d < dim; d++) row[d] /= norm;
        }
        return m;
    }

    /// <summary>Ids 1000, 1001, ... (distinct from row numbers, so a test notices ids that were not kept).</summary>
    public static long[] Ids(int n) => Enumerable.Range(0, n).Select(i => 1000L + i).ToArray();
}
