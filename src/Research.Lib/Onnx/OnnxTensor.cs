namespace Research.Lib.Onnx;

/// <summary>
/// An ONNX TensorProto as the kit uses it: a name, dimensions and values. Float tensors (FLOAT, FLOAT16,
/// BFLOAT16, DOUBLE) are held as float32, integer tensors (INT64, INT32, INT8, UINT8, BOOL) as int64.
/// </summary>
public sealed class OnnxTensor
{
    public OnnxTensor(string name, long[] dims, int dataType, float[]? floats, long[]? ints)
    {
        Name = name;
        Dims = dims;
        DataType = dataType;
        Floats = floats;
        Ints = ints;
    }

    public string Name { get; }
    public long[] Dims { get; }
    /// <summary>TensorProto.DataType: 1 FLOAT, 6 INT32, 7 INT64, 9 BOOL, 10 FLOAT16, 11 DOUBLE, 16 BFLOAT16, ...</summary>
    public int DataType { get; }
    public float[]? Floats { get; }
    public long[]? Ints { get; }

    public long Count => Dims.Aggregate(1L, (a, b) => a * b);

    public bool IsFloat => Floats is not null;

    /// <summary>A scalar or one-element tensor's value as a double.</summary>
    public double Scalar()
    {
        if (Count != 1) throw new InvalidDataException($"ONNX tensor '{Name}' has shape [{string.Join(", ", Dims)}], expected one value.");
        return Floats is { } f ? f[0] : Ints![0];
    }

    public override string ToString() => $"{Name} [{string.Join(", ", Dims)}] type {DataType}";
}
