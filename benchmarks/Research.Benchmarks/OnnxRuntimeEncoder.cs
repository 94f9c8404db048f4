using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Research.Lib.Modeling;
using Research.Lib.Text;

namespace Research.Benchmarks;

/// <summary>
/// The reference a .NET user would otherwise pick: ONNX Runtime running the original graph (all graph
/// optimizations on, which fuses attention and LayerNorm), fed by the same tokenizer, batches (sorted by length),
/// pooling and normalization as the kit's <see cref="SentenceEncoder.Encode"/>.
/// </summary>
internal sealed class OnnxRuntimeEncoder : IDisposable
{
    private readonly InferenceSession _session;
    private readonly SessionOptions _options;

    public OnnxRuntimeEncoder(byte[] onnx, int threads)
    {
        _options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        _session = new InferenceSession(onnx, _options);
    }

    public float[] Encode(IReadOnlyList<string> texts, ITextTokenizer tokenizer, int maxLength, PoolingMode pooling, bool normalize, string prefix, int batchSize)
    {
        const int dim = 384;
        var result = new float[texts.Count * dim];
        foreach (var (idx, batch) in Batches(texts, tokenizer, maxLength, prefix, batchSize))
        {
            var (b, s) = (batch.Count, batch.Length);
            using var outputs = _session.Run(Inputs(batch), ["last_hidden_state"]);
            var hidden = outputs[0].AsTensor<float>().ToArray();
            var width = hidden.Length / (b * s);
            if (width != dim) throw new InvalidDataException($"hidden width {width}, expected {dim}");
            for (var j = 0; j < b; j++)
            {
                var v = new double[dim];
                if (pooling == PoolingMode.Cls)
                {
                    for (var d = 0; d < dim; d++) v[d] = hidden[(j * s) * dim + d];
                }
                else
                {
                    var n = 0;
                    for (var t = 0; t < s; t++)
                    {
                        if (batch.Mask[j * s + t] == 0) continue;
                        n++;
                        for (var d = 0; d < dim; d++) v[d] += hidden[(j * s + t) * dim + d];
                    }
                    for (var d = 0; d < dim; d++) v[d] /= Math.Max(n, 1);
                }
                var norm = normalize ? Math.Max(Math.Sqrt(v.Sum(x => x * x)), 1e-12) : 1.0;
                for (var d = 0; d < dim; d++) result[idx[j] * dim + d] = (float)(v[d] / norm);
            }
        }
        return result;
    }

    /// <summary>
    /// The kit's exported pipeline (<c>research model export-onnx</c>): its <c>sentence_embedding</c> output as is, in
    /// batches sorted by length as <see cref="Encode"/>.
    /// </summary>
    public float[] EncodeExported(IReadOnlyList<string> texts, ITextTokenizer tokenizer, int maxLength, string prefix, int batchSize, int dim)
    {
        var result = new float[texts.Count * dim];
        foreach (var (idx, batch) in Batches(texts, tokenizer, maxLength, prefix, batchSize))
        {
            using var outputs = _session.Run(Inputs(batch), ["sentence_embedding"]);
            var vectors = outputs[0].AsTensor<float>().ToArray();
            if (vectors.Length != batch.Count * dim) throw new InvalidDataException($"sentence_embedding has {vectors.Length / batch.Count} values a text, expected {dim}");
            for (var j = 0; j < batch.Count; j++) Array.Copy(vectors, j * dim, result, idx[j] * dim, dim);
        }
        return result;
    }

    /// <summary>The texts in batches of similar length (longest first), each with the texts' positions.</summary>
    private static IEnumerable<(int[] Indices, TokenBatch Batch)> Batches(IReadOnlyList<string> texts, ITextTokenizer tokenizer, int maxLength, string prefix, int batchSize)
    {
        var order = Enumerable.Range(0, texts.Count).OrderByDescending(i => texts[i].Length).ThenBy(i => i).ToArray();
        for (var start = 0; start < order.Length; start += batchSize)
        {
            var idx = order.Skip(start).Take(batchSize).ToArray();
            yield return (idx, TokenBatch.Pad(idx.Select(i => tokenizer.Encode(prefix + texts[i], maxLength)).ToList(), tokenizer.PadId));
        }
    }

    private static List<NamedOnnxValue> Inputs(TokenBatch batch)
    {
        var (b, s) = (batch.Count, batch.Length);
        return
        [
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(batch.Ids, [b, s])),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(batch.Mask, [b, s])),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(batch.TypeIds, [b, s])),
        ];
    }

    public void Dispose()
    {
        _session.Dispose();
        _options.Dispose();
    }
}
