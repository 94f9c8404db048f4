using System.Buffers.Binary;
using System.Text;

namespace Research.Lib.IO;

/// <summary>
/// Writes the protobuf wire format into a growing buffer: varint, float, double and length-delimited fields, packed
/// repeated values and embedded messages (written by a nested writer). The counterpart of
/// <see cref="ProtobufReader"/>, used to write ONNX graphs and TensorBoard events.
/// </summary>
internal sealed class ProtobufWriter
{
    private readonly MemoryStream _buffer = new();

    public void Varint(int field, long value)
    {
        Key(field, 0);
        Raw((ulong)value);
    }

    public void Float(int field, float value)
    {
        Key(field, 5);
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, value);
        _buffer.Write(b);
    }

    public void Double(int field, double value)
    {
        Key(field, 1);
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(b, value);
        _buffer.Write(b);
    }

    public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Key(field, 2);
        Raw((ulong)value.Length);
        _buffer.Write(value);
    }

    public void Message(int field, Action<ProtobufWriter> write)
    {
        var inner = new ProtobufWriter();
        write(inner);
        Bytes(field, inner.ToArray());
    }

    public void PackedVarints(int field, IEnumerable<long> values)
    {
        var inner = new ProtobufWriter();
        foreach (var v in values) inner.Raw((ulong)v);
        Bytes(field, inner.ToArray());
    }

    public byte[] ToArray() => _buffer.ToArray();

    public void CopyTo(Stream stream)
    {
        _buffer.Position = 0;
        _buffer.CopyTo(stream);
    }

    private void Key(int field, int wire) => Raw(((ulong)field << 3) | (uint)wire);

    private void Raw(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _buffer.WriteByte((byte)value);
    }
}
