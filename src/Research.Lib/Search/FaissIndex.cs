using Research.Lib.IO;
using Research.Lib.Modeling;

namespace Research.Lib.Search;

/// <summary>
/// A Faiss index through the kit's native shim: any factory string ("Flat", "HNSW32", "IVF1024,Flat",
/// "IVF256,PQ16", ...), inner product or L2, train (IVF/PQ), add with ids, top-k and range search, search-time
/// parameters (nprobe, efSearch), and index files that Python's faiss reads and writes. Flat and HNSW indexes are
/// wrapped in an IDMap2 so they keep the caller's ids.
/// </summary>
public sealed unsafe class FaissIndex : IVectorIndex
{
    private readonly FaissHandle _handle;

    private FaissIndex(IntPtr handle) => _handle = new FaissHandle(handle);

    /// <summary>Whether the native shim was built and loads here (it needs libfaiss-dev at build time).</summary>
    public static bool IsAvailable => Availability is null;

    /// <summary>Why Faiss is unavailable, or null when it is available.</summary>
    public static string? Availability { get; } = Probe();

    public static FaissIndex Create(int dimension, string factory, VectorMetric metric = VectorMetric.InnerProduct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        ArgumentException.ThrowIfNullOrWhiteSpace(factory);
        EnsureAvailable();
        var handle = FaissNative.Create(dimension, factory, metric == VectorMetric.InnerProduct ? 0 : 1);
        if (handle == IntPtr.Zero)
            throw new ArgumentException($"Faiss factory '{factory}' (dimension {dimension}): {FaissNative.LastError()}", nameof(factory));
        return new FaissIndex(handle);
    }

    public static FaissIndex Load(string path)
    {
        EnsureAvailable();
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: Faiss index not found.", path);
        var handle = FaissNative.Read(path);
        if (handle == IntPtr.Zero) throw new InvalidDataException($"{path}: not a Faiss index ({FaissNative.LastError()}).");
        return new FaissIndex(handle);
    }

    public int Dimension => FaissNative.Dimension(Handle);

    public long Count => FaissNative.Count(Handle);

    public bool IsTrained => FaissNative.IsTrained(Handle) != 0;

    public VectorMetric Metric => FaissNative.Metric(Handle) == 0 ? VectorMetric.InnerProduct : VectorMetric.L2;

    /// <summary>Trains IVF / PQ indexes on representative vectors (Flat and HNSW need none).</summary>
    public void Train(EmbeddingMatrix vectors)
    {
        CheckDimension(vectors);
        fixed (float* x = vectors.Data) FaissNative.Check(FaissNative.Train(Handle, vectors.Rows, x), "train");
    }

    public void Add(EmbeddingMatrix vectors, IReadOnlyList<long> ids)
    {
        VectorIndexInput.Validate(vectors, ids, Dimension);
        if (!IsTrained) throw new InvalidOperationException("This Faiss index must be trained before vectors are added (call Train).");
        var idArray = ids.ToArray();
        fixed (float* x = vectors.Data)
        fixed (long* id = idArray)
            FaissNative.Check(FaissNative.AddWithIds(Handle, vectors.Rows, x, id), "add");
    }

    /// <summary>
    /// Sets a parameter: "nprobe" (IVF), "efSearch" (HNSW) at search time; "efConstruction" (HNSW graph quality,
    /// Faiss default 40) before vectors are added.
    /// </summary>
    public void SetParameter(string name, double value) => FaissNative.Check(FaissNative.SetParameter(Handle, name, value), $"set {name}={value}");

    public VectorHit[][] Search(EmbeddingMatrix queries, int k)
    {
        CheckDimension(queries);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        if (Count == 0 || queries.Rows == 0) return Empty(queries.Rows); // Faiss's HNSW search crashes on an empty graph
        var distances = new float[(long)queries.Rows * k];
        var labels = new long[(long)queries.Rows * k];
        fixed (float* x = queries.Data)
        fixed (float* dist = distances)
        fixed (long* lab = labels)
            FaissNative.Check(FaissNative.Search(Handle, queries.Rows, x, k, dist, lab), "search");
        var result = new VectorHit[queries.Rows][];
        for (var q = 0; q < queries.Rows; q++)
        {
            var hits = new List<VectorHit>(k);
            for (var j = 0; j < k; j++)
                if (labels[q * k + j] >= 0) hits.Add(new VectorHit(labels[q * k + j], distances[q * k + j]));
            result[q] = [.. hits];
        }
        return result;
    }

    public VectorHit[][] RangeSearch(EmbeddingMatrix queries, float threshold)
    {
        CheckDimension(queries);
        if (Count == 0 || queries.Rows == 0) return Empty(queries.Rows);
        IntPtr r;
        fixed (float* x = queries.Data) r = FaissNative.RangeSearch(Handle, queries.Rows, x, threshold);
        if (r == IntPtr.Zero)
        {
            var error = FaissNative.LastError();
            // Faiss 1.7 has no range search for HNSW: expand top-k until every query's last hit falls past the threshold.
            if (error.Contains("not implemented", StringComparison.Ordinal)) return RangeByExpandingTopK(queries, threshold);
            throw new InvalidOperationException($"Faiss range search failed: {error}");
        }
        try
        {
            var total = FaissNative.RangeTotal(r);
            var lims = new long[queries.Rows + 1];
            var labels = new long[total];
            var distances = new float[total];
            fixed (long* l = lims)
            fixed (long* lab = labels)
            fixed (float* d = distances)
                FaissNative.RangeCopy(r, l, lab, d);
            var descending = Metric == VectorMetric.InnerProduct;
            var result = new VectorHit[queries.Rows][];
            for (var q = 0; q < queries.Rows; q++)
            {
                var hits = new VectorHit[lims[q + 1] - lims[q]];
                for (var j = 0; j < hits.Length; j++) hits[j] = new VectorHit(labels[lims[q] + j], distances[lims[q] + j]);
                Array.Sort(hits, (a, b) => descending ? b.Score.CompareTo(a.Score) : a.Score.CompareTo(b.Score));
                result[q] = hits;
            }
            return result;
        }
        finally
        {
            FaissNative.RangeFree(r);
        }
    }

    /// <summary>
    /// Range search for indexes without a native one (HNSW in Faiss 1.7): top-k with k doubling (16, 32, ...) for the
    /// queries whose k-th hit still passes the threshold, then the hits that pass. As approximate as the index's top-k.
    /// </summary>
    private VectorHit[][] RangeByExpandingTopK(EmbeddingMatrix queries, float threshold)
    {
        bool Passes(float score) => Metric == VectorMetric.InnerProduct ? score > threshold : score < threshold;
        var result = new VectorHit[queries.Rows][];
        var pending = Enumerable.Range(0, queries.Rows).ToList();
        var total = Count;
        for (var k = 16; pending.Count > 0; k *= 2)
        {
            var kk = (int)Math.Min(k, total);
            var subset = new float[(long)pending.Count * Dimension];
            for (var i = 0; i < pending.Count; i++) queries.Row(pending[i]).CopyTo(subset.AsSpan(i * Dimension, Dimension));
            var hits = Search(new EmbeddingMatrix(subset, pending.Count, Dimension), kk);
            var next = new List<int>();
            for (var i = 0; i < pending.Count; i++)
            {
                var h = hits[i];
                if (h.Length == kk && kk < total && Passes(h[^1].Score)) next.Add(pending[i]);
                else result[pending[i]] = h.TakeWhile(x => Passes(x.Score)).ToArray();
            }
            pending = next;
        }
        return result;
    }

    /// <summary>Writes the index with Faiss's own writer (readable by Python's faiss.read_index), atomically.</summary>
    public void Save(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new IOException($"{path}: is a folder; expected an index file path.");
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        AtomicFile.RemoveStaleTemporaries(full);
        var temp = AtomicFile.TemporaryPath(full); // Faiss writes by path, so the temporary is named as AtomicFile names them
        try
        {
            FaissNative.Check(FaissNative.Write(Handle, temp), $"write {path}");
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public void Dispose() => _handle.Dispose();

    private IntPtr Handle => !_handle.IsClosed ? _handle.DangerousGetHandle() : throw new ObjectDisposedException(nameof(FaissIndex));

    private static VectorHit[][] Empty(int rows) => Enumerable.Range(0, rows).Select(_ => Array.Empty<VectorHit>()).ToArray();

    private void CheckDimension(EmbeddingMatrix m)
    {
        ArgumentNullException.ThrowIfNull(m);
        if (m.Dimension != Dimension) throw new ArgumentException($"Vectors have dimension {m.Dimension}; the index has {Dimension}.");
    }

    private static void EnsureAvailable()
    {
        if (Availability is { } why) throw new InvalidOperationException(why);
    }

    private static string? Probe()
    {
        try
        {
            FaissNative.LastError();
            return null;
        }
        catch (DllNotFoundException)
        {
            return "Faiss is not available: libresearch_faiss.so was not built (apt-get install libfaiss-dev libopenblas-dev, then rebuild; see environment.md). ExactIndex works without it.";
        }
    }
}
