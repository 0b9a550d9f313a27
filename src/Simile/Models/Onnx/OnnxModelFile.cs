using System.Runtime.InteropServices;

namespace Simile.Models.Onnx;

/// <summary>ONNX TensorProto.DataType values.</summary>
public enum OnnxDataType
{
    Undefined = 0, Float = 1, UInt8 = 2, Int8 = 3, UInt16 = 4, Int16 = 5, Int32 = 6, Int64 = 7, String = 8, Bool = 9,
    Float16 = 10, Double = 11, UInt32 = 12, UInt64 = 13, Complex64 = 14, Complex128 = 15, BFloat16 = 16,
    Float8E4M3FN = 17, Float8E4M3FNUZ = 18, Float8E5M2 = 19, Float8E5M2FNUZ = 20, UInt4 = 21, Int4 = 22, Float4E2M1 = 23,
}

/// <summary>ONNX AttributeProto.AttributeType values.</summary>
public enum OnnxAttributeType
{
    Undefined = 0, Float = 1, Int = 2, String = 3, Tensor = 4, Graph = 5, Floats = 6, Ints = 7, Strings = 8,
    Tensors = 9, Graphs = 10, SparseTensor = 11, SparseTensors = 12, TypeProto = 13, TypeProtos = 14,
}

/// <summary>
/// One node attribute. Scalars and lists are decoded; tensor/graph-valued attributes are kept as the raw
/// serialized message (<see cref="RawMessage"/>) because Simile only needs to know they are there.
/// </summary>
public sealed record OnnxAttribute(string Name, OnnxAttributeType Type, float F, long I, byte[]? S,
    IReadOnlyList<float> Floats, IReadOnlyList<long> Ints, IReadOnlyList<byte[]> Strings, ReadOnlyMemory<byte> RawMessage)
{
    public string? StringValue => S is null ? null : System.Text.Encoding.UTF8.GetString(S);
}

/// <summary>One graph node: operator, name, input and output value names (empty string = omitted optional input).</summary>
public sealed record OnnxNode(string Name, string OpType, string Domain, IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs, IReadOnlyList<OnnxAttribute> Attributes)
{
    public OnnxAttribute? Attribute(string name) => Attributes.FirstOrDefault(a => a.Name == name);
}

/// <summary>One dimension of a declared shape: a fixed size, a symbolic name (e.g. "batch"), or unknown.</summary>
public readonly record struct OnnxDim(long? Value, string? Param)
{
    public override string ToString() => Value?.ToString() ?? Param ?? "?";
}

/// <summary>A graph input/output/value_info: name, element type and (when declared) shape. Shape null = unknown rank.</summary>
public sealed record OnnxValueInfo(string Name, OnnxDataType ElementType, IReadOnlyList<OnnxDim>? Shape)
{
    public string ShapeText => Shape is null ? "?" : "[" + string.Join(" × ", Shape) + "]";
}

/// <summary>
/// One initializer (weight tensor). Its data stays a slice of the model bytes (raw_data) or the decoded
/// typed list (float_data etc.). Tensors stored outside the model file (external data) are recognised and
/// refused with a clear message when their values are asked for.
/// </summary>
public sealed class OnnxTensor
{
    public string Name { get; }
    public OnnxDataType DataType { get; }
    public IReadOnlyList<long> Dims { get; }
    public long ElementCount { get; }
    /// <summary>True when the values live in an external file (data_location = EXTERNAL); not supported.</summary>
    public bool IsExternal { get; }
    /// <summary>The raw_data bytes (little-endian) — empty when the values are in a typed field.</summary>
    public ReadOnlyMemory<byte> RawData { get; }
    internal IReadOnlyList<float>? FloatData { get; }
    internal IReadOnlyList<long>? IntData { get; }   // int32_data / int64_data (widened)
    internal IReadOnlyList<double>? DoubleData { get; }
    private readonly string _source;

    internal OnnxTensor(string source, string name, OnnxDataType type, IReadOnlyList<long> dims, bool external,
        ReadOnlyMemory<byte> raw, IReadOnlyList<float>? floats, IReadOnlyList<long>? ints, IReadOnlyList<double>? doubles)
    {
        _source = source; Name = name; DataType = type; Dims = dims; IsExternal = external; RawData = raw;
        FloatData = floats; IntData = ints; DoubleData = doubles;
        long count = 1;
        foreach (long d in dims)
        {
            if (d < 0) throw OnnxModelFile.Invalid(source, $"initializer '{name}' has a negative dimension {d}");
            try { count = checked(count * d); }
            catch (OverflowException) { throw OnnxModelFile.Invalid(source, $"initializer '{name}' has dimensions whose product overflows"); }
        }
        ElementCount = count;
        if (!external && raw.Length > 0)
        {
            int size = ElementSize(type);
            if (size > 0 && (raw.Length % size != 0 || raw.Length / size != count))
                throw OnnxModelFile.Invalid(source,
                    $"initializer '{name}' has dims [{string.Join(", ", dims)}] ({count} × {size} bytes) but raw_data holds {raw.Length} bytes");
        }
        else if (!external)
        {
            long have = floats?.Count ?? ints?.Count ?? doubles?.Count ?? 0;
            if (have != count && type != OnnxDataType.String && (have != 0 || count != 0))
                throw OnnxModelFile.Invalid(source,
                    $"initializer '{name}' has dims [{string.Join(", ", dims)}] ({count} values) but holds {have} values");
        }
    }

    /// <summary>Bytes per element for fixed-size types (0 for strings and sub-byte types).</summary>
    public static int ElementSize(OnnxDataType t) => t switch
    {
        OnnxDataType.Float or OnnxDataType.Int32 or OnnxDataType.UInt32 => 4,
        OnnxDataType.Double or OnnxDataType.Int64 or OnnxDataType.UInt64 or OnnxDataType.Complex64 => 8,
        OnnxDataType.Complex128 => 16,
        OnnxDataType.Float16 or OnnxDataType.BFloat16 or OnnxDataType.Int16 or OnnxDataType.UInt16 => 2,
        OnnxDataType.UInt8 or OnnxDataType.Int8 or OnnxDataType.Bool or OnnxDataType.Float8E4M3FN or OnnxDataType.Float8E4M3FNUZ
            or OnnxDataType.Float8E5M2 or OnnxDataType.Float8E5M2FNUZ => 1,
        _ => 0,
    };

    private void RefuseExternal()
    {
        if (IsExternal)
            throw new SimileException(
                $"initializer '{Name}' in {_source} keeps its values in an external data file, which Simile does not read",
                "re-save the model with all tensors inside the .onnx file (onnx.save_model(model, path, save_as_external_data=False))");
    }

    /// <summary>
    /// The values as float32, row-major in <see cref="Dims"/> order. Float tensors in raw_data are returned as
    /// a view of the model bytes without copying when <paramref name="copy"/> is false.
    /// </summary>
    public ReadOnlyMemory<float> FloatValues(bool copy = false)
    {
        RefuseExternal();
        if (DataType == OnnxDataType.Float && RawData.Length > 0)
        {
            if (BitConverter.IsLittleEndian && !copy && MemoryMarshal.TryGetArray(RawData, out var seg))
            {
                // Reinterpret in place: a ReadOnlyMemory<float> over the model's byte[] needs a MemoryManager.
                return new ByteArrayFloatMemory(seg.Array!, seg.Offset, (int)ElementCount).Memory;
            }
            var a = new float[ElementCount];
            MemoryMarshal.Cast<byte, float>(RawData.Span).CopyTo(a);   // ONNX raw_data is little-endian, as is every .NET target Simile runs on
            return a;
        }
        if (DataType == OnnxDataType.Float && FloatData is not null) return FloatData.ToArray();
        if (DataType == OnnxDataType.Float && ElementCount == 0) return Array.Empty<float>();
        if (DataType == OnnxDataType.Float16 && RawData.Length > 0)
        {
            var a = new float[ElementCount];
            var s = MemoryMarshal.Cast<byte, Half>(RawData.Span);
            for (int i = 0; i < a.Length; i++) a[i] = (float)s[i];
            return a;
        }
        if (DataType == OnnxDataType.Double)
        {
            if (RawData.Length > 0) { var d = MemoryMarshal.Cast<byte, double>(RawData.Span); var a = new float[d.Length]; for (int i = 0; i < a.Length; i++) a[i] = (float)d[i]; return a; }
            if (DoubleData is not null) return DoubleData.Select(v => (float)v).ToArray();
        }
        throw new SimileException($"initializer '{Name}' in {_source} is {DataType}, not a float tensor",
            "point Simile at a float32 (or float16) model");
    }

    /// <summary>The values as int64 (for Int64/Int32 tensors: shapes, axes).</summary>
    public long[] IntValues()
    {
        RefuseExternal();
        if (RawData.Length > 0 && DataType == OnnxDataType.Int64) return MemoryMarshal.Cast<byte, long>(RawData.Span).ToArray();
        if (RawData.Length > 0 && DataType == OnnxDataType.Int32) return MemoryMarshal.Cast<byte, int>(RawData.Span).ToArray().Select(v => (long)v).ToArray();
        if (IntData is not null) return IntData.ToArray();
        if (ElementCount == 0) return [];
        throw new SimileException($"initializer '{Name}' in {_source} is {DataType}, not an integer tensor", "check the model");
    }

    public override string ToString() => $"{Name} {DataType}[{string.Join(" × ", Dims)}]";

    /// <summary>A Memory&lt;float&gt; over a region of a byte array, without copying.</summary>
    private sealed class ByteArrayFloatMemory(byte[] array, int offset, int count) : System.Buffers.MemoryManager<float>
    {
        public override Span<float> GetSpan() => MemoryMarshal.Cast<byte, float>(array.AsSpan(offset, count * 4));
        public override System.Buffers.MemoryHandle Pin(int elementIndex = 0)
        {
            var handle = GCHandle.Alloc(array, GCHandleType.Pinned);
            unsafe { return new System.Buffers.MemoryHandle((byte*)handle.AddrOfPinnedObject() + offset + elementIndex * 4, handle, this); }
        }
        public override void Unpin() { }
        protected override void Dispose(bool disposing) { }
    }
}

/// <summary>
/// An ONNX model read from bytes: the graph's nodes, initializers, inputs, outputs and value_info, decoded
/// by a small bounds-checked protobuf reader (no generated code, no Google.Protobuf dependency). Large
/// tensors are not copied: initializer raw_data stays a slice of <see cref="Bytes"/>.
/// <see cref="WithExtraOutputs(IEnumerable{string})"/> returns new model bytes whose graph also outputs
/// intermediate values (e.g. each transformer layer's LayerNorm output) so ONNX Runtime can return them.
/// </summary>
public sealed class OnnxModelFile
{
    // ModelProto fields
    private const int ModelIrVersion = 1, ModelProducerName = 2, ModelProducerVersion = 3, ModelDomain = 4,
        ModelVersion = 5, ModelGraph = 7, ModelOpsetImport = 8;
    // GraphProto fields
    private const int GraphNode = 1, GraphNameField = 2, GraphInitializer = 5, GraphInput = 11, GraphOutput = 12, GraphValueInfo = 13;

    /// <summary>Nesting limit for TypeProto recursion (sequence of sequence of …) in hostile files.</summary>
    private const int MaxTypeDepth = 32;

    public string Source { get; }
    public byte[] Bytes { get; }
    public long IrVersion { get; private set; }
    public string ProducerName { get; private set; } = "";
    public string ProducerVersion { get; private set; } = "";
    public string GraphName { get; private set; } = "";
    public IReadOnlyList<(string Domain, long Version)> OpsetImports => _opsets;
    public IReadOnlyList<OnnxNode> Nodes => _nodes;
    public IReadOnlyList<OnnxTensor> Initializers => _initializers;
    public IReadOnlyList<OnnxValueInfo> Inputs => _inputs;
    public IReadOnlyList<OnnxValueInfo> Outputs => _outputs;
    public IReadOnlyList<OnnxValueInfo> ValueInfos => _valueInfos;

    /// <summary>Graph inputs that are not initializers (what a session must be fed).</summary>
    public IReadOnlyList<OnnxValueInfo> FeedInputs => _inputs.Where(i => !_initializerByName.ContainsKey(i.Name)).ToList();

    private readonly List<(string, long)> _opsets = [];
    private readonly List<OnnxNode> _nodes = [];
    private readonly List<OnnxTensor> _initializers = [];
    private readonly List<OnnxValueInfo> _inputs = [];
    private readonly List<OnnxValueInfo> _outputs = [];
    private readonly List<OnnxValueInfo> _valueInfos = [];
    private readonly Dictionary<string, OnnxTensor> _initializerByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OnnxNode> _producer = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<OnnxNode>> _consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ReadOnlyMemory<byte>> _valueInfoBytes = new(StringComparer.Ordinal);
    private int _graphFieldStart, _graphFieldEnd;            // the whole graph field (tag + length + payload) in Bytes
    private ReadOnlyMemory<byte> _graphPayload;

    private OnnxModelFile(byte[] bytes, string source)
    {
        Bytes = bytes; Source = source;
    }

    internal static SimileException Invalid(string source, string detail) =>
        new($"{source} is not a valid ONNX model: {detail}",
            "check that the file is a complete .onnx model (re-download or re-export it); for an embedded model run 'dotnet restore' again");

    /// <summary>Reads an .onnx file from disk.</summary>
    public static OnnxModelFile Load(string path)
    {
        if (!LinkedFile.Exists(path))
            throw new SimileException($"ONNX model file '{path}' does not exist", "check the path");
        long len = LinkedFile.Length(path);   // through a symbolic link: the file's size
        if (len > int.MaxValue)
            throw new SimileException($"ONNX model file '{path}' is {len} bytes; models over 2 GB (external data) are not supported",
                "use a model below 2 GB, or a Hugging Face folder with safetensors");
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses model bytes. <paramref name="source"/> names the file/resource in error messages.</summary>
    public static OnnxModelFile Parse(byte[] bytes, string source)
    {
        var m = new OnnxModelFile(bytes, source);
        m.ParseModel();
        return m;
    }

    public bool TryGetInitializer(string name, out OnnxTensor tensor) => _initializerByName.TryGetValue(name, out tensor!);

    public OnnxTensor Initializer(string name) =>
        _initializerByName.TryGetValue(name, out var t) ? t
        : throw new SimileException($"{Source} has no initializer (weight tensor) named '{name}'",
            "check the model: Simile expects a BERT-style graph exported from Hugging Face");

    /// <summary>The node that produces a value, or null (graph input, initializer, unknown).</summary>
    public OnnxNode? ProducerOf(string valueName) => _producer.GetValueOrDefault(valueName);

    /// <summary>The nodes that read a value, in graph order.</summary>
    public IReadOnlyList<OnnxNode> ConsumersOf(string valueName) =>
        _consumers.TryGetValue(valueName, out var list) ? list : [];

    public bool IsInitializer(string valueName) => _initializerByName.ContainsKey(valueName);

    /// <summary>
    /// The tensor behind a constant value: an initializer, or the output of a Constant node (attribute
    /// <c>value</c> tensor, <c>value_int</c> or <c>value_ints</c>). Null when the value is computed.
    /// </summary>
    public OnnxTensor? ConstantTensor(string valueName)
    {
        if (_initializerByName.TryGetValue(valueName, out var init)) return init;
        var node = ProducerOf(valueName);
        if (node is null || node.OpType != "Constant") return null;
        foreach (var a in node.Attributes)
        {
            switch (a.Name)
            {
                case "value" when a.RawMessage.Length > 0:
                {
                    long offset = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(a.RawMessage, out var seg) ? seg.Offset : 0;
                    return ParseTensor(new ProtoReader(a.RawMessage, offset, Source, "TensorProto"));
                }
                case "value_int":
                    return new OnnxTensor(Source, valueName, OnnxDataType.Int64, [], false, default, null, [a.I], null);
                case "value_ints":
                    return new OnnxTensor(Source, valueName, OnnxDataType.Int64, [a.Ints.Count], false, default, null, a.Ints, null);
            }
        }
        return null;
    }

    /// <summary>The declared type of a value (graph input/output or value_info), or null when the graph does not declare it.</summary>
    public OnnxValueInfo? DeclaredValue(string name) =>
        _outputs.FirstOrDefault(v => v.Name == name) ?? _inputs.FirstOrDefault(v => v.Name == name)
        ?? _valueInfos.FirstOrDefault(v => v.Name == name);

    /// <summary>
    /// New model bytes whose graph also outputs the named intermediate values, appended after the existing
    /// outputs in the given order (names already among the outputs are skipped). Everything else in the
    /// model is copied byte for byte: the new ValueInfoProto entries are appended to the graph message
    /// (repeated fields may be split in protobuf) and only the graph's length prefix is rewritten.
    /// A value's declared type is copied from value_info when present; otherwise it is declared as
    /// <paramref name="defaultElementType"/> of unknown shape.
    /// </summary>
    public byte[] WithExtraOutputs(IEnumerable<string> valueNames, OnnxDataType defaultElementType = OnnxDataType.Float)
    {
        var existing = new HashSet<string>(_outputs.Select(o => o.Name), StringComparer.Ordinal);
        var appended = new ProtoWriter();
        foreach (string name in valueNames)
        {
            if (!existing.Add(name)) continue;
            if (!_producer.ContainsKey(name) && !_initializerByName.ContainsKey(name) && !_inputs.Any(i => i.Name == name))
                throw new SimileException($"{Source} has no value named '{name}' to expose as an output",
                    "list the graph's values with 'simile inspect'");
            if (_valueInfoBytes.TryGetValue(name, out var declared))
                appended.Bytes(GraphOutput, declared.Span);
            else
                appended.Message(GraphOutput, vi => vi
                    .String(1, name)
                    .Message(2, type => type.Message(1, tensor => tensor.Int(1, (int)defaultElementType))));
        }
        if (appended.Length == 0) return Bytes;

        var graph = new ProtoWriter().Raw(_graphPayload.Span).Raw(appended.ToArray()).ToArray();
        var model = new ProtoWriter();
        model.Raw(Bytes.AsSpan(0, _graphFieldStart));
        model.Bytes(ModelGraph, graph);
        model.Raw(Bytes.AsSpan(_graphFieldEnd));
        return model.ToArray();
    }

    // ---------------------------------------------------------------- parsing

    private void ParseModel()
    {
        if (Bytes.Length == 0) throw Invalid(Source, "the file is empty");
        var r = new ProtoReader(Bytes, 0, Source, "ModelProto");
        bool sawGraph = false;
        while (!r.End)
        {
            int fieldStart = r.Position;
            var (field, wire) = r.ReadTag();
            switch (field)
            {
                case ModelIrVersion: r.Expect(wire, WireType.Varint, "ir_version"); IrVersion = r.ReadInt64(); break;
                case ModelProducerName: r.Expect(wire, WireType.LengthDelimited, "producer_name"); ProducerName = r.ReadString(); break;
                case ModelProducerVersion: r.Expect(wire, WireType.LengthDelimited, "producer_version"); ProducerVersion = r.ReadString(); break;
                case ModelOpsetImport:
                {
                    r.Expect(wire, WireType.LengthDelimited, "opset_import");
                    var payload = r.ReadBytes(out long off);
                    var o = r.Nested(payload, off, "OperatorSetIdProto");
                    string domain = ""; long version = 0;
                    while (!o.End)
                    {
                        var (f, w) = o.ReadTag();
                        if (f == 1 && w == WireType.LengthDelimited) domain = o.ReadString();
                        else if (f == 2 && w == WireType.Varint) version = o.ReadInt64();
                        else o.Skip(w);
                    }
                    _opsets.Add((domain, version));
                    break;
                }
                case ModelGraph:
                {
                    r.Expect(wire, WireType.LengthDelimited, "graph");
                    if (sawGraph) throw r.Error("the model holds more than one graph field");
                    sawGraph = true;
                    _graphPayload = r.ReadBytes(out long off);
                    _graphFieldStart = fieldStart;
                    _graphFieldEnd = r.Position;
                    ParseGraph(r.Nested(_graphPayload, off, "GraphProto"));
                    break;
                }
                default: r.Skip(wire); break;
            }
        }
        if (!sawGraph) throw Invalid(Source, "the model has no graph (is this an ONNX file?)");
        if (_nodes.Count == 0) throw Invalid(Source, "the graph has no nodes");

        foreach (var node in _nodes)
        {
            foreach (string o in node.Outputs) if (o.Length > 0) _producer.TryAdd(o, node);
            foreach (string i in node.Inputs)
            {
                if (i.Length == 0) continue;
                if (!_consumers.TryGetValue(i, out var list)) _consumers[i] = list = [];
                list.Add(node);
            }
        }
    }

    private void ParseGraph(ProtoReader g)
    {
        while (!g.End)
        {
            var (field, wire) = g.ReadTag();
            switch (field)
            {
                case GraphNode:
                    g.Expect(wire, WireType.LengthDelimited, "node");
                    { var p = g.ReadBytes(out long off); _nodes.Add(ParseNode(g.Nested(p, off, "NodeProto"))); }
                    break;
                case GraphNameField:
                    g.Expect(wire, WireType.LengthDelimited, "name"); GraphName = g.ReadString(); break;
                case GraphInitializer:
                {
                    g.Expect(wire, WireType.LengthDelimited, "initializer");
                    var p = g.ReadBytes(out long off);
                    var t = ParseTensor(g.Nested(p, off, "TensorProto"));
                    _initializers.Add(t);
                    _initializerByName.TryAdd(t.Name, t);
                    break;
                }
                case GraphInput:
                case GraphOutput:
                case GraphValueInfo:
                {
                    g.Expect(wire, WireType.LengthDelimited, "input/output/value_info");
                    var p = g.ReadBytes(out long off);
                    var vi = ParseValueInfo(g.Nested(p, off, "ValueInfoProto"));
                    (field == GraphInput ? _inputs : field == GraphOutput ? _outputs : _valueInfos).Add(vi);
                    if (field == GraphValueInfo) _valueInfoBytes.TryAdd(vi.Name, p);
                    break;
                }
                default: g.Skip(wire); break;
            }
        }
    }

    private static OnnxNode ParseNode(ProtoReader n)
    {
        var inputs = new List<string>(); var outputs = new List<string>(); var attrs = new List<OnnxAttribute>();
        string name = "", op = "", domain = "";
        while (!n.End)
        {
            var (field, wire) = n.ReadTag();
            switch (field)
            {
                case 1: n.Expect(wire, WireType.LengthDelimited, "input"); inputs.Add(n.ReadString()); break;
                case 2: n.Expect(wire, WireType.LengthDelimited, "output"); outputs.Add(n.ReadString()); break;
                case 3: n.Expect(wire, WireType.LengthDelimited, "name"); name = n.ReadString(); break;
                case 4: n.Expect(wire, WireType.LengthDelimited, "op_type"); op = n.ReadString(); break;
                case 7: n.Expect(wire, WireType.LengthDelimited, "domain"); domain = n.ReadString(); break;
                case 5:
                    n.Expect(wire, WireType.LengthDelimited, "attribute");
                    { var p = n.ReadBytes(out long off); attrs.Add(ParseAttribute(n.Nested(p, off, "AttributeProto"))); }
                    break;
                default: n.Skip(wire); break;
            }
        }
        if (op.Length == 0) throw n.Error($"node '{name}' has no op_type");
        return new OnnxNode(name, op, domain, inputs, outputs, attrs);
    }

    private static OnnxAttribute ParseAttribute(ProtoReader a)
    {
        string name = ""; var type = OnnxAttributeType.Undefined; float f = 0; long i = 0; byte[]? s = null;
        var floats = new List<float>(); var ints = new List<long>(); var strings = new List<byte[]>();
        ReadOnlyMemory<byte> raw = default;
        while (!a.End)
        {
            var (field, wire) = a.ReadTag();
            switch (field)
            {
                case 1: a.Expect(wire, WireType.LengthDelimited, "name"); name = a.ReadString(); break;
                case 20: a.Expect(wire, WireType.Varint, "type"); type = (OnnxAttributeType)a.ReadInt32(); break;
                case 2: a.Expect(wire, WireType.Fixed32, "f"); f = a.ReadFloat(); break;
                case 3: a.Expect(wire, WireType.Varint, "i"); i = a.ReadInt64(); break;
                case 4: a.Expect(wire, WireType.LengthDelimited, "s"); s = a.ReadBytes().ToArray(); break;
                case 5: case 6: case 22: case 14:   // t, g, sparse_tensor, tp: kept raw
                    a.Expect(wire, WireType.LengthDelimited, "tensor/graph"); raw = a.ReadBytes(); break;
                case 7: a.ReadRepeatedFloat(wire, floats); break;
                case 8: a.ReadRepeatedInt64(wire, ints); break;
                case 9: a.Expect(wire, WireType.LengthDelimited, "strings"); strings.Add(a.ReadBytes().ToArray()); break;
                default: a.Skip(wire); break;
            }
        }
        return new OnnxAttribute(name, type, f, i, s, floats, ints, strings, raw);
    }

    private OnnxTensor ParseTensor(ProtoReader t)
    {
        var dims = new List<long>(); int dataType = 0; string name = "";
        ReadOnlyMemory<byte> raw = default; bool external = false;
        List<float>? floats = null; List<long>? ints = null; List<double>? doubles = null;
        while (!t.End)
        {
            var (field, wire) = t.ReadTag();
            switch (field)
            {
                case 1: t.ReadRepeatedInt64(wire, dims); break;
                case 2: t.Expect(wire, WireType.Varint, "data_type"); dataType = t.ReadInt32(); break;
                case 4: t.ReadRepeatedFloat(wire, floats ??= []); break;
                case 5: case 7: t.ReadRepeatedInt64(wire, ints ??= []); break;   // int32_data / int64_data
                case 10: t.ReadRepeatedDouble(wire, doubles ??= []); break;
                case 8: t.Expect(wire, WireType.LengthDelimited, "name"); name = t.ReadString(); break;
                case 9: t.Expect(wire, WireType.LengthDelimited, "raw_data"); raw = t.ReadBytes(); break;
                case 13: t.Expect(wire, WireType.LengthDelimited, "external_data"); t.ReadBytes(); external = true; break;
                case 14: t.Expect(wire, WireType.Varint, "data_location"); if (t.ReadInt64() == 1) external = true; break;
                default: t.Skip(wire); break;
            }
        }
        return new OnnxTensor(Source, name, (OnnxDataType)dataType, dims, external, raw, floats, ints, doubles);
    }

    private static OnnxValueInfo ParseValueInfo(ProtoReader v)
    {
        string name = ""; var elem = OnnxDataType.Undefined; List<OnnxDim>? shape = null;
        while (!v.End)
        {
            var (field, wire) = v.ReadTag();
            if (field == 1 && wire == WireType.LengthDelimited) name = v.ReadString();
            else if (field == 2 && wire == WireType.LengthDelimited)
            {
                var p = v.ReadBytes(out long off);
                (elem, shape) = ParseType(v.Nested(p, off, "TypeProto"), 0);
            }
            else v.Skip(wire);
        }
        return new OnnxValueInfo(name, elem, shape);
    }

    /// <summary>TypeProto: only tensor_type (field 1) is decoded; sequence/optional types recurse to their element.</summary>
    private static (OnnxDataType, List<OnnxDim>?) ParseType(ProtoReader tp, int depth)
    {
        if (depth > MaxTypeDepth) throw tp.Error("type nesting is deeper than 32 levels");
        var elem = OnnxDataType.Undefined; List<OnnxDim>? shape = null;
        while (!tp.End)
        {
            var (field, wire) = tp.ReadTag();
            if (field == 1 && wire == WireType.LengthDelimited)   // tensor_type
            {
                var p = tp.ReadBytes(out long off);
                var tt = tp.Nested(p, off, "TypeProto.Tensor");
                while (!tt.End)
                {
                    var (f, w) = tt.ReadTag();
                    if (f == 1 && w == WireType.Varint) elem = (OnnxDataType)tt.ReadInt32();
                    else if (f == 2 && w == WireType.LengthDelimited)
                    {
                        shape = [];
                        var sp = tt.ReadBytes(out long soff);
                        var s = tt.Nested(sp, soff, "TensorShapeProto");
                        while (!s.End)
                        {
                            var (sf, sw) = s.ReadTag();
                            if (sf == 1 && sw == WireType.LengthDelimited)
                            {
                                var dp = s.ReadBytes(out long doff);
                                var d = s.Nested(dp, doff, "TensorShapeProto.Dimension");
                                long? value = null; string? param = null;
                                while (!d.End)
                                {
                                    var (df, dw) = d.ReadTag();
                                    if (df == 1 && dw == WireType.Varint) value = d.ReadInt64();
                                    else if (df == 2 && dw == WireType.LengthDelimited) param = d.ReadString();
                                    else d.Skip(dw);
                                }
                                shape.Add(new OnnxDim(value, param));
                            }
                            else s.Skip(sw);
                        }
                    }
                    else tt.Skip(w);
                }
            }
            else if ((field == 4 || field == 9) && wire == WireType.LengthDelimited)   // sequence_type / optional_type
            {
                var p = tp.ReadBytes(out long off);
                var inner = tp.Nested(p, off, "TypeProto.Sequence");
                while (!inner.End)
                {
                    var (f, w) = inner.ReadTag();
                    if (f == 1 && w == WireType.LengthDelimited)
                    {
                        var ep = inner.ReadBytes(out long eoff);
                        (elem, shape) = ParseType(inner.Nested(ep, eoff, "TypeProto"), depth + 1);
                    }
                    else inner.Skip(w);
                }
            }
            else tp.Skip(wire);
        }
        return (elem, shape);
    }
}
