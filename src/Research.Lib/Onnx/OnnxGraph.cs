using System.Buffers.Binary;
using Research.Lib.IO;

namespace Research.Lib.Onnx;

/// <summary>
/// The graph of an ONNX model file (ModelProto.graph), read with the kit's own protobuf reader: nodes,
/// initializers (Constant nodes' tensors are added to them), graph inputs and outputs, and the default-domain
/// opset. Field numbers follow onnx.proto (IR version 3 and later). External data files are not read.
/// </summary>
public sealed class OnnxGraph
{
    private OnnxGraph(List<OnnxNode> nodes, Dictionary<string, OnnxTensor> initializers, List<string> inputs, List<string> outputs, long opset)
    {
        Nodes = nodes;
        Initializers = initializers;
        Inputs = inputs;
        Outputs = outputs;
        Opset = opset;
        var producers = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        var consumers = new Dictionary<string, List<OnnxNode>>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            foreach (var o in node.Outputs) producers[o] = node;
            foreach (var i in node.Inputs)
            {
                if (!consumers.TryGetValue(i, out var list)) consumers[i] = list = [];
                list.Add(node);
            }
        }
        _producers = producers;
        _consumers = consumers;
    }

    private readonly Dictionary<string, OnnxNode> _producers;
    private readonly Dictionary<string, List<OnnxNode>> _consumers;

    public IReadOnlyList<OnnxNode> Nodes { get; }
    /// <summary>Initializers and Constant-node values by name.</summary>
    public IReadOnlyDictionary<string, OnnxTensor> Initializers { get; }
    /// <summary>Graph inputs that are not initializers.</summary>
    public IReadOnlyList<string> Inputs { get; }
    public IReadOnlyList<string> Outputs { get; }
    /// <summary>Version of the default ("" / ai.onnx) operator set.</summary>
    public long Opset { get; }

    public OnnxNode? Producer(string value) => _producers.GetValueOrDefault(value);

    public IReadOnlyList<OnnxNode> Consumers(string value) => _consumers.TryGetValue(value, out var list) ? list : [];

    public static OnnxGraph Load(string path)
    {
        if (Directory.Exists(path))
            throw new FileNotFoundException($"{path}: is a folder; expected an .onnx file.", path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: file not found.", path);
        return Parse(File.ReadAllBytes(path), path);
    }

    public static OnnxGraph Parse(byte[] bytes, string source)
    {
        try
        {
            var reader = new ProtobufReader(bytes);
            long opset = 0;
            OnnxGraph? graph = null;
            while (reader.More)
            {
                var (field, wire) = reader.Tag();
                if (field == 7 && wire == 2) graph = ReadGraph(reader.Message(), ref opset);
                else if (field == 8 && wire == 2)
                {
                    var inner = reader.Message();
                    string domain = "";
                    long version = 0;
                    while (inner.More)
                    {
                        var (f, w) = inner.Tag();
                        if (f == 1 && w == 2) domain = inner.String();
                        else if (f == 2 && w == 0) version = (long)inner.Varint();
                        else inner.Skip(w);
                    }
                    if (domain is "" or "ai.onnx") opset = version;
                }
                else reader.Skip(wire);
            }
            if (graph is null)
                throw new InvalidDataException("no graph (ModelProto field 7)");
            return new OnnxGraph((List<OnnxNode>)graph.Nodes, (Dictionary<string, OnnxTensor>)graph.Initializers,
                (List<string>)graph.Inputs, (List<string>)graph.Outputs, opset);
        }
        catch (Exception e) when (e is InvalidDataException or IndexOutOfRangeException or ArgumentOutOfRangeException or OverflowException)
        {
            throw new InvalidDataException($"{source}: not a readable ONNX model ({e.Message}).", e);
        }
    }

    private static OnnxGraph ReadGraph(ProtobufReader reader, ref long opset)
    {
        var nodes = new List<OnnxNode>();
        var initializers = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        var inputs = new List<string>();
        var outputs = new List<string>();
        while (reader.More)
        {
            var (field, wire) = reader.Tag();
            switch (field, wire)
            {
                case (1, 2): nodes.Add(ReadNode(reader.Message())); break;
                case (5, 2): var t = ReadTensor(reader.Message()); initializers[t.Name] = t; break;
                case (11, 2): inputs.Add(ValueInfoName(reader.Message())); break;
                case (12, 2): outputs.Add(ValueInfoName(reader.Message())); break;
                default: reader.Skip(wire); break;
            }
        }
        foreach (var node in nodes)
            if (node.OpType == "Constant" && node.Attributes.TryGetValue("value", out var value) && value.Tensor is { } tensor)
                initializers[node.Outputs[0]] = new OnnxTensor(node.Outputs[0], tensor.Dims, tensor.DataType, tensor.Floats, tensor.Ints);
        inputs.RemoveAll(initializers.ContainsKey);
        return new OnnxGraph(nodes, initializers, inputs, outputs, opset);
    }

    private static string ValueInfoName(ProtobufReader reader)
    {
        while (reader.More)
        {
            var (f, w) = reader.Tag();
            if (f == 1 && w == 2) return reader.String();
            reader.Skip(w);
        }
        return "";
    }

    private static OnnxNode ReadNode(ProtobufReader reader)
    {
        var inputs = new List<string>();
        var outputs = new List<string>();
        var attributes = new Dictionary<string, OnnxAttribute>(StringComparer.Ordinal);
        string name = "", op = "";
        while (reader.More)
        {
            var (f, w) = reader.Tag();
            switch (f, w)
            {
                case (1, 2): inputs.Add(reader.String()); break;
                case (2, 2): outputs.Add(reader.String()); break;
                case (3, 2): name = reader.String(); break;
                case (4, 2): op = reader.String(); break;
                case (5, 2): var a = ReadAttribute(reader.Message()); attributes[a.Name] = a; break;
                default: reader.Skip(w); break;
            }
        }
        return new OnnxNode(name, op, inputs, outputs, attributes);
    }

    private static OnnxAttribute ReadAttribute(ProtobufReader reader)
    {
        string name = "";
        float? f32 = null;
        long? i64 = null;
        string? s = null;
        OnnxTensor? t = null;
        var ints = new List<long>();
        var floats = new List<float>();
        while (reader.More)
        {
            var (f, w) = reader.Tag();
            switch (f, w)
            {
                case (1, 2): name = reader.String(); break;
                case (2, 5): f32 = reader.Float(); break;
                case (3, 0): i64 = (long)reader.Varint(); break;
                case (4, 2): s = System.Text.Encoding.UTF8.GetString(reader.Bytes()); break;
                case (5, 2): t = ReadTensor(reader.Message()); break;
                case (7, _): reader.Floats(w, floats); break;
                case (8, _): reader.Varints(w, ints); break;
                default: reader.Skip(w); break;
            }
        }
        return new OnnxAttribute(name, f32, i64, s, ints.Count > 0 ? ints : null, floats.Count > 0 ? floats : null, t);
    }

    private static OnnxTensor ReadTensor(ProtobufReader reader)
    {
        var dims = new List<long>();
        var dataType = 0;
        var name = "";
        byte[]? raw = null;
        var floatData = new List<float>();
        var intData = new List<long>();
        var doubles = new List<double>();
        var external = false;
        while (reader.More)
        {
            var (f, w) = reader.Tag();
            switch (f, w)
            {
                case (1, _): reader.Varints(w, dims); break;
                case (2, 0): dataType = (int)reader.Varint(); break;
                case (4, _): reader.Floats(w, floatData); break;
                case (5, _) or (7, _): reader.Varints(w, intData); break;
                case (8, 2): name = reader.String(); break;
                case (9, 2): raw = reader.Bytes().ToArray(); break;
                case (10, 2):
                    var packed = reader.Bytes();
                    for (var i = 0; i + 8 <= packed.Length; i += 8) doubles.Add(BinaryPrimitives.ReadDoubleLittleEndian(packed[i..]));
                    break;
                case (14, 0): external = reader.Varint() == 1; break;
                default: reader.Skip(w); break;
            }
        }
        if (external)
            throw new InvalidDataException($"tensor '{name}' is stored in an external data file, which the kit does not read; save the model with all tensors inside the .onnx file");
        var dimsArray = dims.ToArray();
        var count = (int)dimsArray.Aggregate(1L, (a, b) => a * b);
        float[]? floats = null;
        long[]? ints = null;
        switch (dataType)
        {
            case 1: floats = raw is null ? floatData.ToArray() : Decode(raw, 4, count, name, (b, i) => BinaryPrimitives.ReadSingleLittleEndian(b[(i * 4)..])); break;
            case 10: floats = raw is null ? intData.Select(v => (float)BitConverter.UInt16BitsToHalf((ushort)v)).ToArray() : Decode(raw, 2, count, name, (b, i) => (float)BinaryPrimitives.ReadHalfLittleEndian(b[(i * 2)..])); break;
            case 16: floats = raw is null ? intData.Select(v => BitConverter.Int32BitsToSingle((int)v << 16)).ToArray() : Decode(raw, 2, count, name, (b, i) => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b[(i * 2)..]) << 16)); break;
            case 11: floats = raw is null ? doubles.Select(v => (float)v).ToArray() : Decode(raw, 8, count, name, (b, i) => (float)BinaryPrimitives.ReadDoubleLittleEndian(b[(i * 8)..])); break;
            case 7: ints = raw is null ? intData.ToArray() : DecodeLong(raw, 8, count, name, (b, i) => BinaryPrimitives.ReadInt64LittleEndian(b[(i * 8)..])); break;
            case 6: ints = raw is null ? intData.ToArray() : DecodeLong(raw, 4, count, name, (b, i) => BinaryPrimitives.ReadInt32LittleEndian(b[(i * 4)..])); break;
            case 2 or 3 or 9: ints = raw is null ? intData.ToArray() : DecodeLong(raw, 1, count, name, (b, i) => dataType == 3 ? (sbyte)b[i] : b[i]); break;
            default: break; // other types (strings, ...) keep no values: the importer never needs them
        }
        if ((floats?.Length ?? ints?.Length ?? count) != count)
            throw new InvalidDataException($"tensor '{name}' has {floats?.Length ?? ints?.Length} values for shape [{string.Join(", ", dimsArray)}]");
        return new OnnxTensor(name, dimsArray, dataType, floats, ints);
    }

    private delegate T Element<T>(ReadOnlySpan<byte> bytes, int index);

    private static float[] Decode(byte[] raw, int size, int count, string name, Element<float> read)
    {
        if (raw.Length != (long)count * size) throw new InvalidDataException($"tensor '{name}' has {raw.Length} bytes, expected {(long)count * size}");
        var values = new float[count];
        for (var i = 0; i < count; i++) values[i] = read(raw, i);
        return values;
    }

    private static long[] DecodeLong(byte[] raw, int size, int count, string name, Element<long> read)
    {
        if (raw.Length != (long)count * size) throw new InvalidDataException($"tensor '{name}' has {raw.Length} bytes, expected {(long)count * size}");
        var values = new long[count];
        for (var i = 0; i < count; i++) values[i] = read(raw, i);
        return values;
    }
}
