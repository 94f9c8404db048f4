namespace Research.Lib.Onnx;

/// <summary>One attribute of an ONNX node: a float, an integer, a string, integers, floats or a tensor.</summary>
public sealed record OnnxAttribute(string Name, float? Float = null, long? Int = null, string? String = null,
    IReadOnlyList<long>? Ints = null, IReadOnlyList<float>? Floats = null, OnnxTensor? Tensor = null);
