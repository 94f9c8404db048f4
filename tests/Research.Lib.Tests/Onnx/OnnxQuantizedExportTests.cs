using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Research.Lib.Modeling;
using Research.Lib.Onnx;
using Research.Lib.Text;
using TorchSharp;

namespace Research.Lib.Tests.Onnx;

/// <summary><c>research model export-onnx --quantize int8</c>: dynamic int8 linear layers, run by ONNX Runtime.</summary>
public class OnnxQuantizedExportTests
{
    private static string Toy(string name) => Path.Combine(TestPaths.ToyData, name);

    private static readonly string[] Texts = File.ReadLines(Toy("toy_unsup.txt")).Where(l => l.Length > 0).Take(12)
        .Append("The quick brown fox jumps over the lazy dog, again and again and again.").ToArray();

    [Fact]
    public void WeightsAreSymmetricInt8WithTheLargestMagnitudeAt64()
    {
        // ONNX Runtime's reduced range: 64 levels a side, so its uint8 × int8 kernel cannot saturate on CPUs without VNNI.
        var (q, scale) = OnnxExporter.QuantizeSymmetric([0.5f, -1.28f, 0f, 0.34f, 1.2799f, -0.009f, 0.011f]);
        Assert.Equal(1.28f / 64f, scale);
        Assert.Equal([25, -64, 0, 17, 64, 0, 1], q.Select(v => (int)v));
        var (zeros, zeroScale) = OnnxExporter.QuantizeSymmetric([0f, 0f]);
        Assert.Equal([0, 0], zeros.Select(v => (int)v));
        Assert.Equal(1f, zeroScale);
    }

    [Fact]
    public void EachOutputChannelHasItsOwnScale()
    {
        // Row 0's largest magnitude is 1.28, row 1's 0.032: with one scale for the layer, row 1 would round to {1, -1, 0}.
        var (q, scales) = OnnxExporter.QuantizePerChannel([0.5f, -1.28f, 0.34f, 0.032f, -0.016f, 0.0049f], 2, 3);
        Assert.Equal([1.28f / 64f, 0.032f / 64f], scales);
        Assert.Equal([25, -64, 17, 64, -32, 10], q.Select(v => (int)v));
        var e = Assert.Throws<ArgumentException>(() => OnnxExporter.QuantizePerChannel([1f, 2f, 3f], 2, 2));
        Assert.StartsWith("A (2, 2) weight has 4 values, not 3.", e.Message);
    }

    /// <summary>
    /// One quantized linear layer in ONNX Runtime against the same arithmetic by hand: the input quantized to uint8 as
    /// ONNX's DynamicQuantizeLinear defines it (range widened to include 0, scale (max − min) / 255, zero point
    /// round(−min / scale), values round(x / scale) + zero point saturated to [0, 255]), the integer product with the
    /// int8 weight, times x's scale and the output channel's weight scale, plus the bias.
    /// </summary>
    [Fact]
    public void AQuantizedLinearLayerComputesWhatONNXDefines()
    {
        const int batch = 3, rows = 5, cols = 7;
        var random = new Random(11);
        var x = Enumerable.Range(0, batch * cols).Select(_ => (float)(random.NextDouble() * 4 - 1.5)).ToArray();
        var wValues = Enumerable.Range(0, rows * cols).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var bValues = Enumerable.Range(0, rows).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var state = new Dictionary<string, torch.Tensor>
        {
            ["lin.weight"] = torch.tensor(wValues, [rows, cols]),
            ["lin.bias"] = torch.tensor(bValues, [rows]),
        };
        var g = new OnnxGraphBuilder(OnnxExporter.Opset);
        g.Input("x", true, "batch", cols.ToString(System.Globalization.CultureInfo.InvariantCulture));
        g.Node("Identity", [OnnxExporter.QuantizedLinear(g, "x", "lin", state)], output: "y");
        g.Output("y", true, "batch", rows.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "linear.onnx");
        g.Save(path, "test", "one quantized linear layer");
        using var session = new InferenceSession(File.ReadAllBytes(path));
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(x, [batch, cols]))]);
        var actual = results.Single().AsTensor<float>().ToArray();

        var (wq, wScales) = OnnxExporter.QuantizePerChannel(wValues, rows, cols);
        var (min, max) = (Math.Min(0f, x.Min()), Math.Max(0f, x.Max()));
        var xScale = (max - min) / 255f;
        var zero = (int)Math.Clamp(MathF.Round(-min / xScale, MidpointRounding.ToEven), 0, 255);
        var xq = x.Select(v => (int)Math.Clamp(MathF.Round(v / xScale, MidpointRounding.ToEven) + zero, 0, 255)).ToArray();
        var expected = new float[batch * rows];
        for (var n = 0; n < batch; n++)
            for (var o = 0; o < rows; o++)
            {
                var sum = 0;
                for (var i = 0; i < cols; i++) sum += (xq[n * cols + i] - zero) * wq[o * cols + i];
                expected[n * rows + o] = sum * (xScale * wScales[o]) + bValues[o];
            }
        var maxDiff = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxDiff <= 1e-6, $"max |by hand - onnxruntime| = {maxDiff}");
        foreach (var t in state.Values) t.Dispose();
    }

    /// <summary>
    /// The whole toy pipeline in int8: every linear layer of every encoder layer is a MatMulInteger on int8 weights (6 a
    /// layer), only attention's two activation products stay float MatMuls, the file is smaller, and each sentence vector
    /// keeps the float32 model's direction (cosine ≥ 0.99 on a random tiny model, whose weights quantize worst).
    /// </summary>
    [Fact]
    public void TheInt8PipelineRunsInOnnxRuntimeCloseToFloat32AndIsRefusedByTheImporter()
    {
        using var encoder = SentenceEncoder.Load(Toy("tiny-bert"));
        using var dir = new TempDir();
        var (floatPath, int8Path) = (Path.Combine(dir.Path, "model.onnx"), Path.Combine(dir.Path, "model_int8.onnx"));
        OnnxExporter.Export(encoder, floatPath);
        OnnxExporter.Export(encoder, int8Path, OnnxQuantization.Int8);
        var graph = OnnxGraph.Load(int8Path);
        var layers = encoder.Model.Config.NumHiddenLayers;
        Assert.Equal((6 * layers, 6 * layers, 2 * layers), (graph.Nodes.Count(n => n.OpType == "MatMulInteger"),
            graph.Nodes.Count(n => n.OpType == "DynamicQuantizeLinear"), graph.Nodes.Count(n => n.OpType == "MatMul")));
        Assert.True(new FileInfo(int8Path).Length < new FileInfo(floatPath).Length);

        var batch = TokenBatch.Pad(Texts.Select(t => encoder.Tokenizer.Encode(t, encoder.Settings.MaxSeqLength)).ToList(), encoder.Tokenizer.PadId);
        var int8 = OnnxRuntimeReference.Run(File.ReadAllBytes(int8Path), batch, "sentence_embedding")["sentence_embedding"].Values;
        var reference = encoder.Encode(Texts);
        var dim = encoder.Dimension;
        for (var k = 0; k < Texts.Length; k++)
        {
            var a = reference.Data.AsSpan(k * dim, dim);
            var b = int8.AsSpan(k * dim, dim);
            var dot = 0.0;
            var (na, nb) = (0.0, 0.0);
            for (var i = 0; i < dim; i++) (dot, na, nb) = (dot + a[i] * b[i], na + a[i] * a[i], nb + b[i] * b[i]);
            var cosine = dot / Math.Sqrt(na * nb);
            Assert.True(cosine >= 0.99, $"text {k}: cosine {cosine:0.0000} between float32 and int8");
        }

        var vocab = File.ReadAllLines(Path.Combine(Toy("tiny-bert"), "vocab.txt"));
        var e = Assert.Throws<InvalidDataException>(() => OnnxBertImporter.Import(graph, vocab, new OnnxImportOptions(), int8Path));
        Assert.StartsWith($"{int8Path}: a quantized graph (DynamicQuantizeLinear node 'DynamicQuantizeLinear_", e.Message);
        Assert.EndsWith("int8 weights cannot be trained; import the float32 graph of the same model instead.", e.Message);
    }
}
