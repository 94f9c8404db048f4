using Research.Lib.Modeling;
using Research.Lib.Onnx;
using Research.Lib.Text;
using TorchSharp;

namespace Research.Lib.Tests.Onnx;

public class OnnxExportTests
{
    private static string Toy(string name) => Path.Combine(TestPaths.ToyData, name);

    private static readonly string[] Texts = File.ReadLines(Toy("toy_unsup.txt")).Where(l => l.Length > 0).Take(12)
        .Append("a").Append("The quick brown fox jumps over the lazy dog, again and again and again.").ToArray();

    private static TokenBatch Batch(SentenceEncoder encoder, IReadOnlyList<string> texts) =>
        TokenBatch.Pad(texts.Select(t => encoder.Tokenizer.Encode(t, encoder.Settings.MaxSeqLength)).ToList(), encoder.Tokenizer.PadId);

    private static SentenceEncoder Variant(string model, PoolingMode pooling, bool normalize, int? projection)
    {
        using var loaded = SentenceEncoder.Load(Toy(model));
        var state = CheckpointLoader.StateDict(loaded.Model);
        var copy = new BertModel(loaded.Model.Config, loaded.Model.HasPooler);
        CheckpointLoader.Load(copy, state, "copy");
        DenseProjection? dense = null;
        if (projection is { } dim)
        {
            dense = new DenseProjection(copy.Config.HiddenSize, dim, bias: true, tanh: true);
            using var noGrad = torch.no_grad();
            var g = new torch.Generator(7);
            foreach (var (_, p) in dense.named_parameters()) p.normal_(0, 0.2, g);
        }
        return new SentenceEncoder(TokenizerLoader.Load(Toy(model)), copy,
            loaded.Settings with { Pooling = pooling, Normalize = normalize }, dense);
    }

    [Theory]
    [InlineData("tiny-bert", PoolingMode.Mean, true, null)]
    [InlineData("tiny-bert", PoolingMode.Cls, false, null)]
    [InlineData("tiny-bert", PoolingMode.LastToken, true, null)]
    [InlineData("tiny-bert", PoolingMode.Mean, true, 16)]
    [InlineData("tiny-xlmr", PoolingMode.Mean, false, null)]
    [InlineData("tiny-xlmr", PoolingMode.Cls, true, 8)]
    public void ExportedPipelineEqualsEncodeInOnnxRuntime(string model, PoolingMode pooling, bool normalize, int? projection)
    {
        using var encoder = Variant(model, pooling, normalize, projection);
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "model.onnx");
        OnnxExporter.Export(encoder, path);

        var batch = Batch(encoder, Texts);
        var ort = OnnxRuntimeReference.Run(File.ReadAllBytes(path), batch, "sentence_embedding", "token_embeddings");
        var expected = encoder.Encode(Texts);
        Assert.Equal([Texts.Length, encoder.Dimension], ort["sentence_embedding"].Shape);
        Assert.Equal([Texts.Length, batch.Length, encoder.Model.Config.HiddenSize], ort["token_embeddings"].Shape);
        var maxDiff = expected.Data.Zip(ort["sentence_embedding"].Values, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxDiff <= 1e-5, $"max |kit - onnxruntime| = {maxDiff}");

        using var noGrad = torch.no_grad();
        var (ids, mask, types) = batch.ToTensors();
        encoder.Model.eval();
        using var hidden = encoder.Model.forward(ids, mask, types);
        var tokenDiff = hidden.data<float>().ToArray().Zip(ort["token_embeddings"].Values, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(tokenDiff <= 1e-5, $"token embeddings: max |kit - onnxruntime| = {tokenDiff}");
    }

    [Fact]
    public void ExportedBertImportsBackUnchanged()
    {
        using var encoder = SentenceEncoder.Load(Toy("tiny-bert"));
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "model.onnx");
        OnnxExporter.Export(encoder, path);
        var vocab = File.ReadAllLines(Path.Combine(Toy("tiny-bert"), "vocab.txt"));
        using var imported = OnnxBertImporter.Import(OnnxGraph.Load(path), vocab,
            new OnnxImportOptions { Pooling = encoder.Settings.Pooling, Normalize = encoder.Settings.Normalize, MaxLength = encoder.Settings.MaxSeqLength }, path);
        Assert.Equal(encoder.Model.Config, imported.Model.Config);
        Assert.Equal(encoder.Encode(Texts).Data, imported.Encode(Texts).Data);
    }

    [Fact]
    public void ExportRefusesAFolderAsOutput()
    {
        using var encoder = SentenceEncoder.Load(Toy("tiny-bert"));
        using var dir = new TempDir();
        var e = Assert.Throws<IOException>(() => OnnxExporter.Export(encoder, dir.Path));
        Assert.Equal($"--out {dir.Path}: is a folder; expected an .onnx file path.", e.Message);
    }
}
