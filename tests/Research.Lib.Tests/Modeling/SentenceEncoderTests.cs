using Research.Lib.Modeling;
using Research.Lib.Text;

namespace Research.Lib.Tests.Modeling;

public class SentenceEncoderTests
{
    private static readonly string[] Texts =
    [
        "复利是什么？", "What is an emergency fund?", "黄芪的常用剂量是多少", "a", "git rebase moves commits onto another base.",
        "指数基金是按照某个指数的成分股及权重进行投资的基金，目标是复制指数的表现。",
    ];

    private static string Toy(string name) => Path.Combine(TestPaths.ToyData, name);

    [Theory]
    [InlineData("tiny-bert")]
    [InlineData("tiny-xlmr")]
    public void SaveLoadEncodeIsBitIdentical(string name)
    {
        using var dir = new TempDir();
        using var a = SentenceEncoder.Load(Toy(name));
        var before = a.Encode(Texts);
        a.Save(dir.Path);
        using var b = SentenceEncoder.Load(dir.Path);
        var after = b.Encode(Texts);
        Assert.Equal(before.Data, after.Data);
        Assert.Equal((6, 64), (after.Rows, after.Dimension));
        Assert.Equal(a.Settings, b.Settings);
    }

    [Fact]
    public void ProjectionIsSavedAndLoaded()
    {
        using var dir = new TempDir();
        var tokenizer = TokenizerLoader.Load(Toy("tiny-bert"));
        using var a = ModelInitializer.Create(tokenizer, new ModelInitOptions { ProjectionDimension = 16, Pooling = PoolingMode.Mean, Seed = 7 });
        a.Save(dir.Path);
        Assert.True(File.Exists(Path.Combine(dir.Path, "2_Dense", "model.safetensors")));
        Assert.Contains("sentence_transformers.models.Dense", File.ReadAllText(Path.Combine(dir.Path, "modules.json")));
        using var b = SentenceEncoder.Load(dir.Path);
        Assert.Equal(16, b.Dimension);
        Assert.Equal(PoolingMode.Mean, b.Settings.Pooling);
        Assert.Equal(a.Encode(Texts).Data, b.Encode(Texts).Data);
    }

    [Fact]
    public void BatchingAndOrderDoNotChangeVectors()
    {
        using var encoder = SentenceEncoder.Load(Toy("tiny-bert"));
        var all = encoder.Encode(Texts, new EncodeOptions { BatchSize = 4 });
        var reversed = encoder.Encode(Texts.Reverse().ToArray(), new EncodeOptions { BatchSize = 1 });
        for (var i = 0; i < Texts.Length; i++)
        {
            var x = all.Row(i).ToArray();
            var y = reversed.Row(Texts.Length - 1 - i).ToArray();
            Assert.Equal(x.Length, y.Length);
            for (var d = 0; d < x.Length; d++)
                Assert.True(Math.Abs(x[d] - y[d]) < 1e-5, $"text {i} dim {d}: {x[d]} vs {y[d]}");
        }
    }

    [Fact]
    public void NormalizedVectorsHaveUnitLengthAndInstructionsChangeThem()
    {
        using var encoder = SentenceEncoder.Load(Toy("tiny-bert"));
        Assert.True(encoder.Settings.Normalize);
        var m = encoder.Encode(Texts);
        for (var i = 0; i < m.Rows; i++)
            Assert.Equal(1.0, Math.Sqrt(m.Dot(i, i)), 5);
        var raw = encoder.Encode(Texts, new EncodeOptions { Normalize = false });
        Assert.NotEqual(1.0, Math.Sqrt(raw.Dot(0, 0)), 3);
        var prefixed = encoder.Encode(Texts, new EncodeOptions { Instruction = "为这个句子生成表示以用于检索相关文章：" });
        Assert.NotEqual(m.Data, prefixed.Data);
    }

    [Fact]
    public void BFloat16StaysCloseToFloat32()
    {
        using var encoder = SentenceEncoder.Load(Toy("tiny-bert"));
        var f32 = encoder.Encode(Texts);
        var bf16 = encoder.Encode(Texts, new EncodeOptions { Precision = EncodePrecision.BFloat16 });
        for (var i = 0; i < Texts.Length; i++)
        {
            var cos = 0.0;
            for (var d = 0; d < f32.Dimension; d++) cos += f32.Row(i)[d] * bf16.Row(i)[d];
            Assert.InRange(cos, 0.99, 1.0001);
        }
        Assert.NotEqual(f32.Data, bf16.Data);
        Assert.Throws<NotSupportedException>(() => encoder.Encode(Texts, new EncodeOptions { Precision = EncodePrecision.Float16 }));
    }

    [Fact]
    public void Bf16WeightsHoldHalfTheBytesAndEncodeAsBf16Inference()
    {
        using var full = SentenceEncoder.Load(Toy("tiny-bert"));
        using var half = SentenceEncoder.Load(Toy("tiny-bert"), weights: EncodePrecision.BFloat16);

        static long Bytes(SentenceEncoder e) => e.Model.parameters().Sum(p => p.numel() * p.ElementSize);
        Assert.All(half.Model.parameters(), p => Assert.Equal(TorchSharp.torch.ScalarType.BFloat16, p.dtype));
        Assert.Equal(TorchSharp.torch.ScalarType.BFloat16, half.Model.WeightType);
        Assert.Equal(Bytes(full) / 2, Bytes(half));

        var f32 = full.Encode(Texts);
        var mixed = full.Encode(Texts, new EncodeOptions { Precision = EncodePrecision.BFloat16 });
        var held = half.Encode(Texts);                                       // "as loaded": bf16
        Assert.Equal(held.Data, half.Encode(Texts, new EncodeOptions { Precision = EncodePrecision.BFloat16 }).Data);
        for (var i = 0; i < Texts.Length; i++)
        {
            double Cos(EmbeddingMatrix a, EmbeddingMatrix b) { var c = 0.0; for (var d = 0; d < a.Dimension; d++) c += a.Row(i)[d] * b.Row(i)[d]; return c; }
            Assert.InRange(Cos(held, f32), 0.99, 1.0001);
            Assert.InRange(Cos(held, mixed), 0.99, 1.0001);
        }
        Assert.NotEqual(f32.Data, held.Data);                                // bf16 really used
        Assert.Throws<NotSupportedException>(() => SentenceEncoder.Load(Toy("tiny-bert"), weights: EncodePrecision.Float16));
    }

    [Fact]
    public void AnEncoderWithHalfWeightsIsRefusedForTrainingAndSavesItsValuesWidened()
    {
        using var half = SentenceEncoder.Load(Toy("tiny-bert"), weights: EncodePrecision.BFloat16);
        var e = Assert.Throws<ArgumentException>(() => new Research.Lib.Training.FlatAdamW(half.Model.parameters(), 1e-3));
        Assert.StartsWith("FlatAdamW: the parameters are BFloat16, and training needs float32 master weights.", e.Message);

        using var dir = new TempDir();
        half.Save(dir.Path);
        using var reloaded = SentenceEncoder.Load(dir.Path);
        Assert.Equal(TorchSharp.torch.ScalarType.Float32, reloaded.Model.WeightType);
        var before = half.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in reloaded.Model.named_parameters())
            Assert.True(p.eq(before[name].to_type(TorchSharp.torch.ScalarType.Float32)).all().item<bool>(), name);
    }

    [Fact]
    public void TruncatesToMaxLength()
    {
        using var encoder = SentenceEncoder.Load(Toy("tiny-bert"));
        var longText = string.Concat(Enumerable.Repeat("复利是利滚利。", 200));
        var a = encoder.Encode([longText], new EncodeOptions { MaxLength = 16 });
        var b = encoder.Encode([string.Concat(Enumerable.Repeat("复利是利滚利。", 3))], new EncodeOptions { MaxLength = 16 });
        Assert.Equal(a.Data, b.Data); // both are cut to the same first 14 content tokens
        Assert.Equal(16, encoder.Tokenizer.Encode(longText, 16).Length);
    }

    [Fact]
    public void MissingFilesAreNamed()
    {
        using var dir = new TempDir();
        var e1 = Assert.Throws<FileNotFoundException>(() => SentenceEncoder.Load(dir.Path));
        Assert.Equal($"{dir.Path}: config.json not found; is this a Hugging Face model folder?", e1.Message);
        File.Copy(Path.Combine(Toy("tiny-bert"), "config.json"), Path.Combine(dir.Path, "config.json"));
        File.WriteAllText(Path.Combine(dir.Path, "pytorch_model.bin"), "");
        var e2 = Assert.Throws<FileNotFoundException>(() => SentenceEncoder.Load(dir.Path));
        Assert.StartsWith($"{dir.Path}: only pytorch_model.bin is present; this kit reads model.safetensors", e2.Message);
    }
}
