using System.Buffers.Binary;
using System.Text;

namespace Research.Lib.IO;

/// <summary>
/// Reads the protobuf wire format (varint, 64-bit, length-delimited and 32-bit fields) of one message that
/// lies in <c>bytes[position..end)</c>. Just enough for the binary formats the kit reads without a generated
/// schema (SentencePiece models, ONNX graphs). Malformed input throws <see cref="InvalidDataException"/>.
/// </summary>
internal struct ProtobufReader(byte[] bytes, int position, int end)
{
    private int _position = position;

    public ProtobufReader(byte[] bytes) : this(bytes, 0, bytes.Length) { }

    public readonly bool More => _position < end;

    public (int Field, int Wire) Tag()
    {
        var key = Varint();
        return ((int)(key >> 3), (int)(key & 7));
    }

    public ulong Varint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= end) throw new InvalidDataException("varint runs past the end of its message");
            var b = bytes[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
        throw new InvalidDataException("varint too long");
    }

    /// <summary>A length-delimited field's extent in the buffer.</summary>
    public (int Start, int End) Length()
    {
        var length = Varint();
        if (length > (ulong)(end - _position)) throw new InvalidDataException("field runs past its message");
        var start = _position;
        _position += (int)length;
        return (start, _position);
    }

    /// <summary>A reader over the embedded message that follows.</summary>
    public ProtobufReader Message()
    {
        var (start, stop) = Length();
        return new ProtobufReader(bytes, start, stop);
    }

    public string String()
    {
        var (start, stop) = Length();
        return Encoding.UTF8.GetString(bytes, start, stop - start);
    }

    public ReadOnlySpan<byte> Bytes()
    {
        var (start, stop) = Length();
        return bytes.AsSpan(start, stop - start);
    }

    public float Float()
    {
        Need(4);
        var value = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(_position, 4));
        _position += 4;
        return value;
    }

    /// <summary>One value, or all values of a packed run, of a repeated varint field (<paramref name="wire"/> 0 or 2).</summary>
    public void Varints(int wire, List<long> into)
    {
        if (wire == 0)
        {
            into.Add((long)Varint());
            return;
        }
        var inner = Message();
        while (inner.More) into.Add((long)inner.Varint());
    }

    /// <summary>One value, or all values of a packed run, of a repeated float field (<paramref name="wire"/> 5 or 2).</summary>
    public void Floats(int wire, List<float> into)
    {
        if (wire == 5)
        {
            into.Add(Float());
            return;
        }
        var inner = Message();
        while (inner.More) into.Add(inner.Float());
    }

    public void Skip(int wire)
    {
        switch (wire)
        {
            case 0: Varint(); break;
            case 1: Need(8); _position += 8; break;
            case 2: Length(); break;
            case 5: Need(4); _position += 4; break;
            default: throw new InvalidDataException($"unknown wire type {wire}");
        }
    }

    private readonly void Need(int count)
    {
        if (end - _position < count) throw new InvalidDataException("field runs past its message");
    }
}
