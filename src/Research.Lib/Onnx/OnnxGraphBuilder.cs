using System.Runtime.InteropServices;
using Research.Lib.IO;

namespace Research.Lib.Onnx;

/// <summary>
/// Builds an ONNX ModelProto node by node and serializes it with <see cref="ProtobufWriter"/> (onnx.proto field
/// numbers): float32 / int64 / int8 / uint8 initializers as raw little-endian data, int64 / float32 graph inputs and outputs with
/// symbolic dimensions, and the default-domain opset.
/// </summary>
internal sealed class OnnxGraphBuilder(long opset)
{
    private const int Float = 1, UInt8 = 2, Int8 = 3, Int64 = 7;
    private readonly List<Action<ProtobufWriter>> _nodes = [];
    private readonly List<Action<ProtobufWriter>> _initializers = [];
    private readonly List<Action<ProtobufWriter>> _inputs = [];
    private readonly List<Action<ProtobufWriter>> _outputs = [];
    private int _counter;

    public void Input(string name, bool isFloat, params string[] dims) => _inputs.Add(w => ValueInfo(w, name, isFloat ? Float : Int64, dims));

    public void Output(string name, bool isFloat, params string[] dims) => _outputs.Add(w => ValueInfo(w, name, isFloat ? Float : Int64, dims));

    public string Floats(string name, float[] values, params long[] dims)
    {
        var bytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        _initializers.Add(w => Tensor(w, name, Float, dims, bytes));
        return name;
    }

    public string Ints(string name, long[] values, params long[] dims)
    {
        var bytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        _initializers.Add(w => Tensor(w, name, Int64, dims, bytes));
        return name;
    }

    public string Int8s(string name, sbyte[] values, params long[] dims)
    {
        var bytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        _initializers.Add(w => Tensor(w, name, Int8, dims, bytes));
        return name;
    }

    public string UInt8s(string name, byte[] values, params long[] dims)
    {
        var bytes = values.ToArray();
        _initializers.Add(w => Tensor(w, name, UInt8, dims, bytes));
        return name;
    }

    /// <summary>A float scalar constant (shape []).</summary>
    public string Scalar(float value) => Floats($"const_{_counter++}", [value]);

    /// <summary>A 1-D int64 constant.</summary>
    public string IntVector(params long[] values) => Ints($"const_{_counter++}", values, values.Length);

    /// <summary>Adds a node and returns its (first) output name.</summary>
    public string Node(string op, string[] inputs, Action<ProtobufWriter>? attributes = null, string? output = null)
    {
        var name = $"{op}_{_counter++}";
        var outName = output ?? name + "_out";
        Add(op, name, inputs, [outName], attributes);
        return outName;
    }

    /// <summary>Adds a node with several outputs and returns their names in order.</summary>
    public string[] Nodes(string op, string[] inputs, int outputs)
    {
        var name = $"{op}_{_counter++}";
        var outNames = Enumerable.Range(0, outputs).Select(k => $"{name}_out{k}").ToArray();
        Add(op, name, inputs, outNames, null);
        return outNames;
    }

    private void Add(string op, string name, string[] inputs, string[] outputs, Action<ProtobufWriter>? attributes) => _nodes.Add(w =>
    {
        foreach (var i in inputs) w.String(1, i);
        foreach (var o in outputs) w.String(2, o);
        w.String(3, name);
        w.String(4, op);
        attributes?.Invoke(w);
    });

    public static Action<ProtobufWriter> IntAttribute(string name, long value) => w => w.Message(5, a =>
    {
        a.String(1, name);
        a.Varint(3, value);
        a.Varint(20, 2); // INT
    });

    public static Action<ProtobufWriter> FloatAttribute(string name, float value) => w => w.Message(5, a =>
    {
        a.String(1, name);
        a.Float(2, value);
        a.Varint(20, 1); // FLOAT
    });

    public static Action<ProtobufWriter> IntsAttribute(string name, params long[] values) => w => w.Message(5, a =>
    {
        a.String(1, name);
        foreach (var v in values) a.Varint(8, v);
        a.Varint(20, 7); // INTS
    });

    public static Action<ProtobufWriter> Both(params Action<ProtobufWriter>[] attributes) => w =>
    {
        foreach (var a in attributes) a(w);
    };

    public void Save(string path, string producer, string docString)
    {
        var model = new ProtobufWriter();
        model.Varint(1, 8);                                    // ir_version 8 (ONNX 1.10+)
        model.String(2, producer);                             // producer_name
        model.String(3, "0.1");                                // producer_version
        model.String(6, docString);                            // doc_string
        model.Message(8, o => { o.String(1, ""); o.Varint(2, opset); });
        model.Message(7, g =>
        {
            foreach (var n in _nodes) g.Message(1, n);
            g.String(2, "sentence_embedding_pipeline");
            foreach (var t in _initializers) g.Message(5, t);
            foreach (var i in _inputs) g.Message(11, i);
            foreach (var o in _outputs) g.Message(12, o);
        });
        AtomicFile.Write(path, model.CopyTo);
    }

    private static void Tensor(ProtobufWriter w, string name, int type, long[] dims, byte[] raw)
    {
        foreach (var d in dims) w.Varint(1, d);
        w.Varint(2, type);
        w.String(8, name);
        w.Bytes(9, raw);
    }

    private static void ValueInfo(ProtobufWriter w, string name, int type, string[] dims)
    {
        w.String(1, name);
        w.Message(2, t => t.Message(1, tensor =>
        {
            tensor.Varint(1, type);
            tensor.Message(2, shape =>
            {
                foreach (var d in dims)
                    shape.Message(1, dim =>
                    {
                        if (long.TryParse(d, out var v)) dim.Varint(1, v);
                        else dim.String(2, d);
                    });
            });
        }));
    }
}
