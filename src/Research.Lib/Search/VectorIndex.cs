using System.Buffers.Binary;

namespace Research.Lib.Search;

/// <summary>Opens a saved vector index, recognizing its kind by content, not by file name.</summary>
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
}
