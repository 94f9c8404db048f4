using System.Buffers.Binary;
using System.Globalization;
using Research.Lib.IO;
using Research.Lib.Modeling;

namespace Research.Lib.Search;

/// <summary>Builds vector indexes, opens saved ones (recognizing their kind by content, not by file name), and writes search hits.</summary>
public static class VectorIndex
{
    /// <summary>
    /// An <see cref="ExactIndex"/> (a safetensors file: 8-byte header length, then a JSON header) or a
    /// <see cref="FaissIndex"/> (anything Faiss's reader takes: Flat, HNSW, IVF, PQ, ... written by the kit or by Python).
    /// </summary>
    public static IVectorIndex Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) throw new FileNotFoundException($"{path}: is a folder; expected an index file.", path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: index file not found.", path);
        Span<byte> head = stackalloc byte[9];
        int read;
        using (var stream = File.OpenRead(path)) read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (read == 0) throw new InvalidDataException($"{path}: empty file; not an index.");
        var isSafetensors = read == 9 && head[8] == (byte)'{' && BinaryPrimitives.ReadUInt64LittleEndian(head) < (ulong)new FileInfo(path).Length;
        return isSafetensors ? ExactIndex.Load(path) : FaissIndex.Load(path);
    }

    /// <summary>The factory name of <see cref="ExactIndex"/> in <see cref="Build"/>.</summary>
    public const string Exact = "exact";

    /// <summary>
    /// An index over <paramref name="vectors"/> with <paramref name="ids"/>: <see cref="Exact"/> (TorchSharp exact search) or
    /// a Faiss factory string (Flat, IVF4096,Flat, HNSW32, PQ…), trained on the same vectors first where it needs training.
    /// </summary>
    public static IVectorIndex Build(EmbeddingMatrix vectors, IReadOnlyList<long> ids, string factory, VectorMetric metric)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentException.ThrowIfNullOrEmpty(factory);
        IVectorIndex index = factory == Exact ? new ExactIndex(vectors.Dimension, metric) : FaissIndex.Create(vectors.Dimension, factory, metric);
        try
        {
            if (index is FaissIndex { IsTrained: false } faiss) faiss.Train(vectors);
            index.Add(vectors, ids);
            return index;
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    /// <summary>Writes search hits as TSV (query row, 1-based rank, id, score in round-trip form), atomically.</summary>
    public static void WriteHits(string path, IReadOnlyList<VectorHit[]> hits)
    {
        ArgumentNullException.ThrowIfNull(hits);
        AtomicFile.WriteText(path, w =>
        {
            w.Write("query\trank\tid\tscore\n");
            for (var i = 0; i < hits.Count; i++)
                for (var j = 0; j < hits[i].Length; j++)
                    w.Write(string.Create(CultureInfo.InvariantCulture, $"{i}\t{j + 1}\t{hits[i][j].Id}\t{hits[i][j].Score:R}\n"));
        });
    }
}
