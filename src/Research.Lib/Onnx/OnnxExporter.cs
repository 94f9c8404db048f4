using Research.Lib.Modeling;
using TorchSharp;
using static Research.Lib.Onnx.OnnxGraphBuilder;

namespace Research.Lib.Onnx;

/// <summary>
/// Writes a <see cref="SentenceEncoder"/> as one ONNX graph (opset 17) that does everything the kit's
/// <c>Encode</c> does after tokenization: embeddings, every encoder layer, pooling (cls, mean or last token),
/// the optional Dense projection and the optional L2 normalization. Inputs <c>input_ids</c>,
/// <c>attention_mask</c>, <c>token_type_ids</c> (int64, batch × sequence, both axes dynamic); outputs
/// <c>sentence_embedding</c> (batch × dimension) and <c>token_embeddings</c> (batch × sequence × hidden).
/// Initializers keep Hugging Face names and layouts (linear weights are transposed by a Transpose node that
/// ONNX Runtime folds at load), so the file imports back into the kit unchanged. With
/// <see cref="OnnxQuantization.Int8"/> the linear layers are dynamic int8 (<see cref="QuantizedLinear"/>), for serving
/// on CPUs; such a file is not imported back.
/// </summary>
public static class OnnxExporter
{
    public const long Opset = 17;

    /// <param name="encoder">the encoder to write</param>
    /// <param name="path">the .onnx file (written whole)</param>
    /// <param name="quantization">float32 linear layers (default) or dynamic int8 (<see cref="OnnxQuantization.Int8"/>), for CPU serving</param>
    public static void Export(SentenceEncoder encoder, string path, OnnxQuantization quantization = OnnxQuantization.None)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
            throw new IOException($"--out {path}: is a folder; expected an .onnx file path.");
        var c = encoder.Model.Config;
        var state = CheckpointLoader.StateDict(encoder.Model);
        try
        {
            var g = new OnnxGraphBuilder(Opset);
            string W(string name) => g.Floats(name, Values(state[name]), state[name].shape);
            string Linear(string x, string module)
            {
                if (quantization == OnnxQuantization.Int8) return QuantizedLinear(g, x, module, state);
                var weightT = g.Node("Transpose", [W(module + ".weight")], IntsAttribute("perm", 1, 0));
                return g.Node("Add", [g.Node("MatMul", [x, weightT]), W(module + ".bias")]);
            }
            string LayerNorm(string x, string module) =>
                g.Node("LayerNormalization", [x, W(module + ".weight"), W(module + ".bias")],
                    Both(IntAttribute("axis", -1), FloatAttribute("epsilon", (float)c.LayerNormEps)));

            g.Input("input_ids", false, "batch", "sequence");
            g.Input("attention_mask", false, "batch", "sequence");
            g.Input("token_type_ids", false, "batch", "sequence");

            // Embeddings. Positions: 0..seq-1 (BERT) or pad+1+cumulative count of real tokens (RoBERTa / XLM-R).
            string positions;
            if (c.IsRoberta)
            {
                var pad = g.Ints("pad_token_id", [c.PadTokenId]);
                var notPad = g.Node("Cast", [g.Node("Not", [g.Node("Equal", ["input_ids", pad])])], IntAttribute("to", 7));
                var count = g.Node("CumSum", [notPad, g.Ints("axis_1", [1])]);
                positions = g.Node("Add", [g.Node("Mul", [count, notPad]), pad]);
            }
            else
            {
                var seq = g.Node("Gather", [g.Node("Shape", ["input_ids"]), g.Ints("index_1", [1])], IntAttribute("axis", 0));
                positions = g.Node("Range", [g.Ints("zero", [0]), seq, g.Ints("one", [1])]);
            }
            var embedded = g.Node("Add", [
                g.Node("Add", [g.Node("Gather", [W("embeddings.word_embeddings.weight"), "input_ids"]),
                               g.Node("Gather", [W("embeddings.token_type_embeddings.weight"), "token_type_ids"])]),
                g.Node("Gather", [W("embeddings.position_embeddings.weight"), positions])]);
            var hidden = LayerNorm(embedded, "embeddings.LayerNorm");

            // Additive attention bias: 0 for tokens, the lowest float for padding; (batch, 1, 1, seq).
            var maskFloat = g.Node("Cast", ["attention_mask"], IntAttribute("to", 1));
            var bias = g.Node("Mul", [g.Node("Sub", [g.Node("Unsqueeze", [maskFloat, g.IntVector(1, 2)]), g.Scalar(1f)]), g.Scalar(float.MaxValue)]);
            var headDim = c.HiddenSize / c.NumAttentionHeads;
            var headsShape = g.IntVector(0, 0, c.NumAttentionHeads, headDim);
            var mergedShape = g.IntVector(0, 0, c.HiddenSize);
            var scale = g.Scalar((float)(1.0 / Math.Sqrt(headDim)));
            for (var layer = 0; layer < c.NumHiddenLayers; layer++)
            {
                var p = $"encoder.layer.{layer}.";
                string Heads(string module, params long[] perm) =>
                    g.Node("Transpose", [g.Node("Reshape", [Linear(hidden, p + "attention.self." + module), headsShape])], IntsAttribute("perm", perm));
                var q = Heads("query", 0, 2, 1, 3);                       // (batch, heads, seq, headDim)
                var kT = Heads("key", 0, 2, 3, 1);                        // (batch, heads, headDim, seq)
                var v = Heads("value", 0, 2, 1, 3);
                var scores = g.Node("Add", [g.Node("Mul", [g.Node("MatMul", [q, kT]), scale]), bias]);
                var context = g.Node("MatMul", [g.Node("Softmax", [scores], IntAttribute("axis", -1)), v]);
                var merged = g.Node("Reshape", [g.Node("Transpose", [context], IntsAttribute("perm", 0, 2, 1, 3)), mergedShape]);
                var attention = LayerNorm(g.Node("Add", [Linear(merged, p + "attention.output.dense"), hidden]), p + "attention.output.LayerNorm");
                var inner = Activation(g, Linear(attention, p + "intermediate.dense"), c.HiddenAct);
                hidden = LayerNorm(g.Node("Add", [Linear(inner, p + "output.dense"), attention]), p + "output.LayerNorm");
            }
            g.Node("Identity", [hidden], output: "token_embeddings");

            var pooled = Pool(g, hidden, encoder.Settings.Pooling);
            if (encoder.Projection is { } dense)
            {
                var dState = dense.named_parameters().ToDictionary(x => x.name, x => x.parameter.detach().cpu());
                var wT = g.Node("Transpose", [g.Floats("2_Dense.linear.weight", Values(dState["linear.weight"]), dState["linear.weight"].shape)], IntsAttribute("perm", 1, 0));
                pooled = g.Node("MatMul", [pooled, wT]);
                if (dense.HasBias)
                    pooled = g.Node("Add", [pooled, g.Floats("2_Dense.linear.bias", Values(dState["linear.bias"]), dState["linear.bias"].shape)]);
                if (dense.Tanh)
                    pooled = g.Node("Tanh", [pooled]);
            }
            if (encoder.Settings.Normalize)
            {
                // F.normalize: x / max(||x||, 1e-12)
                var norm = g.Node("Max", [g.Node("ReduceL2", [pooled], Both(IntsAttribute("axes", 1), IntAttribute("keepdims", 1))), g.Scalar(1e-12f)]);
                pooled = g.Node("Div", [pooled, norm]);
            }
            g.Node("Identity", [pooled], output: "sentence_embedding");
            g.Output("sentence_embedding", true, "batch", encoder.Dimension.ToString(System.Globalization.CultureInfo.InvariantCulture));
            g.Output("token_embeddings", true, "batch", "sequence", c.HiddenSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var s = encoder.Settings;
            g.Save(path, "research-kit",
                $"Sentence embeddings: {c.ModelType} {c.NumHiddenLayers}x{c.HiddenSize}{(quantization == OnnxQuantization.Int8 ? ", linear layers dynamic int8" : "")}, pooling {s.Pooling.ToString().ToLowerInvariant()}, normalize {s.Normalize}, max_seq_length {s.MaxSeqLength}, query instruction \"{s.QueryInstruction}\". Tokenize with the model folder's tokenizer.");
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }

    /// <summary>
    /// x · Wᵀ + b with W as int8 (<see cref="OnnxQuantization.Int8"/>): the weight transposed to (in, out) and stored as
    /// <c>MODULE.weight_quantized</c>, one scale per output channel in <c>MODULE.weight_scale</c> (out) and zero points
    /// of 0 in <c>MODULE.weight_zero_point</c> (out), as ONNX Runtime's <c>per_channel=True</c> writes them; x quantized
    /// per call to uint8. The int32 product (…, out) is scaled by x's scale times each column's weight scale.
    /// </summary>
    internal static string QuantizedLinear(OnnxGraphBuilder g, string x, string module, Dictionary<string, torch.Tensor> state)
    {
        var weight = state[module + ".weight"];
        var (rows, cols) = (weight.shape[0], weight.shape[1]);                 // (out, in)
        var (quantized, scales) = QuantizePerChannel(Values(weight), (int)rows, (int)cols);
        var transposed = new sbyte[quantized.Length];
        for (var o = 0; o < rows; o++)
            for (var i = 0; i < cols; i++) transposed[i * rows + o] = quantized[o * cols + i];
        var w = g.Int8s(module + ".weight_quantized", transposed, cols, rows);
        var wScale = g.Floats(module + ".weight_scale", scales, rows);
        var wZero = g.Int8s(module + ".weight_zero_point", new sbyte[rows], rows);
        var xq = g.Nodes("DynamicQuantizeLinear", [x], 3);                   // uint8 values, scale, zero point
        var product = g.Node("Cast", [g.Node("MatMulInteger", [xq[0], w, xq[2], wZero])], IntAttribute("to", 1));
        var scaled = g.Node("Mul", [product, g.Node("Mul", [xq[1], wScale])]);  // (…, out) × (out)
        var bias = state[module + ".bias"];
        return g.Node("Add", [scaled, g.Floats(module + ".bias", Values(bias), bias.shape)]);
    }

    /// <summary>
    /// Per-output-channel symmetric int8 (ONNX Runtime's <c>per_channel=True</c>): each row of a row-major (out, in)
    /// weight quantized on its own with <see cref="QuantizeSymmetric"/>, so a row of small weights keeps its resolution
    /// instead of sharing the scale of the layer's largest weight.
    /// </summary>
    internal static (sbyte[] Values, float[] Scales) QuantizePerChannel(float[] weight, int rows, int cols)
    {
        if (weight.Length != rows * cols)
            throw new ArgumentException($"A ({rows}, {cols}) weight has {rows * cols} values, not {weight.Length}.", nameof(weight));
        var q = new sbyte[weight.Length];
        var scales = new float[rows];
        for (var o = 0; o < rows; o++)
        {
            var (rowValues, scale) = QuantizeSymmetric(weight.AsSpan(o * cols, cols).ToArray());
            rowValues.CopyTo(q, o * cols);
            scales[o] = scale;
        }
        return (q, scales);
    }

    /// <summary>
    /// Symmetric int8 quantization of a weight with ONNX Runtime's reduced range for QInt8 weights
    /// (<c>quantize_dynamic(..., reduce_range=True)</c>): scale max |w| / 64 (1 for an all-zero weight), q =
    /// round-half-to-even(w / scale) clamped to [−64, 64]. The full range (/ 127) is exact only on CPUs with VNNI: on
    /// AVX2 and AVX-512 without VNNI, ONNX Runtime's uint8 × int8 kernel (VPMADDUBSW) adds two products in 16 bits and
    /// saturates when they pass 32,767 (255 · 127 · 2 does; 255 · 64 · 2 = 32,640 does not). Measured on an AMD EPYC
    /// without VNNI: one quantized layer off by 0.20 from the arithmetic ONNX defines with / 127, exact with / 64.
    /// </summary>
    internal static (sbyte[] Values, float Scale) QuantizeSymmetric(float[] weight)
    {
        const float levels = 64f;
        var max = weight.Length == 0 ? 0f : weight.Max(MathF.Abs);
        var scale = max > 0 ? max / levels : 1f;
        var q = new sbyte[weight.Length];
        for (var k = 0; k < weight.Length; k++) q[k] = (sbyte)Math.Clamp(MathF.Round(weight[k] / scale, MidpointRounding.ToEven), -levels, levels);
        return (q, scale);
    }

    private static string Activation(OnnxGraphBuilder g, string x, string act) => act switch
    {
        // exact GELU: x * 0.5 * (1 + erf(x / sqrt 2))
        "gelu" => g.Node("Mul", [g.Node("Mul", [x, g.Scalar(0.5f)]), g.Node("Add", [g.Node("Erf", [g.Node("Div", [x, g.Scalar(MathF.Sqrt(2f))])]), g.Scalar(1f)])]),
        // tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        "gelu_new" or "gelu_pytorch_tanh" => g.Node("Mul", [g.Node("Mul", [x, g.Scalar(0.5f)]), g.Node("Add", [g.Node("Tanh", [g.Node("Mul", [
            g.Node("Add", [x, g.Node("Mul", [g.Node("Mul", [g.Node("Mul", [x, x]), x]), g.Scalar(0.044715f)])]), g.Scalar(MathF.Sqrt(2f / MathF.PI))])]), g.Scalar(1f)])]),
        "relu" => g.Node("Relu", [x]),
        _ => throw new NotSupportedException($"Activation '{act}' cannot be exported."),
    };

    private static string Pool(OnnxGraphBuilder g, string hidden, PoolingMode mode)
    {
        switch (mode)
        {
            case PoolingMode.Cls:
                return g.Node("Gather", [hidden, g.Ints("index_0", [0])], IntAttribute("axis", 1));                             // scalar index: (batch, hidden)
            case PoolingMode.Mean:
                var m = g.Node("Unsqueeze", [g.Node("Cast", ["attention_mask"], IntAttribute("to", 1)), g.IntVector(2)]);   // (batch, seq, 1)
                var sum = g.Node("ReduceSum", [g.Node("Mul", [hidden, m]), g.IntVector(1)], IntAttribute("keepdims", 0));     // (batch, hidden)
                var count = g.Node("Max", [g.Node("ReduceSum", [m, g.IntVector(1)], IntAttribute("keepdims", 0)), g.Scalar(1e-9f)]);
                return g.Node("Div", [sum, count]);
            case PoolingMode.LastToken:
                var last = g.Node("Sub", [g.Node("ReduceSum", ["attention_mask", g.IntVector(1)], IntAttribute("keepdims", 1)), g.IntVector(1)]); // (batch, 1)
                var shape = g.Node("Shape", [hidden]);
                var index = g.Node("Expand", [g.Node("Unsqueeze", [last, g.IntVector(2)]),
                    g.Node("Concat", [g.Node("Slice", [shape, g.IntVector(0), g.IntVector(1)]), g.IntVector(1), g.Node("Slice", [shape, g.IntVector(2), g.IntVector(3)])], IntAttribute("axis", 0))]);
                return g.Node("Squeeze", [g.Node("GatherElements", [hidden, index], IntAttribute("axis", 1)), g.IntVector(1)]);
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown pooling mode.");
        }
    }

    private static float[] Values(torch.Tensor t)
    {
        using var f = t.to_type(torch.ScalarType.Float32).contiguous();
        return f.data<float>().ToArray();
    }
}
