namespace Research.Lib.Onnx;

/// <summary>How <see cref="OnnxExporter"/> writes the encoder's linear layers.</summary>
public enum OnnxQuantization
{
    /// <summary>float32 weights and MatMul, as trained.</summary>
    None,

    /// <summary>
    /// Dynamic int8, as ONNX Runtime's <c>quantize_dynamic(weight_type=QInt8, reduce_range=True)</c> writes it: each
    /// linear layer's weight stored as int8 with one symmetric scale (max |w| / 64, values in [−64, 64], zero point 0;
    /// the reduced range keeps ONNX Runtime exact on CPUs without VNNI, where the full range saturates), its input quantized
    /// to uint8 at run time (<c>DynamicQuantizeLinear</c>), <c>MatMulInteger</c>, then the int32 result scaled back to
    /// float and the bias added. Attention's two activation products, embeddings, LayerNorm and the Dense projection
    /// stay float32.
    /// </summary>
    Int8,
}
