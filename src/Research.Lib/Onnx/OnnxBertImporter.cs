using Research.Lib.Modeling;
using Research.Lib.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Research.Lib.Onnx;

/// <summary>
/// Turns an ONNX export of a BERT encoder (torch.onnx / optimum, opset 11 and later, unfused operators) into the
/// kit's <see cref="SentenceEncoder"/> with Hugging Face parameter names. Embedding, LayerNorm and bias
/// initializers keep their Hugging Face names in such exports; linear weights do not (numbered names, stored
/// transposed as the right operand of a MatMul), so each one is named after the bias its MatMul's Add adds.
/// The configuration is read off the graph: layers and sizes from the tensors, heads from the attention
/// Reshape, the activation from its operators (Erf: exact GELU; Tanh: the tanh approximation; Relu) and the
/// LayerNorm epsilon from the constant added to the variance.
/// </summary>
public static class OnnxBertImporter
{
    private static readonly string[] Prefixes = ["bert.", "model.", "roberta."];

    /// <summary>Imports the graph with a WordPiece vocabulary (vocab.txt lines).</summary>
    public static SentenceEncoder Import(OnnxGraph graph, IReadOnlyList<string> vocab, OnnxImportOptions options, string source)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(vocab);
        ArgumentNullException.ThrowIfNull(options);
        if (graph.Nodes.FirstOrDefault(n => n.OpType is "MatMulInteger" or "DynamicQuantizeLinear" or "DynamicQuantizeMatMul" or "QLinearMatMul") is { } quantized)
            throw new InvalidDataException($"{source}: a quantized graph ({quantized.OpType} node '{quantized.Name}'): int8 weights cannot be trained; import the float32 graph of the same model instead.");
        var weights = Weights(graph, source);
        var config = InferConfig(graph, weights, source);
        var lower = options.LowerCase ?? IsUncased(vocab);
        var tokenizer = WordPieceTextTokenizer.Create(vocab, new WordPieceSettings { LowerCase = lower, StripAccents = lower });
        if (tokenizer.VocabSize != config.VocabSize)
            throw new InvalidDataException($"{source}: the vocabulary has {tokenizer.VocabSize} tokens but the graph's word embeddings have {config.VocabSize} rows; is it the vocab.txt of this model?");
        var tensors = weights.ToDictionary(kv => kv.Key, kv => ToTensor(kv.Value, kv.Key.EndsWith(".weight", StringComparison.Ordinal) && kv.Value.Transposed));
        var model = CheckpointLoader.CreateModel(config, tensors, source);
        var maxLength = options.MaxLength ?? config.MaxTokens;
        if (maxLength <= 0 || maxLength > config.MaxTokens)
            throw new ArgumentException($"--max-length {maxLength}: the graph has {config.MaxTokens} positions; expected 1..{config.MaxTokens}.");
        var settings = new SentenceEncoderSettings
        {
            Pooling = options.Pooling,
            Normalize = options.Normalize,
            MaxSeqLength = maxLength,
            QueryInstruction = options.QueryInstruction,
        };
        return new SentenceEncoder(tokenizer, model, settings);
    }

    /// <summary>
    /// Uncased BERT vocabularies (bert-base-uncased and its descendants) hold no ASCII capital outside the bracketed
    /// specials; cased ones hold thousands. (Symbols such as ℝ count as upper-case letters in Unicode, so only A-Z count.)
    /// </summary>
    public static bool IsUncased(IReadOnlyList<string> vocab) =>
        !vocab.Any(t => !(t.StartsWith('[') && t.EndsWith(']')) && t.Any(ch => ch is >= 'A' and <= 'Z'));

    private sealed record Weight(OnnxTensor Tensor, bool Transposed);

    /// <summary>The graph's parameters under Hugging Face names.</summary>
    private static Dictionary<string, Weight> Weights(OnnxGraph graph, string source)
    {
        var fused = graph.Nodes.Select(n => n.OpType).Where(op => op is "Attention" or "MultiHeadAttention" or "SkipLayerNormalization"
            or "EmbedLayerNormalization" or "FastGelu" or "BiasGelu").Distinct().ToList();
        if (fused.Count > 0)
            throw new InvalidDataException($"{source}: the graph uses fused ONNX Runtime operators ({string.Join(", ", fused)}), written by an optimizer; import the plain export (torch.onnx / optimum without optimization).");
        if (graph.Nodes.Any(n => n.OpType == "CumSum"))
            throw new NotSupportedException($"{source}: RoBERTa-style position ids (CumSum) found; import-onnx reads BERT graphs (vocab.txt WordPiece). Convert XLM-R / RoBERTa models from their Hugging Face folders instead.");
        var result = new Dictionary<string, Weight>(StringComparer.Ordinal);
        foreach (var (name, tensor) in graph.Initializers)
        {
            var hf = Strip(name);
            if (hf.StartsWith("embeddings.", StringComparison.Ordinal) && hf.EndsWith(".weight", StringComparison.Ordinal)
                || hf.StartsWith("encoder.layer.", StringComparison.Ordinal) || hf.StartsWith("pooler.", StringComparison.Ordinal)
                || hf.StartsWith("embeddings.LayerNorm.", StringComparison.Ordinal))
                result[hf] = new Weight(tensor, false);
        }
        if (!result.ContainsKey("embeddings.word_embeddings.weight"))
            throw new InvalidDataException($"{source}: not a BERT-family graph: no initializer named embeddings.word_embeddings.weight (initializers: {string.Join(", ", graph.Initializers.Keys.Take(8))}, ...).");
        // Linear layers: MatMul(x, W) followed by Add(b, ·) whose bias b has the Hugging Face name "<module>.bias".
        foreach (var matmul in graph.Nodes.Where(n => n.OpType == "MatMul"))
        {
            if (matmul.Inputs.Count != 2 || !graph.Initializers.TryGetValue(matmul.Inputs[1], out var w) || w.Dims.Length != 2) continue;
            var add = graph.Consumers(matmul.Outputs[0]).FirstOrDefault(n => n.OpType == "Add");
            var bias = add?.Inputs.FirstOrDefault(i => i != matmul.Outputs[0] && i.EndsWith(".bias", StringComparison.Ordinal) && graph.Initializers.ContainsKey(i));
            if (bias is null) continue;
            var name = Strip(bias)[..^".bias".Length] + ".weight";
            if (!result.ContainsKey(name)) result[name] = new Weight(w, true);
        }
        // Gemm(x, W, b) with transB=1 keeps the Hugging Face layout (pooler exports).
        foreach (var gemm in graph.Nodes.Where(n => n.OpType == "Gemm" && n.Inputs.Count == 3))
        {
            if (!graph.Initializers.TryGetValue(gemm.Inputs[1], out var w) || !gemm.Inputs[2].EndsWith(".bias", StringComparison.Ordinal)) continue;
            var transposed = !(gemm.Attributes.TryGetValue("transB", out var tb) && tb.Int == 1);
            var name = Strip(gemm.Inputs[2])[..^".bias".Length] + ".weight";
            if (!result.ContainsKey(name)) result[name] = new Weight(w, transposed);
        }
        return result;
    }

    private static TransformerConfig InferConfig(OnnxGraph graph, Dictionary<string, Weight> weights, string source)
    {
        Weight Need(string name) => weights.TryGetValue(name, out var w) ? w
            : throw new InvalidDataException($"{source}: no tensor for {name} found in the graph.");
        var words = Need("embeddings.word_embeddings.weight").Tensor;
        var positions = Need("embeddings.position_embeddings.weight").Tensor;
        var types = Need("embeddings.token_type_embeddings.weight").Tensor;
        var layers = weights.Keys.Where(k => k.StartsWith("encoder.layer.", StringComparison.Ordinal))
            .Select(k => int.Parse(k.Split('.')[2], System.Globalization.CultureInfo.InvariantCulture)).Distinct().Count();
        if (layers == 0)
            throw new InvalidDataException($"{source}: no encoder.layer.N tensors found.");
        var hidden = (int)words.Dims[1];
        var intermediate = Need("encoder.layer.0.intermediate.dense.weight");
        var intermediateSize = (int)(intermediate.Transposed ? intermediate.Tensor.Dims[1] : intermediate.Tensor.Dims[0]);
        return new TransformerConfig
        {
            ModelType = "bert",
            VocabSize = (int)words.Dims[0],
            HiddenSize = hidden,
            NumHiddenLayers = layers,
            NumAttentionHeads = Heads(graph, hidden, source),
            IntermediateSize = intermediateSize,
            HiddenAct = Activation(graph, source),
            MaxPositionEmbeddings = (int)positions.Dims[0],
            TypeVocabSize = (int)types.Dims[0],
            LayerNormEps = LayerNormEps(graph),
            PadTokenId = 0,
        };
    }

    /// <summary>Heads: the third entry of the shape the query/key projection is reshaped to, (batch, seq, heads, head_dim).</summary>
    private static int Heads(OnnxGraph graph, int hidden, string source)
    {
        foreach (var reshape in graph.Nodes.Where(n => n.OpType == "Reshape" && n.Inputs.Count == 2))
        {
            var shape = ConstantInts(graph, reshape.Inputs[1]);
            if (shape is { Count: 4 } && shape[2] is > 0 and var heads && shape[3] is > 0 and var dim && heads * dim == hidden)
                return (int)heads;
        }
        throw new InvalidDataException($"{source}: could not find the number of attention heads (no Reshape to (batch, seq, heads, head_dim) with heads × head_dim = {hidden}).");
    }

    /// <summary>Values of a constant shape tensor, following Concat / Unsqueeze; unknown entries are -1.</summary>
    private static List<long>? ConstantInts(OnnxGraph graph, string value)
    {
        if (graph.Initializers.TryGetValue(value, out var t))
            return t.Ints?.ToList();
        var node = graph.Producer(value);
        if (node is null) return null;
        if (node.OpType == "Concat")
        {
            var all = new List<long>();
            foreach (var input in node.Inputs)
                all.AddRange(ConstantInts(graph, input) ?? [-1]);
            return all;
        }
        if (node.OpType == "Unsqueeze")
            return ConstantInts(graph, node.Inputs[0]) ?? [-1];
        return null;
    }

    private static string Activation(OnnxGraph graph, string source)
    {
        var ops = graph.Nodes.Select(n => n.OpType).ToHashSet(StringComparer.Ordinal);
        if (ops.Contains("Erf") || ops.Contains("Gelu")) return "gelu";
        if (ops.Contains("Tanh")) return "gelu_new";
        if (ops.Contains("Relu")) return "relu";
        throw new InvalidDataException($"{source}: no activation found in the feed-forward layers (Erf, Gelu, Tanh or Relu).");
    }

    /// <summary>LayerNormalization's epsilon attribute, or the constant added to the variance before Sqrt in the decomposed form.</summary>
    private static double LayerNormEps(OnnxGraph graph)
    {
        var ln = graph.Nodes.FirstOrDefault(n => n.OpType == "LayerNormalization");
        if (ln is not null)
            return ln.Attributes.TryGetValue("epsilon", out var eps) && eps.Float is { } e ? Shortest(e) : 1e-5;
        foreach (var sqrt in graph.Nodes.Where(n => n.OpType == "Sqrt"))
        {
            var add = graph.Producer(sqrt.Inputs[0]);
            if (add?.OpType != "Add") continue;
            foreach (var input in add.Inputs)
                if (graph.Initializers.TryGetValue(input, out var c) && c.IsFloat && c.Count == 1)
                    return Shortest(c.Floats![0]);
        }
        return 1e-12;
    }

    /// <summary>The double a float32 constant was written from (1e-12, not 9.99999996e-13).</summary>
    private static double Shortest(float f) => double.Parse(f.ToString("R", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);

    private static string Strip(string name)
    {
        foreach (var p in Prefixes)
            if (name.StartsWith(p, StringComparison.Ordinal)) return name[p.Length..];
        return name;
    }

    private static Tensor ToTensor(Weight w, bool transpose)
    {
        var t = w.Tensor;
        if (!t.IsFloat)
            return torch.tensor(t.Ints!, t.Dims);
        var tensor = torch.tensor(t.Floats!, t.Dims);
        if (!transpose) return tensor;
        var result = tensor.t().contiguous();
        tensor.Dispose();
        return result;
    }
}
