using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Research.Lib.Text;

namespace Research.Lib.Tests.Onnx;

/// <summary>Runs an ONNX graph in ONNX Runtime (the reference) on a padded token batch.</summary>
internal static class OnnxRuntimeReference
{
    /// <summary>Every requested output as a flat float array with its shape.</summary>
    public static Dictionary<string, (float[] Values, int[] Shape)> Run(byte[] onnx, TokenBatch batch, params string[] outputs)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 2, InterOpNumThreads = 1 };
        using var session = new InferenceSession(onnx, options);
        var (b, s) = (batch.Count, batch.Length);
        DenseTensor<long> Tensor(Func<int, int, long> value)
        {
            var t = new DenseTensor<long>([b, s]);
            for (var i = 0; i < b; i++)
                for (var j = 0; j < s; j++) t[i, j] = value(i, j);
            return t;
        }
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("input_ids", Tensor((i, j) => batch.Ids[i * s + j])),
            NamedOnnxValue.CreateFromTensor("attention_mask", Tensor((i, j) => batch.Mask[i * s + j])),
            NamedOnnxValue.CreateFromTensor("token_type_ids", Tensor((i, j) => batch.TypeIds[i * s + j])),
        };
        using var results = session.Run(inputs, outputs);
        return results.ToDictionary(r => r.Name, r =>
        {
            var t = r.AsTensor<float>();
            return (t.ToArray(), t.Dimensions.ToArray());
        });
    }
}
