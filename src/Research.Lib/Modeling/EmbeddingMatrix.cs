namespace Research.Lib.Modeling;

/// <summary>
/// Sentence embeddings as one row-major float32 block (rows × dimension): the layout Faiss and the exact
/// index take without copying.
/// </summary>
public sealed class EmbeddingMatrix
{
    public EmbeddingMatrix(float[] data, int rows, int dimension)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (rows < 0 || dimension <= 0 || data.LongLength != (long)rows * dimension)
            throw new ArgumentException($"EmbeddingMatrix: {data.LongLength} values do not make {rows} rows of dimension {dimension}.");
        Data = data;
        Rows = rows;
        Dimension = dimension;
    }

    public float[] Data { get; }
    public int Rows { get; }
    public int Dimension { get; }

    public ReadOnlySpan<float> Row(int index) => Data.AsSpan(checked(index * Dimension), Dimension);

    /// <summary>Dot product of two rows (cosine when the rows are L2-normalized).</summary>
    public float Dot(int a, int b)
    {
        var x = Row(a);
        var y = Row(b);
        var sum = 0f;
        for (var i = 0; i < x.Length; i++) sum += x[i] * y[i];
        return sum;
    }
}
