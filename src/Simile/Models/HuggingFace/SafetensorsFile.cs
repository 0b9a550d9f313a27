using System.Buffers;
using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Simile.Models.HuggingFace;

/// <summary>Element types a safetensors tensor may have in Simile (all read as float32).</summary>
public enum SafetensorsDType { F32, F16, BF16 }

/// <summary>One tensor's header entry: name, element type, shape, and its byte range inside the data area.</summary>
public sealed record SafetensorsTensorInfo(string Name, SafetensorsDType DType, long[] Shape, long Begin, long End)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
    public int ElementSize => DType == SafetensorsDType.F32 ? 4 : 2;
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}

/// <summary>
/// A memory-mapped <c>.safetensors</c> file. Layout: 8-byte little-endian header length N, N bytes of UTF-8 JSON
/// (<c>{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}</c>), then the
/// data area; offsets are relative to the data area. The header is validated before any number from it is used
/// to size or address anything. F32 tensors are served as spans over the mapping (no copy); F16/BF16 are converted.
/// </summary>
public sealed unsafe class SafetensorsFile : IDisposable
{
    /// <summary>Largest header accepted (the format's own reference limit is 100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _base;       // start of the mapping (null for an empty data area)
    private readonly long _dataStart;   // 8 + N
    private bool _disposed;

    public string Path { get; }
    public long FileLength { get; }
    public IReadOnlyDictionary<string, SafetensorsTensorInfo> Tensors { get; }
    /// <summary>Tensor names in data-offset order (the order they sit in the file).</summary>
    public IReadOnlyList<string> Names { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    private SafetensorsFile(string path, long fileLength, MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte* basePtr,
        long dataStart, Dictionary<string, SafetensorsTensorInfo> tensors, Dictionary<string, string> metadata)
    {
        Path = path; FileLength = fileLength; _map = map; _view = view; _base = basePtr; _dataStart = dataStart;
        Tensors = tensors; Metadata = metadata;
        Names = tensors.Values.OrderBy(t => t.Begin).ThenBy(t => t.Name, StringComparer.Ordinal).Select(t => t.Name).ToList();
    }

    /// <summary>Maps and validates a safetensors file. Any problem with the file → <see cref="SimileException"/>.</summary>
    public static SafetensorsFile Open(string path)
    {
        if (!LinkedFile.Exists(path))
            throw new SimileException($"safetensors file '{path}' does not exist", "check the model folder path and that the download finished");
        long length = LinkedFile.Length(path);   // the file's size, not a symbolic link's (Hugging Face cache)
        if (length < 8)
            throw new SimileException($"safetensors file '{path}' is {length} bytes long, too short for the 8-byte header length",
                "the file is truncated or not a safetensors file: download it again");

        byte[] headerBytes;
        long dataStart;
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            Span<byte> lenBytes = stackalloc byte[8];
            fs.ReadExactly(lenBytes);
            ulong n = BinaryPrimitives.ReadUInt64LittleEndian(lenBytes);
            if (n == 0 || n > MaxHeaderBytes || n > (ulong)(length - 8))
                throw new SimileException(
                    $"safetensors file '{path}' declares a {n}-byte header but the file has {length - 8} bytes after the length field (limit {MaxHeaderBytes})",
                    "the file is truncated or not a safetensors file: download it again");
            headerBytes = new byte[(int)n];
            fs.ReadExactly(headerBytes);
            dataStart = 8 + (long)n;
        }

        var (tensors, metadata) = ParseHeader(path, headerBytes, length - dataStart);

        if (length == 0 || tensors.Count == 0 || length == dataStart)
            return new SafetensorsFile(path, length, null, null, null, dataStart, tensors, metadata);

        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        try
        {
            map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* p = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            p += view.PointerOffset;
            return new SafetensorsFile(path, length, map, view, p, dataStart, tensors, metadata);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            view?.Dispose(); map?.Dispose();
            throw new SimileException($"cannot memory-map safetensors file '{path}': {e.Message}", "check that the file is readable", e);
        }
    }

    /// <summary>Validates the JSON header: well-formed, known dtypes, shape × size = byte span, ranges inside the data area, no overlaps.</summary>
    internal static (Dictionary<string, SafetensorsTensorInfo>, Dictionary<string, string>) ParseHeader(string path, byte[] header, long dataLength)
    {
        var tensors = new Dictionary<string, SafetensorsTensorInfo>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new SimileException($"safetensors file '{path}' has a malformed JSON header: {e.Message}", "the file is corrupt: download it again", e);
        }
        using (doc)
        try
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw Bad(path, "the JSON header is not an object");
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object) throw Bad(path, "__metadata__ is not an object");
                    foreach (var m in prop.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String) throw Bad(path, $"__metadata__ entry '{m.Name}' is not a string");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                if (tensors.ContainsKey(prop.Name)) throw Bad(path, $"tensor '{prop.Name}' appears twice in the header");
                tensors[prop.Name] = ParseTensor(path, prop.Name, prop.Value, dataLength);
            }
        }
        catch (InvalidOperationException e)   // a name or string that is not valid UTF-8 once unescaped
        {
            throw new SimileException($"safetensors file '{path}' has an invalid header: {e.Message}", "the file is corrupt: download it again", e);
        }

        // Ranges must not overlap (empty tensors take no bytes).
        var ordered = tensors.Values.Where(t => t.End > t.Begin).OrderBy(t => t.Begin).ToList();
        for (int i = 1; i < ordered.Count; i++)
            if (ordered[i].Begin < ordered[i - 1].End)
                throw Bad(path, $"tensors '{ordered[i - 1].Name}' and '{ordered[i].Name}' overlap (bytes {ordered[i - 1].Begin}..{ordered[i - 1].End} and {ordered[i].Begin}..{ordered[i].End})");
        return (tensors, metadata);
    }

    private static SafetensorsTensorInfo ParseTensor(string path, string name, JsonElement e, long dataLength)
    {
        if (e.ValueKind != JsonValueKind.Object) throw Bad(path, $"tensor '{name}' entry is not an object");
        if (!e.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw Bad(path, $"tensor '{name}' has no string 'dtype'");
        string dtype = dt.GetString()!;
        SafetensorsDType kind = dtype switch
        {
            "F32" => SafetensorsDType.F32,
            "F16" => SafetensorsDType.F16,
            "BF16" => SafetensorsDType.BF16,
            _ => throw new SimileException($"safetensors file '{path}': tensor '{name}' has dtype {dtype}, which Simile does not read (F32, F16, BF16 only)",
                "convert the checkpoint to float32/float16/bfloat16 (e.g. in Python: model.to(torch.float32).save_pretrained(...))"),
        };
        if (!e.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array)
            throw Bad(path, $"tensor '{name}' has no 'shape' array");
        int rank = sh.GetArrayLength();
        if (rank > 8) throw Bad(path, $"tensor '{name}' has {rank} dimensions (at most 8 expected)");
        var shape = new long[rank];
        long count = 1;
        int k = 0;
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long v) || v < 0)
                throw Bad(path, $"tensor '{name}' has a shape entry that is not a non-negative integer ({d.GetRawText()})");
            shape[k++] = v;
            if (v != 0 && count > long.MaxValue / 8 / v)
                throw Bad(path, $"tensor '{name}' has a shape {sh.GetRawText()} whose size overflows");
            count *= v;
        }
        if (!e.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw Bad(path, $"tensor '{name}' has no 'data_offsets' pair");
        long[] be = new long[2];
        k = 0;
        foreach (var o in off.EnumerateArray())
        {
            if (o.ValueKind != JsonValueKind.Number || !o.TryGetInt64(out long v) || v < 0)
                throw Bad(path, $"tensor '{name}' has a data offset that is not a non-negative integer ({o.GetRawText()})");
            be[k++] = v;
        }
        long begin = be[0], end = be[1];
        if (end < begin || end > dataLength)
            throw Bad(path, $"tensor '{name}' has data offsets [{begin}, {end}] outside the {dataLength}-byte data area");
        int size = kind == SafetensorsDType.F32 ? 4 : 2;
        if (count * size != end - begin)
            throw Bad(path, $"tensor '{name}' has shape {sh.GetRawText()} of {dtype} ({count * size} bytes) but data offsets span {end - begin} bytes");
        if (count > int.MaxValue)
            throw Bad(path, $"tensor '{name}' has {count} elements, more than Simile reads in one tensor ({int.MaxValue})");
        return new SafetensorsTensorInfo(name, kind, shape, begin, end);
    }

    private static SimileException Bad(string path, string what) =>
        new($"safetensors file '{path}' has an invalid header: {what}", "the file is corrupt or not a safetensors file: download it again");

    public bool Contains(string name) => Tensors.ContainsKey(name);

    public SafetensorsTensorInfo Info(string name) =>
        Tensors.TryGetValue(name, out var t) ? t
        : throw new SimileException($"tensor '{name}' is not in safetensors file '{Path}'", "check that the checkpoint matches config.json");

    /// <summary>The raw bytes of a tensor, as mapped (valid while this file is open).</summary>
    public ReadOnlySpan<byte> Bytes(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var t = Info(name);
        if (t.End == t.Begin) return ReadOnlySpan<byte>.Empty;
        return new ReadOnlySpan<byte>(_base + _dataStart + t.Begin, checked((int)(t.End - t.Begin)));
    }

    /// <summary>
    /// The tensor as float32, row-major. F32 data aligned to 4 bytes is the mapped memory itself (no copy); F16/BF16
    /// (or unaligned F32) is converted into a new array, one tensor at a time.
    /// </summary>
    public ReadOnlyMemory<float> ReadFloat32(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var t = Info(name);
        int count = (int)t.ElementCount;
        if (count == 0) return ReadOnlyMemory<float>.Empty;
        byte* p = _base + _dataStart + t.Begin;
        if (t.DType == SafetensorsDType.F32 && ((nint)p & 3) == 0)
            return new MappedFloatMemory(this, (float*)p, count).Memory;
        var result = new float[count];
        var bytes = new ReadOnlySpan<byte>(p, checked((int)(t.End - t.Begin)));
        SafetensorsDecoderWeights.Widen(bytes, t.DType, result);   // unaligned F32 copied, F16/BF16 widened
        return result;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
        _map?.Dispose();
    }

    /// <summary>A Memory&lt;float&gt; over mapped file memory; keeps the file object reachable while the memory is in use.</summary>
    private sealed class MappedFloatMemory : MemoryManager<float>
    {
        private readonly SafetensorsFile _owner;
        private readonly float* _ptr;
        private readonly int _length;

        public MappedFloatMemory(SafetensorsFile owner, float* ptr, int length) { _owner = owner; _ptr = ptr; _length = length; }

        public override Span<float> GetSpan()
        {
            ObjectDisposedException.ThrowIf(_owner._disposed, _owner);
            return new Span<float>(_ptr, _length);
        }

        public override MemoryHandle Pin(int elementIndex = 0) => new(_ptr + elementIndex);
        public override void Unpin() { }
        protected override void Dispose(bool disposing) { }
    }
}
