using Research.Lib.IO;

namespace Research.Lib.Tests.IO;

public class ProtobufTests
{
    [Fact]
    public void WriterAndReaderRoundTrip()
    {
        var w = new ProtobufWriter();
        w.Varint(1, 150);
        w.Varint(2, -1);
        w.Float(3, 1.5f);
        w.String(4, "héllo");
        w.Message(5, m => m.Varint(1, 7));
        w.PackedVarints(6, [1, 300, 70000]);
        var bytes = w.ToArray();
        Assert.Equal(new byte[] { 0x08, 0x96, 0x01 }, bytes[..3]); // the protobuf documentation's example: field 1 = 150

        var r = new ProtobufReader(bytes);
        Assert.Equal((1, 0), r.Tag()); Assert.Equal(150UL, r.Varint());
        Assert.Equal((2, 0), r.Tag()); Assert.Equal(-1L, (long)r.Varint());
        Assert.Equal((3, 5), r.Tag()); Assert.Equal(1.5f, r.Float());
        Assert.Equal((4, 2), r.Tag()); Assert.Equal("héllo", r.String());
        Assert.Equal((5, 2), r.Tag());
        var inner = r.Message();
        Assert.Equal((1, 0), inner.Tag()); Assert.Equal(7UL, inner.Varint()); Assert.False(inner.More);
        Assert.Equal((6, 2), r.Tag());
        var values = new List<long>();
        r.Varints(2, values);
        Assert.Equal([1L, 300L, 70000L], values);
        Assert.False(r.More);
    }

    [Fact]
    public void LengthPastTheEndIsInvalid()
    {
        var r = new ProtobufReader([0x0A, 0x05, 0x01]);
        r.Tag();
        Assert.Equal("field runs past its message", Assert.Throws<InvalidDataException>(() => r.Length()).Message);
    }
}
