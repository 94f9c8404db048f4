using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Research.Lib.IO;

/// <summary>
/// Embedding matrices on disk, in two formats:
/// <list type="bullet">
/// <item><c>.npy</c> (NumPy's format, version 1.0: magic, header dict <c>{'descr': '&lt;f4', 'fortran_order': False,
/// 'shape': (rows, dim)}</c>, then row-major little-endian float32): one file, so it is replaced atomically, and numpy
/// reads it with <c>np.load</c>. Version 2.0/3.0 headers and <c>&lt;f8</c> / <c>&lt;f2</c> data are read too.</item>
/// <item><c>.f32</c> (raw float32 rows) with a <c>.f32.json</c> shape file <c>{rows, dimension, dtype, sha256}</c>, the
/// kit's earlier format: the checksum ties the pair together, so a data file from one run next to the shape file of
/// another is detected instead of read.</item>
/// </list>
/// The format is chosen by the extension on save and by content on load (the NumPy magic), never silently.
/// </summary>
public static partial class VectorFile
{
    private static readonly byte[] NpyMagic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Writes <paramref name="rows"/> × <paramref name="dimension"/> row-major float32 values (Modeling's EmbeddingMatrix.Save calls this).</summary>
    public static void Save(float[] values, int rows, int dimension, string path)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var matrix = (Data: values, Rows: rows, Dimension: dimension);
        if (Directory.Exists(path))
            throw new IOException($"{path}: is a folder; expected a file path (.npy or .f32).");
        var bytes = MemoryMarshal.AsBytes(matrix.Data.AsSpan());
        if (path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            var header = NpyHeader(matrix.Rows, matrix.Dimension);
            var data = bytes.ToArray();
            AtomicFile.Write(path, s =>
            {
                s.Write(header);
                s.Write(data);
            });
            return;
        }
        var hash = Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
        var copy = bytes.ToArray();
        AtomicFile.Write(path, s => s.Write(copy));
        AtomicFile.WriteAllText(path + ".json", new JsonObject
        {
            ["rows"] = matrix.Rows,
            ["dimension"] = matrix.Dimension,
            ["dtype"] = "float32",
            ["sha256"] = hash,
        }.ToJsonString() + "\n");
    }

    /// <summary>Reads a vector file: its values (row-major), rows and dimension.</summary>
    public static (float[] Values, int Rows, int Dimension) Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
            throw new IOException($"{path}: is a folder; expected a vector file (.npy, or .f32 with its .json shape file).");
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: file not found.", path);
        var bytes = File.ReadAllBytes(path);
        return bytes.AsSpan().StartsWith(NpyMagic) ? ReadNpy(bytes, path) : ReadF32(bytes, path);
    }

    private static byte[] NpyHeader(int rows, int dimension)
    {
        var dict = string.Create(CultureInfo.InvariantCulture, $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {dimension}), }}");
        // Magic (6) + version (2) + header length (2) + dict, padded with spaces and a newline to a multiple of 64.
        var total = (10 + dict.Length + 1 + 63) / 64 * 64;
        var header = new byte[total];
        NpyMagic.CopyTo(header, 0);
        header[6] = 1;
        header[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)(total - 10));
        var text = dict.PadRight(total - 10 - 1) + "\n";
        Encoding.ASCII.GetBytes(text, header.AsSpan(10));
        return header;
    }

    private static (float[] Values, int Rows, int Dimension) ReadNpy(byte[] bytes, string path)
    {
        if (bytes.Length < 10) throw new InvalidDataException($"{path}: truncated .npy header.");
        var major = bytes[6];
        int headerLength, start;
        switch (major)
        {
            case 1:
                headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
                start = 10;
                break;
            case 2 or 3:
                if (bytes.Length < 12) throw new InvalidDataException($"{path}: truncated .npy header.");
                headerLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
                start = 12;
                break;
            default:
                throw new InvalidDataException($"{path}: .npy format version {major}.{bytes[7]} is not supported (1.0, 2.0, 3.0).");
        }
        if (start + headerLength > bytes.Length) throw new InvalidDataException($"{path}: truncated .npy header.");
        var header = Encoding.UTF8.GetString(bytes, start, headerLength);
        var descr = NpyDescr().Match(header) is { Success: true } d ? d.Groups[1].Value
            : throw new InvalidDataException($"{path}: .npy header has no 'descr': {header.Trim()}");
        if (NpyFortran().Match(header) is { Success: true } f && f.Groups[1].Value == "True")
            throw new InvalidDataException($"{path}: .npy array is in Fortran (column-major) order; save it with np.ascontiguousarray first.");
        var shapeMatch = NpyShape().Match(header);
        if (!shapeMatch.Success) throw new InvalidDataException($"{path}: .npy header has no 'shape': {header.Trim()}");
        var dims = shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        if (dims.Length != 2)
            throw new InvalidDataException($"{path}: .npy array has shape ({string.Join(", ", dims)}); expected 2 dimensions (rows, dimension).");
        var (rows, dimension) = (dims[0], dims[1]);
        var size = descr switch
        {
            "<f4" or "|f4" => 4,
            "<f8" => 8,
            "<f2" => 2,
            _ => throw new InvalidDataException($"{path}: .npy dtype '{descr}' is not supported (little-endian float32 '<f4', float64 '<f8' or float16 '<f2')."),
        };
        var dataStart = start + headerLength;
        var expected = rows * dimension * size;
        if (bytes.LongLength - dataStart != expected)
            throw new InvalidDataException($"{path}: {bytes.LongLength - dataStart} data bytes, but shape ({rows}, {dimension}) of '{descr}' needs {expected}.");
        var values = new float[rows * dimension];
        var data = bytes.AsSpan(dataStart);
        for (long i = 0; i < values.LongLength; i++)
            values[i] = size switch
            {
                4 => BinaryPrimitives.ReadSingleLittleEndian(data[(int)(i * 4)..]),
                8 => (float)BinaryPrimitives.ReadDoubleLittleEndian(data[(int)(i * 8)..]),
                _ => (float)BinaryPrimitives.ReadHalfLittleEndian(data[(int)(i * 2)..]),
            };
        return Checked(values, rows, dimension, path);
    }

    private static (float[] Values, int Rows, int Dimension) ReadF32(byte[] bytes, string path)
    {
        var shapePath = path + ".json";
        if (!File.Exists(shapePath))
            throw new FileNotFoundException($"{path}: not a .npy file, and its shape file {shapePath} is missing (written by 'research model encode').", shapePath);
        JsonNode shape;
        try
        {
            shape = JsonNode.Parse(File.ReadAllText(shapePath)) ?? throw new InvalidDataException($"{shapePath}: empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{shapePath}: not valid JSON ({e.Message}).", e);
        }
        long Field(string name)
        {
            if (shape[name] is JsonValue v && v.TryGetValue<long>(out var n) && n >= 0) return n;
            throw new InvalidDataException($"{shapePath}: field '{name}' is {shape[name]?.ToJsonString() ?? "missing"}; expected a non-negative integer.");
        }
        var rows = Field("rows");
        var dimension = Field("dimension");
        var dtype = shape["dtype"] is JsonValue t && t.TryGetValue<string>(out var s) ? s : "float32";
        if (dtype != "float32")
            throw new InvalidDataException($"{shapePath}: field 'dtype' is '{dtype}'; .f32 files hold float32 (save other types as .npy).");
        if (bytes.LongLength != rows * dimension * 4)
            throw new InvalidDataException($"{path}: {bytes.LongLength} bytes, but {rows} x {dimension} float32 (from {shapePath}) needs {rows * dimension * 4}.");
        if (shape["sha256"] is JsonValue h && h.TryGetValue<string>(out var hash)
            && !string.Equals(hash, Convert.ToHexString(SHA256.HashData(bytes)), StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{path}: the data does not match the checksum in {shapePath}; the two files come from different runs (an interrupted write?). Re-create them.");
        return Checked(MemoryMarshal.Cast<byte, float>(bytes).ToArray(), rows, dimension, path);
    }

    private static (float[] Values, int Rows, int Dimension) Checked(float[] values, long rows, long dimension, string path)
    {
        if (dimension <= 0) throw new InvalidDataException($"{path}: dimension {dimension}; expected at least 1.");
        if (rows > int.MaxValue) throw new InvalidDataException($"{path}: {rows} rows; at most {int.MaxValue} are supported.");
        if (values.LongLength != rows * dimension) throw new InvalidDataException($"{path}: {values.LongLength} values do not make {rows} rows of dimension {dimension}.");
        return (values, (int)rows, (int)dimension);
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex NpyDescr();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex NpyFortran();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex NpyShape();
}
