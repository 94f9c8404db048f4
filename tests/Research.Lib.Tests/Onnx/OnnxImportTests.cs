using Research.Lib.Modeling;
using Research.Lib.Onnx;

namespace Research.Lib.Tests.Onnx;

public class OnnxImportTests
{
    [Fact]
    public void TruncatedFileIsNotReadable()
    {
        using var dir = new TempDir();
        var path = dir.Bytes("bad.onnx", [0x3A, 0x80]); // field 7 (graph), length varint cut off
        var e = Assert.Throws<InvalidDataException>(() => OnnxGraph.Load(path));
        Assert.Equal($"{path}: not a readable ONNX model (varint runs past the end of its message).", e.Message);
    }

    [Fact]
    public void FileWithoutGraphIsRefused()
    {
        using var dir = new TempDir();
        var path = dir.Bytes("empty.onnx", [0x08, 0x08]); // ir_version 8 only
        var e = Assert.Throws<InvalidDataException>(() => OnnxGraph.Load(path));
        Assert.Equal($"{path}: not a readable ONNX model (no graph (ModelProto field 7)).", e.Message);
    }

    [Fact]
    public void FolderAndMissingFileAreNamed()
    {
        using var dir = new TempDir();
        Assert.Equal($"{dir.Path}: is a folder; expected an .onnx file.", Assert.Throws<FileNotFoundException>(() => OnnxGraph.Load(dir.Path)).Message);
        var missing = Path.Combine(dir.Path, "none.onnx");
        Assert.Equal($"{missing}: file not found.", Assert.Throws<FileNotFoundException>(() => OnnxGraph.Load(missing)).Message);
    }

    [Fact]
    public void GraphWithoutBertWeightsIsRefused()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "relu.onnx");
        var g = new OnnxGraphBuilder(17);
        g.Input("x", true, "n");
        g.Floats("w", [1f, 2f], 2);
        g.Node("Relu", ["x"], output: "y");
        g.Output("y", true, "n");
        g.Save(path, "test", "");
        var graph = OnnxGraph.Load(path);
        Assert.Equal(17, graph.Opset);
        Assert.Equal(["x"], graph.Inputs);
        Assert.Equal(["y"], graph.Outputs);
        Assert.Equal([1f, 2f], graph.Initializers["w"].Floats!);
        var e = Assert.Throws<InvalidDataException>(() => OnnxBertImporter.Import(graph, ["[PAD]"], new OnnxImportOptions(), path));
        Assert.Equal($"{path}: not a BERT-family graph: no initializer named embeddings.word_embeddings.weight (initializers: w, ...).", e.Message);
    }

    [Fact]
    public void FusedOperatorsAreRefusedWithAdvice()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "fused.onnx");
        var g = new OnnxGraphBuilder(17);
        g.Input("x", true, "n");
        g.Node("SkipLayerNormalization", ["x"], output: "y");
        g.Output("y", true, "n");
        g.Save(path, "test", "");
        var e = Assert.Throws<InvalidDataException>(() => OnnxBertImporter.Import(OnnxGraph.Load(path), ["[PAD]"], new OnnxImportOptions(), path));
        Assert.Equal($"{path}: the graph uses fused ONNX Runtime operators (SkipLayerNormalization), written by an optimizer; import the plain export (torch.onnx / optimum without optimization).", e.Message);
    }

    [Fact]
    public void VocabularyOfAnotherModelIsRefused()
    {
        using var encoder = SentenceEncoder.Load(Path.Combine(TestPaths.ToyData, "tiny-bert"));
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "m.onnx");
        OnnxExporter.Export(encoder, path);
        var vocab = File.ReadAllLines(Path.Combine(TestPaths.ToyData, "tiny-bert", "vocab.txt")).SkipLast(1).ToList();
        var e = Assert.Throws<InvalidDataException>(() => OnnxBertImporter.Import(OnnxGraph.Load(path), vocab, new OnnxImportOptions(), path));
        Assert.Equal($"{path}: the vocabulary has {vocab.Count} tokens but the graph's word embeddings have {vocab.Count + 1} rows; is it the vocab.txt of this model?", e.Message);
    }

    [Fact]
    public void MaxLengthBeyondThePositionsIsRefused()
    {
        using var encoder = SentenceEncoder.Load(Path.Combine(TestPaths.ToyData, "tiny-bert"));
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "m.onnx");
        OnnxExporter.Export(encoder, path);
        var vocab = File.ReadAllLines(Path.Combine(TestPaths.ToyData, "tiny-bert", "vocab.txt"));
        var positions = encoder.Model.Config.MaxTokens;
        var e = Assert.Throws<ArgumentException>(() => OnnxBertImporter.Import(OnnxGraph.Load(path), vocab, new OnnxImportOptions { MaxLength = positions + 1 }, path));
        Assert.Equal($"--max-length {positions + 1}: the graph has {positions} positions; expected 1..{positions}.", e.Message);
    }

    [Fact]
    public void CaseIsDecidedFromTheVocabulary()
    {
        Assert.True(OnnxBertImporter.IsUncased(["[PAD]", "[UNK]", "[CLS]", "the", "##ing", "é", "ℝ"]));
        Assert.False(OnnxBertImporter.IsUncased(["[PAD]", "[UNK]", "the", "The"]));
    }
}
