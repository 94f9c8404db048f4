using Research.Lib.Modeling;
using Research.Lib.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Research.Lib.Search;

/// <summary>
/// Exact search with TorchSharp (blocked matmul + top-k, never a full n×m score matrix), on the CPU or a CUDA
/// device: the correctness oracle for approximate indexes, and the fallback where Faiss is not installed.
/// Saved as safetensors (<c>vectors</c>, <c>ids</c>).
/// </summary>
public sealed class ExactIndex : IVectorIndex
{
    private readonly List<float> _vectors = [];
    private readonly List<long> _ids = [];
    private readonly Device _device;
    private Tensor? _searchMatrix; // the vectors on the device as searched (augmented for L2); rebuilt after Add
    private Tensor? _rawMatrix;    // the vectors as they are, for L2 range search
    private readonly HashSet<long> _idSet = [];

    public ExactIndex(int dimension, VectorMetric metric = VectorMetric.InnerProduct, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        Dimension = dimension;
        Metric = metric;
        _device = device ?? CPU;
    }

    public int Dimension { get; }

    public long Count => _ids.Count;

    public VectorMetric Metric { get; }

    public void Add(EmbeddingMatrix vectors, IReadOnlyList<long> ids)
    {
        VectorIndexInput.Validate(vectors, ids, Dimension);
        foreach (var id in ids)
            if (_idSet.Contains(id)) throw new ArgumentException($"Id {id} is already in the index; ids must be unique.");
        _vectors.AddRange(vectors.Data);
        _ids.AddRange(ids);
        _idSet.UnionWith(ids);
        _searchMatrix?.Dispose();
        _searchMatrix = null;
        _rawMatrix?.Dispose();
        _rawMatrix = null;
    }

    public VectorHit[][] Search(EmbeddingMatrix queries, int k)
    {
        var (indices, scores) = TopK(queries, k);
        return indices.Select((row, q) => row.Select((d, j) => new VectorHit(_ids[d], Metric == VectorMetric.L2 ? -scores[q][j] : scores[q][j])).ToArray()).ToArray();
    }

    public VectorHit[][] RangeSearch(EmbeddingMatrix queries, float threshold)
    {
        ArgumentNullException.ThrowIfNull(queries);
        if (queries.Dimension != Dimension) throw new ArgumentException($"Query dimension {queries.Dimension} differs from the index's {Dimension}.");
        var result = new VectorHit[queries.Rows][];
        using var noGrad = no_grad();
        var all = RawMatrix();
        var block = Math.Max(1, (1 << 24) / Math.Max(1, _ids.Count)); // at most 16M scores (64 MiB) per block
        using var limit = threshold.ToScalar();
        for (var q0 = 0; q0 < queries.Rows; q0 += block)
        {
            using var scope = NewDisposeScope();
            var nq = Math.Min(block, queries.Rows - q0);
            var q = tensor(queries.Data.AsSpan(q0 * Dimension, nq * Dimension).ToArray(), [nq, Dimension], device: _device);
            var scores = Scores(q, all);                                            // (nq, docs): one query block at a time
            var keep = Metric == VectorMetric.InnerProduct ? scores.gt(limit) : scores.lt(limit);
            var hits = keep.nonzero().cpu().data<long>().ToArray();                 // (hits, 2) as pairs
            var values = scores.masked_select(keep).cpu().data<float>().ToArray();
            var perQuery = Enumerable.Range(0, nq).Select(_ => new List<VectorHit>()).ToArray();
            for (var h = 0; h < values.Length; h++)
                perQuery[hits[2 * h]].Add(new VectorHit(_ids[(int)hits[2 * h + 1]], values[h]));
            for (var r = 0; r < nq; r++)
                result[q0 + r] = [.. Metric == VectorMetric.InnerProduct ? perQuery[r].OrderByDescending(x => x.Score) : perQuery[r].OrderBy(x => x.Score)];
        }
        return result;
    }

    public void Save(string path)
    {
        using var vectors = tensor(_vectors.ToArray(), [_ids.Count, Dimension]);
        using var ids = tensor(_ids.ToArray(), [_ids.Count]);
        Safetensors.Write(path, new Dictionary<string, Tensor> { ["vectors"] = vectors, ["ids"] = ids },
            metadata: new Dictionary<string, string> { ["metric"] = Metric.ToString() });
    }

    public static ExactIndex Load(string path, Device? device = null)
    {
        var tensors = Safetensors.Read(path);
        try
        {
            var metric = Enum.Parse<VectorMetric>(Safetensors.ReadMetadata(path).GetValueOrDefault("metric", nameof(VectorMetric.InnerProduct)));
            if (!tensors.TryGetValue("vectors", out var vectors) || !tensors.TryGetValue("ids", out var ids) || vectors.shape.Length != 2)
                throw new InvalidDataException($"{path}: not an exact index (expected the tensors 'vectors' (rows x dimension) and 'ids').");
            var index = new ExactIndex((int)vectors.shape[1], metric, device);
            if (vectors.shape[0] > 0) // TorchSharp's accessor cannot copy out of an empty tensor
                index.Add(new EmbeddingMatrix(vectors.data<float>().ToArray(), (int)vectors.shape[0], (int)vectors.shape[1]), ids.data<long>().ToArray());
            return index;
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    public void Dispose()
    {
        _searchMatrix?.Dispose();
        _searchMatrix = null;
        _rawMatrix?.Dispose();
        _rawMatrix = null;
    }

    /// <summary>The stored vectors as they are, on the device, uploaded once per batch of additions (range search).</summary>
    private Tensor RawMatrix()
    {
        if (Metric == VectorMetric.InnerProduct) return SearchMatrix();
        return _rawMatrix ??= tensor(_vectors.ToArray(), [_ids.Count, Dimension], device: _device).DetachFromDisposeScope();
    }

    private EmbeddingMatrix Matrix() => new(_vectors.ToArray(), _ids.Count, Dimension);

    private (int[][] Indices, float[][] Scores) TopK(EmbeddingMatrix queries, int k)
    {
        ArgumentNullException.ThrowIfNull(queries);
        if (Metric == VectorMetric.InnerProduct)
            return ExactSearch.TopK(queries, SearchMatrix(), k);
        // L2: rank by -||q - d||² = (2d, -||d||²) · (q, 1) - ||q||², an inner product over augmented vectors.
        var augmentedQueries = new float[(long)queries.Rows * (Dimension + 1)];
        var queryNorms = new float[queries.Rows];
        for (var i = 0; i < queries.Rows; i++)
        {
            var row = queries.Row(i);
            for (var d = 0; d < Dimension; d++) { augmentedQueries[i * (Dimension + 1) + d] = row[d]; queryNorms[i] += row[d] * row[d]; }
            augmentedQueries[i * (Dimension + 1) + Dimension] = 1;
        }
        var (indices, scores) = ExactSearch.TopK(new EmbeddingMatrix(augmentedQueries, queries.Rows, Dimension + 1), SearchMatrix(), k);
        for (var q = 0; q < scores.Length; q++)
            for (var j = 0; j < scores[q].Length; j++) scores[q][j] -= queryNorms[q]; // = -||q - d||²
        return (indices, scores);
    }

    /// <summary>The stored vectors on the device, built once per batch of additions, not once per search.</summary>
    private Tensor SearchMatrix()
    {
        if (_searchMatrix is not null) return _searchMatrix;
        var docs = Matrix();
        if (Metric == VectorMetric.InnerProduct)
            return _searchMatrix = tensor(docs.Data, [docs.Rows, Dimension], device: _device).DetachFromDisposeScope(); // cached: a caller's scope must not free it
        var augmented = new float[(long)docs.Rows * (Dimension + 1)];
        for (var i = 0; i < docs.Rows; i++)
        {
            var row = docs.Row(i);
            float norm = 0;
            for (var d = 0; d < Dimension; d++) { augmented[i * (Dimension + 1) + d] = 2 * row[d]; norm += row[d] * row[d]; }
            augmented[i * (Dimension + 1) + Dimension] = -norm;
        }
        return _searchMatrix = tensor(augmented, [docs.Rows, Dimension + 1], device: _device).DetachFromDisposeScope();
    }

    private Tensor Scores(Tensor q, Tensor docs)
    {
        if (Metric == VectorMetric.InnerProduct) return q.mm(docs.t());
        using var two = 2.ToScalar();
        using var zero = 0.ToScalar();
        var qq = q.pow(two).sum(1, keepdim: true);
        var dd = docs.pow(two).sum(1).unsqueeze(0);
        return (qq.Plus(dd) - q.mm(docs.t()).mul(two)).clamp_min(zero);
    }
}
