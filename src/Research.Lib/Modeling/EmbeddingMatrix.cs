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

    /// <summary>Writes the matrix: <c>.npy</c> (NumPy) by extension, else <c>.f32</c> + <c>.f32.json</c> (see <see cref="IO.VectorFile"/>).</summary>
    public void Save(string path) => IO.VectorFile.Save(Data, Rows, Dimension, path);

    /// <summary>Reads a <c>.npy</c> file (recognized by content) or an <c>.f32</c> file with its shape file.</summary>
    public static EmbeddingMatrix Load(string path)
    {
        var (values, rows, dimension) = IO.VectorFile.Load(path);
        return new EmbeddingMatrix(values, rows, dimension);
    }

    /// <summary>The first row and column holding NaN or infinity, or null when every value is finite.</summary>
    public (int Row, int Column)? FirstNonFinite()
    {
        for (long i = 0; i < Data.LongLength; i++)
            if (!float.IsFinite(Data[i])) return ((int)(i / Dimension), (int)(i % Dimension));
        return null;
    }

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
