namespace Research.Lib.Onnx;

/// <summary>One ONNX NodeProto: operator type, input and output value names, and attributes.</summary>
public sealed record OnnxNode(string Name, string OpType, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs,
    IReadOnlyDictionary<string, OnnxAttribute> Attributes)
{
    public override string ToString() => $"{OpType} {Name}({string.Join(", ", Inputs)}) -> {string.Join(", ", Outputs)}";
}
