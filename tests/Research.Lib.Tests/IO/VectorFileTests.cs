using Research.Lib.Modeling;

namespace Research.Lib.Tests.IO;

public class VectorFileTests
{
    private static readonly EmbeddingMatrix Sample = new([1.5f, -2, 0.25f, 3, 4, -0.5f], 2, 3);

    [Theory]
    [InlineData("v.npy")]
    [InlineData("v.f32")]
    public void RoundTripsExactly(string name)
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, name);
        Sample.Save(path);
        var back = EmbeddingMatrix.Load(path);
        Assert.Equal((2, 3), (back.Rows, back.Dimension));
        Assert.Equal(Sample.Data, back.Data);
    }

    [Fact]
    public void NpyHeaderIsNumpysVersion1Layout()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "v.npy");
        Sample.Save(path);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(128 + 24, bytes.Length); // header padded to 64-byte alignment, then 6 float32
        Assert.Equal("\u0093NUMPY\u0001\u0000", System.Text.Encoding.Latin1.GetString(bytes, 0, 8));
        Assert.Equal("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", System.Text.Encoding.ASCII.GetString(bytes, 10, 118).TrimEnd(' ', '\n'));
    }

    [SkippableFact]
    public void NumpyReadsOursAndWeReadNumpys()
    {
        var missing = ReferenceTools.PythonMissing("numpy");
        Skip.If(missing is not null, missing);
        using var dir = new TempDir();
        var ours = Path.Combine(dir.Path, "ours.npy");
        var theirs = Path.Combine(dir.Path, "theirs.npy");
        Sample.Save(ours);
        var (code, output, err) = ReferenceTools.Run("/usr/bin/python3", "-c",
            "import sys, numpy as np; a = np.load(sys.argv[1]); print(a.dtype, a.shape, a.tolist()); "
            + "np.save(sys.argv[2], np.arange(6, dtype=np.float64).reshape(3, 2) / 4)", ours, theirs);
        Assert.True(code == 0, err);
        Assert.Equal("float32 (2, 3) [[1.5, -2.0, 0.25], [3.0, 4.0, -0.5]]\n", output);
        var read = EmbeddingMatrix.Load(theirs);
        Assert.Equal((3, 2), (read.Rows, read.Dimension));
        Assert.Equal([0, 0.25f, 0.5f, 0.75f, 1, 1.25f], read.Data);
    }

    [Fact]
    public void FormatIsRecognizedByContentNotName()
    {
        using var dir = new TempDir();
        var npyNamedF32 = Path.Combine(dir.Path, "vectors.f32");
        Sample.Save(Path.Combine(dir.Path, "a.npy"));
        File.Copy(Path.Combine(dir.Path, "a.npy"), npyNamedF32);
        Assert.Equal(Sample.Data, EmbeddingMatrix.Load(npyNamedF32).Data);
    }

    [Fact]
    public void UnsupportedNpyIsNamed()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "i.npy");
        Sample.Save(path);
        var bytes = File.ReadAllBytes(path);
        System.Text.Encoding.ASCII.GetBytes("<i4").CopyTo(bytes, 21); // after "{'descr': '" at byte 10
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => EmbeddingMatrix.Load(path));
        Assert.Equal($"{path}: .npy dtype '<i4' is not supported (little-endian float32 '<f4', float64 '<f8' or float16 '<f2').", e.Message);
    }

    [Fact]
    public void FindsNonFiniteValues()
    {
        Assert.Null(Sample.FirstNonFinite());
        Assert.Equal((1, 2), new EmbeddingMatrix([0, 0, 0, 0, 0, float.PositiveInfinity], 2, 3).FirstNonFinite());
    }
}
