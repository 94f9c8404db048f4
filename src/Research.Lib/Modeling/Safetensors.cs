using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Research.Lib.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Research.Lib.Modeling;

/// <summary>
/// Reads and writes the safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON
/// header mapping each tensor name to <c>{dtype, shape, data_offsets: [begin, end]}</c> (offsets relative to
/// the end of the header; optional <c>__metadata__</c> of string pairs), then the raw little-endian tensor
/// bytes. F32, F16 and BF16 are read (as float32 tensors) and written; F64 and I64 tensors are read too.
/// </summary>
public static class Safetensors
{
    /// <summary>Reads every tensor as a float32 CPU tensor (I64 stays int64); the caller owns them.</summary>
    public static Dictionary<string, Tensor> Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        var (header, dataStart) = ReadHeader(stream, path);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, node) in header)
            {
                if (name == "__metadata__") continue;
                var info = node!.AsObject();
                var dtype = info["dtype"]!.GetValue<string>();
                var shape = info["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
                var offsets = info["data_offsets"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
                var count = shape.Aggregate(1L, (a, b) => a * b);
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0])
                    throw new InvalidDataException($"{path}: tensor '{name}' has invalid data_offsets [{string.Join(", ", offsets)}].");
                if (dataStart + offsets[1] > stream.Length)
                    throw new InvalidDataException($"{path}: tensor '{name}' ends at byte {dataStart + offsets[1]} but the file has {stream.Length}; the file is truncated (an interrupted download or copy?).");
                var bytes = new byte[offsets[1] - offsets[0]];
                stream.Position = dataStart + offsets[0];
                stream.ReadExactly(bytes);
                var expected = count * ElementSize(dtype, path, name);
                if (bytes.Length != expected)
                    throw new InvalidDataException($"{path}: tensor '{name}' has {bytes.Length} bytes, but {dtype} {Shape(shape)} needs {expected}.");
                result[name] = ToTensor(bytes, dtype, shape);
            }
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        return result;
    }

    /// <summary>The <c>__metadata__</c> entries of a file (empty when absent).</summary>
    public static Dictionary<string, string> ReadMetadata(string path)
    {
        using var stream = File.OpenRead(path);
        var (header, _) = ReadHeader(stream, path);
        return header["__metadata__"] is JsonObject meta
            ? meta.ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<string>())
            : [];
    }

    /// <summary>
    /// Writes tensors (sorted by name, as the Python library does) in <paramref name="dtype"/>, atomically.
    /// Float tensors are converted; int64 tensors are written as I64.
    /// </summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, SafetensorsDType dtype = SafetensorsDType.F32,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var names = tensors.Keys.Order(StringComparer.Ordinal).ToList();
        var blobs = new List<byte[]>(names.Count);
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
            header["__metadata__"] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
        long offset = 0;
        foreach (var name in names)
        {
            var t = tensors[name];
            var (bytes, typeName) = ToBytes(t, dtype);
            header[name] = new JsonObject
            {
                ["dtype"] = typeName,
                ["shape"] = new JsonArray(t.shape.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes.Length),
            };
            offset += bytes.Length;
            blobs.Add(bytes);
        }
        var json = System.Text.Encoding.UTF8.GetBytes(header.ToJsonString());
        // Pad the header with spaces to a multiple of 8 bytes, as the reference writer does, so data stays aligned.
        var padded = (json.Length + 7) / 8 * 8;
        AtomicFile.Write(path, stream =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)padded);
            stream.Write(len);
            stream.Write(json);
            for (var i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (var b in blobs) stream.Write(b);
        });
    }

    private static (JsonObject Header, long DataStart) ReadHeader(Stream stream, string path)
    {
        Span<byte> len = stackalloc byte[8];
        if (stream.Read(len) != 8)
            throw new InvalidDataException($"{path}: not a safetensors file (shorter than 8 bytes).");
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(len);
        if (headerLength == 0 || headerLength > 100_000_000 || (long)headerLength > stream.Length - 8)
            throw new InvalidDataException($"{path}: not a safetensors file (header length {headerLength} in a {stream.Length}-byte file).");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        try
        {
            return (JsonNode.Parse(headerBytes)!.AsObject(), 8 + (long)headerLength);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: the safetensors header is not valid JSON: {e.Message}", e);
        }
    }

    private static int ElementSize(string dtype, string path, string name) => dtype switch
    {
        "F32" => 4,
        "F16" or "BF16" => 2,
        "F64" or "I64" => 8,
        _ => throw new InvalidDataException($"{path}: tensor '{name}' has dtype {dtype}; supported: F32, F16, BF16, F64, I64."),
    };

    private static Tensor ToTensor(byte[] bytes, string dtype, long[] shape)
    {
        switch (dtype)
        {
            case "I64":
                return torch.tensor(MemoryMarshal.Cast<byte, long>(bytes).ToArray(), shape, ScalarType.Int64);
            case "F64":
                return torch.tensor(MemoryMarshal.Cast<byte, double>(bytes).ToArray().Select(d => (float)d).ToArray(), shape);
        }
        var values = new float[bytes.Length / (dtype == "F32" ? 4 : 2)];
        switch (dtype)
        {
            case "F32":
                MemoryMarshal.Cast<byte, float>(bytes).CopyTo(values);
                break;
            case "F16":
                var halves = MemoryMarshal.Cast<byte, Half>(bytes);
                for (var i = 0; i < values.Length; i++) values[i] = (float)halves[i];
                break;
            default: // BF16: the upper 16 bits of a float32
                var raw = MemoryMarshal.Cast<byte, ushort>(bytes);
                for (var i = 0; i < values.Length; i++) values[i] = BitConverter.Int32BitsToSingle(raw[i] << 16);
                break;
        }
        return torch.tensor(values, shape);
    }

    private static (byte[] Bytes, string TypeName) ToBytes(Tensor t, SafetensorsDType dtype)
    {
        using var cpu = t.detach().cpu();
        var empty = cpu.numel() == 0; // TorchSharp's accessor cannot copy out of an empty tensor
        if (cpu.dtype == ScalarType.Int64)
            return (empty ? [] : MemoryMarshal.AsBytes(cpu.contiguous().data<long>().ToArray().AsSpan()).ToArray(), "I64");
        using var f = cpu.to_type(ScalarType.Float32).contiguous();
        var values = empty ? [] : f.data<float>().ToArray();
        switch (dtype)
        {
            case SafetensorsDType.F32:
                return (MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), "F32");
            case SafetensorsDType.F16:
                var halves = new Half[values.Length];
                for (var i = 0; i < values.Length; i++) halves[i] = (Half)values[i];
                return (MemoryMarshal.AsBytes(halves.AsSpan()).ToArray(), "F16");
            default:
                var raw = new ushort[values.Length];
                for (var i = 0; i < values.Length; i++) raw[i] = ToBFloat16(values[i]);
                return (MemoryMarshal.AsBytes(raw.AsSpan()).ToArray(), "BF16");
        }
    }

    /// <summary>Round-to-nearest-even float32 -> bfloat16, as torch does; NaN stays NaN.</summary>
    internal static ushort ToBFloat16(float value)
    {
        var bits = (uint)BitConverter.SingleToInt32Bits(value);
        if (float.IsNaN(value)) return (ushort)((bits >> 16) | 0x40);
        var rounding = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }

    private static string Shape(long[] shape) => "[" + string.Join(", ", shape) + "]";
}
