using System.Buffers.Binary;
using System.Text;
using Research.Lib.Modeling;
using TorchSharp;

namespace Research.Lib.Tests.Modeling;

public class SafetensorsTests
{
    [Fact]
    public void ReadsAFileLaidOutByTheSpecification()
    {
        // Hand-built: header {"a": F32 [2], "b": F16 [1], "c": BF16 [1]}, then 4+4, 2, 2 bytes of data.
        var header = Encoding.UTF8.GetBytes("{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[8,10]},\"c\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[10,12]}}");
        var bytes = new byte[8 + header.Length + 12];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        var data = bytes.AsSpan(8 + header.Length);
        BinaryPrimitives.WriteSingleLittleEndian(data, 1.5f);
        BinaryPrimitives.WriteSingleLittleEndian(data[4..], -2f);
        BinaryPrimitives.WriteUInt16LittleEndian(data[8..], 0x3C00);  // F16 1.0
        BinaryPrimitives.WriteUInt16LittleEndian(data[10..], 0xC020); // BF16 -2.5
        using var dir = new TempDir();
        var path = dir.Bytes("m.safetensors", bytes);
        var t = Safetensors.Read(path);
        Assert.Equal(new[] { 1.5f, -2f }, t["a"].data<float>().ToArray());
        Assert.Equal(1f, t["b"].item<float>());
        Assert.Equal(-2.5f, t["c"].item<float>());
        Assert.Equal("pt", Safetensors.ReadMetadata(path)["format"]);
    }

    [Theory]
    [InlineData(SafetensorsDType.F32, new[] { 0.1f, -3.25f, 1e-8f })]
    [InlineData(SafetensorsDType.F16, new[] { 0.099975586f, -3.25f, 0f })]
    [InlineData(SafetensorsDType.BF16, new[] { 0.10009765625f, -3.25f, 1.0011717677116394e-08f })]
    public void WritesThenReadsBack(SafetensorsDType dtype, float[] expected)
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "w.safetensors");
        using var x = torch.tensor(new[] { 0.1f, -3.25f, 1e-8f }, 3, 1);
        Safetensors.Write(path, new Dictionary<string, torch.Tensor> { ["x"] = x }, dtype);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes) % 8);
        var back = Safetensors.Read(path)["x"];
        Assert.Equal(new long[] { 3, 1 }, back.shape);
        Assert.Equal(expected, back.data<float>().ToArray());
    }

    [Fact]
    public void TruncatedFileIsAClearError()
    {
        using var dir = new TempDir();
        var path = dir.Bytes("bad.safetensors", [1, 0, 0, 0]);
        var e = Assert.Throws<InvalidDataException>(() => Safetensors.Read(path));
        Assert.Equal($"{path}: not a safetensors file (shorter than 8 bytes).", e.Message);
    }
}
