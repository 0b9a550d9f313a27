using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Text;

namespace Simile.Models.Gguf;

/// <summary>Metadata value types (<c>gguf_metadata_value_type</c> in ggml's docs/gguf.md).</summary>
public enum GgufValueType : uint
{
    UInt8 = 0, Int8 = 1, UInt16 = 2, Int16 = 3, UInt32 = 4, Int32 = 5, Float32 = 6, Bool = 7, String = 8, Array = 9,
    UInt64 = 10, Int64 = 11, Float64 = 12,
}

/// <summary>
/// One metadata value. Scalars hold their .NET value (byte, sbyte, ushort, short, uint, int, float, bool, string,
/// ulong, long, double); arrays hold a typed .NET array (<c>string[]</c>, <c>int[]</c>, <c>float[]</c>, …) with
/// <see cref="ElementType"/> set, and nested arrays a <c>GgufValue[]</c>.
/// </summary>
public sealed record GgufValue(GgufValueType Type, object Value, GgufValueType? ElementType = null)
{
    public bool IsInteger => Type is GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.UInt16 or GgufValueType.Int16
        or GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.UInt64 or GgufValueType.Int64;

    public bool IsFloat => Type is GgufValueType.Float32 or GgufValueType.Float64;

    /// <summary>Number of elements of an array value (0 for scalars).</summary>
    public int Count => Value is System.Array a ? a.Length : 0;

    /// <summary>"UINT32", "STRING", "ARRAY[287] of STRING" — as gguf-py names them.</summary>
    public string TypeText => Type == GgufValueType.Array
        ? $"ARRAY[{Count}] of {ElementType?.ToString().ToUpperInvariant()}"
        : Type.ToString().ToUpperInvariant();

    /// <summary>Short text for inspect: the value, or an array's length and first elements.</summary>
    public override string ToString() => Value switch
    {
        string s => s.Length > 80 ? s[..77] + "…" : s,
        GgufValue[] nested => $"[{nested.Length} arrays]",
        System.Array a => $"[{a.Length}: {string.Join(", ", a.Cast<object>().Take(5).Select(x => x is string s ? "\"" + s + "\"" : Convert.ToString(x, System.Globalization.CultureInfo.InvariantCulture)))}{(a.Length > 5 ? ", …" : "")}]",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => Value.ToString() ?? "",
    };
}

/// <summary>
/// One tensor-info record. <see cref="Dims"/> are ggml's <c>ne[]</c> (fastest-varying first); <see cref="Shape"/> is the
/// numpy order (reversed). A "row" is <c>ne[0]</c> contiguous values; there are <see cref="RowCount"/> = ne[1]·ne[2]·ne[3] rows.
/// <see cref="Offset"/> is relative to the data section (as in the file); <see cref="FileOffset"/> is absolute.
/// </summary>
public sealed record GgufTensorInfo(string Name, GgmlType Type, long[] Dims, long Offset, long FileOffset, long ByteSize)
{
    public string TypeName => GgmlTypes.Name(Type);
    public long[] Shape => Dims.Reverse().ToArray();
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
    public long ElementCount => Dims.Aggregate(1L, (a, b) => a * b);
    public long RowLength => Dims[0];
    public long RowCount => ElementCount / Dims[0];
    public long RowBytes => Dims[0] / GgmlTypes.BlockSize(Type) * GgmlTypes.TypeSize(Type);
}

/// <summary>
/// A GGUF v2/v3 file (ggml's <c>docs/gguf.md</c>), memory-mapped and validated as hostile input before anything is
/// believed: magic, version, key/value and tensor counts against the bytes left, string and array lengths, value types,
/// nesting, <c>general.alignment</c> (a power of two, default 32), tensor dims (1–4, each ≥ 1, no overflow), type ids,
/// row lengths whole blocks, data offsets aligned, inside the file and non-overlapping. No allocation is sized by a
/// number from the file before that number is checked against the file's length. Every problem is a
/// <see cref="SimileException"/> naming the file, the place (key, tensor, byte offset) and a fix.
/// Tensor values are read through <see cref="DequantizeRows"/> / <see cref="Dequantize"/> (float32, exactly as ggml).
/// </summary>
public sealed unsafe class GgufFile : IDisposable
{
    public const uint Magic = 0x46554747; // "GGUF" little-endian
    public const int DefaultAlignment = 32;
    /// <summary>Longest string (key, name or value) accepted: 64 MiB.</summary>
    public const long MaxStringBytes = 64L << 20;
    /// <summary>Deepest array nesting accepted.</summary>
    public const int MaxArrayDepth = 4;
    /// <summary>Most elements a metadata array may have (real token lists have under a million): bounds what an array costs.</summary>
    public const long MaxArrayElements = 16L << 20;

    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private byte* _base;
    private readonly Dictionary<string, GgufTensorInfo> _byName;

    public string Path { get; }
    public long FileLength { get; }
    public int Version { get; }
    public int Alignment { get; }
    /// <summary>Absolute byte offset of the data section (after the tensor infos, padded to the alignment).</summary>
    public long DataOffset { get; }
    public IReadOnlyDictionary<string, GgufValue> Metadata { get; }
    /// <summary>Metadata keys in file order.</summary>
    public IReadOnlyList<string> Keys { get; }
    /// <summary>Tensor infos in file order.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    private GgufFile(string path, long length, MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte* basePtr, int version,
        int alignment, long dataOffset, Dictionary<string, GgufValue> metadata, List<string> keys, List<GgufTensorInfo> tensors)
    {
        Path = path; FileLength = length; _map = map; _view = view; _base = basePtr; Version = version; Alignment = alignment;
        DataOffset = dataOffset; Metadata = metadata; Keys = keys; Tensors = tensors;
        _byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>True when the file starts with the GGUF magic (cheap check for model resolution).</summary>
    public static bool HasMagic(string path)
    {
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            Span<byte> b = stackalloc byte[4];
            return fs.Read(b) == 4 && BinaryPrimitives.ReadUInt32LittleEndian(b) == Magic;
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    /// <summary>Maps and validates a GGUF file.</summary>
    public static GgufFile Open(string path)
    {
        if (!LinkedFile.Exists(path))
            throw new SimileException($"GGUF file '{path}' does not exist", "check the path (or the Ollama model name)");
        long length = LinkedFile.Length(path);   // the file's size, not a symbolic link's (Hugging Face cache)
        if (length < 24)
            throw new SimileException($"GGUF file '{path}' is {length} bytes long, shorter than the 24-byte GGUF header",
                "the file is truncated or not a GGUF file: download or export it again");
        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        byte* p = null;
        try
        {
            map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            p += view.PointerOffset;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            view?.Dispose(); map?.Dispose();
            throw new SimileException($"cannot memory-map GGUF file '{path}': {e.Message}", "check that the file is readable", e);
        }
        try
        {
            var parser = new Parser(path, p, length);
            var (version, metadata, keys, alignment, tensors, dataOffset) = parser.Parse();
            return new GgufFile(path, length, map, view, p, version, alignment, dataOffset, metadata, keys, tensors);
        }
        catch
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
            view.Dispose(); map.Dispose();
            throw;
        }
    }

    // ---------------------------------------------------------------- metadata

    public bool Has(string key) => Metadata.ContainsKey(key);

    public GgufValue? Get(string key) => Metadata.TryGetValue(key, out var v) ? v : null;

    /// <summary>A string value, or null when absent; a value of another type is an error.</summary>
    public string? GetString(string key)
    {
        if (!Metadata.TryGetValue(key, out var v)) return null;
        return v.Value as string ?? throw WrongType(key, v, "a string");
    }

    /// <summary>An integer value of any integer type, or null when absent; checked to fit a long.</summary>
    public long? GetInteger(string key)
    {
        if (!Metadata.TryGetValue(key, out var v)) return null;
        return v.Value switch
        {
            byte b => b, sbyte sb => sb, ushort us => us, short s => s, uint ui => ui, int i => i, long l => l,
            ulong ul when ul <= long.MaxValue => (long)ul,
            _ => throw WrongType(key, v, "an integer"),
        };
    }

    /// <summary>An integer that must lie in [min, max] when present.</summary>
    public int? GetInt(string key, int min, int max)
    {
        long? x = GetInteger(key);
        if (x is null) return null;
        if (x < min || x > max)
            throw new SimileException($"GGUF file '{Path}': metadata '{key}' is {x}, outside {min}..{max}",
                "the file's metadata is corrupt: export or download it again");
        return (int)x;
    }

    /// <summary>A float value (FLOAT32/FLOAT64, or an integer), or null when absent.</summary>
    public double? GetFloat(string key)
    {
        if (!Metadata.TryGetValue(key, out var v)) return null;
        return v.Value switch
        {
            float f => f, double d => d,
            _ when v.IsInteger => GetInteger(key),
            _ => throw WrongType(key, v, "a number"),
        };
    }

    public bool? GetBool(string key)
    {
        if (!Metadata.TryGetValue(key, out var v)) return null;
        return v.Value as bool? ?? throw WrongType(key, v, "a boolean");
    }

    /// <summary>A typed array (e.g. <c>GetArray&lt;string&gt;("tokenizer.ggml.tokens")</c>), or null when absent.</summary>
    public T[]? GetArray<T>(string key)
    {
        if (!Metadata.TryGetValue(key, out var v)) return null;
        return v.Value as T[] ?? throw WrongType(key, v, $"an array of {typeof(T).Name}");
    }

    private SimileException WrongType(string key, GgufValue v, string expected) =>
        new($"GGUF file '{Path}': metadata '{key}' is {v.TypeText}, expected {expected}",
            "the file's metadata is not what llama.cpp writes: export or download it again");

    // ---------------------------------------------------------------- tensors

    public bool HasTensor(string name) => _byName.ContainsKey(name);

    public GgufTensorInfo Tensor(string name) => _byName.TryGetValue(name, out var t) ? t
        : Metadata.ContainsKey("split.count")
            ? throw new SimileException($"GGUF file '{Path}' has no tensor '{name}': it is one part of a split model (split.count {Get("split.count")})",
                "merge the parts into one file with llama.cpp's 'llama-gguf-split --merge FIRST-PART OUT.gguf'")
            : throw new SimileException($"GGUF file '{Path}' has no tensor '{name}'",
                "use a complete model file (see 'simile inspect' for the tensors it has)");

    /// <summary>The raw bytes of rows [firstRow, firstRow + count) of a tensor (the span must stay under 2 GiB).</summary>
    public ReadOnlySpan<byte> RowBytes(GgufTensorInfo t, long firstRow, int count)
    {
        ObjectDisposedException.ThrowIf(_base == null, this);
        if (firstRow < 0 || count < 0 || firstRow + count > t.RowCount)
            throw new ArgumentOutOfRangeException(nameof(firstRow), $"rows {firstRow}..{firstRow + count} of '{t.Name}' ({t.RowCount} rows)");
        long bytes = t.RowBytes * count;
        if (bytes > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(count), "more than 2 GiB of rows at once");
        return new ReadOnlySpan<byte>(_base + t.FileOffset + t.RowBytes * firstRow, (int)bytes);
    }

    /// <summary>Throws the Simile error for a tensor whose type Simile does not dequantize.</summary>
    public void RequireDequantizable(GgufTensorInfo t)
    {
        if (!GgmlTypes.CanDequantize(t.Type))
            throw new SimileException(
                $"GGUF file '{Path}': tensor '{t.Name}' has type {t.TypeName}, which Simile cannot dequantize",
                $"use a file quantized with one of {GgmlTypes.DequantizableList} (for example re-quantize with llama-quantize to Q4_K_M or Q8_0)");
    }

    /// <summary>
    /// Selected rows of a tensor as float32: <paramref name="destination"/> gets rows.Length × RowLength values, row k =
    /// row <c>rows[k]</c> (an index over ne[1]·ne[2]·ne[3]). Only those rows' bytes are touched.
    /// </summary>
    public void DequantizeRows(GgufTensorInfo t, ReadOnlySpan<int> rows, Span<float> destination)
    {
        RequireDequantizable(t);
        long n = t.RowLength;
        if (destination.Length != rows.Length * n)
            throw new ArgumentException($"destination has {destination.Length} values, {rows.Length} rows of '{t.Name}' need {rows.Length * n}");
        for (int k = 0; k < rows.Length; k++)
        {
            if (rows[k] < 0 || rows[k] >= t.RowCount)
                throw new SimileException($"row {rows[k]} of tensor '{t.Name}' in '{Path}' is out of range (0..{t.RowCount - 1})",
                    "the token id does not belong to this model's vocabulary: use the model's own tokenizer");
            GgmlDequantize.Row(t.Type, RowBytes(t, rows[k], 1), destination.Slice((int)(k * n), (int)n));
        }
    }

    /// <summary>Contiguous rows [firstRow, firstRow + count) as float32 (count × RowLength values).</summary>
    public void DequantizeRowRange(GgufTensorInfo t, long firstRow, int count, Span<float> destination)
    {
        RequireDequantizable(t);
        long n = t.RowLength;
        if (destination.Length != count * n)
            throw new ArgumentException($"destination has {destination.Length} values, {count} rows of '{t.Name}' need {count * n}");
        // In chunks of at most 256 MiB of source bytes so that a span never exceeds 2 GiB.
        int chunk = (int)Math.Max(1, Math.Min(count, (256L << 20) / t.RowBytes));
        for (int r = 0; r < count; r += chunk)
        {
            int m = Math.Min(chunk, count - r);
            GgmlDequantize.Row(t.Type, RowBytes(t, firstRow + r, m), destination.Slice((int)(r * n), (int)(m * n)));
        }
    }

    /// <summary>Values [firstColumn, firstColumn + destination.Length) of one row as float32, in whole blocks: the part
    /// starts at a block boundary and ends at one or at the row's end. Only that part's bytes are touched.</summary>
    public void DequantizeRowPart(GgufTensorInfo t, long row, int firstColumn, Span<float> destination)
    {
        RequireDequantizable(t);
        int block = GgmlTypes.BlockSize(t.Type), size = GgmlTypes.TypeSize(t.Type);
        if (firstColumn < 0 || firstColumn + (long)destination.Length > t.RowLength || firstColumn % block != 0
            || ((firstColumn + destination.Length) % block != 0 && firstColumn + destination.Length != t.RowLength))
            throw new ArgumentException($"values {firstColumn}..{firstColumn + destination.Length} of a row of '{t.Name}' ({t.RowLength} values) are not whole {t.TypeName} blocks");
        GgmlDequantize.Row(t.Type, RowBytes(t, row, 1).Slice(firstColumn / block * size, destination.Length / block * size), destination);
    }

    /// <summary>The whole tensor as float32 in ggml order (= numpy C order of <see cref="GgufTensorInfo.Shape"/>).</summary>
    public void Dequantize(GgufTensorInfo t, Span<float> destination)
    {
        if (destination.Length != t.ElementCount)
            throw new ArgumentException($"destination has {destination.Length} values, '{t.Name}' has {t.ElementCount}");
        if (t.RowCount > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(t));
        DequantizeRowRange(t, 0, (int)t.RowCount, destination);
    }

    /// <summary>
    /// y[r] = row r · x for every row of a 2-D tensor, dequantizing one row at a time into <paramref name="scratch"/>
    /// (RowLength floats, reused): a matrix–vector product straight from the stored format.
    /// </summary>
    public void MatVec(GgufTensorInfo t, ReadOnlySpan<float> x, Span<float> y, Span<float> scratch)
    {
        RequireDequantizable(t);
        if (x.Length != t.RowLength || y.Length != t.RowCount || scratch.Length < t.RowLength)
            throw new ArgumentException($"MatVec on '{t.Name}' {t.ShapeText}: x {x.Length}, y {y.Length}, scratch {scratch.Length}");
        var row = scratch[..(int)t.RowLength];
        for (int r = 0; r < y.Length; r++)
        {
            GgmlDequantize.Row(t.Type, RowBytes(t, r, 1), row);
            y[r] = System.Numerics.Tensors.TensorPrimitives.Dot(row, x);
        }
    }

    public void Dispose()
    {
        if (_base != null && _view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _base = null;
        }
        _view?.Dispose();
        _map?.Dispose();
    }

    // ---------------------------------------------------------------- parsing

    /// <summary>A bounds-checked cursor over the mapped header.</summary>
    private sealed class Parser(string path, byte* basePtr, long length)
    {
        private long _pos;
        private string _where = "the header";

        private SimileException Bad(string problem, string? fix = null) =>
            new($"GGUF file '{path}' is invalid at byte {_pos} ({_where}): {problem}",
                fix ?? "the file is truncated or corrupt: download or export it again");

        private long Remaining => length - _pos;

        private void Need(long n, string what)
        {
            if (n < 0 || n > Remaining)
                throw Bad($"{what} needs {n} bytes but only {Remaining} remain (file length {length})");
        }

        private byte U8() { Need(1, "a byte"); return basePtr[_pos++]; }
        private ushort U16() { Need(2, "a 16-bit value"); var v = BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(basePtr + _pos, 2)); _pos += 2; return v; }
        private uint U32() { Need(4, "a 32-bit value"); var v = BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>(basePtr + _pos, 4)); _pos += 4; return v; }
        private ulong U64() { Need(8, "a 64-bit value"); var v = BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(basePtr + _pos, 8)); _pos += 8; return v; }

        private static readonly UTF8Encoding StrictUtf8 = new(false, true);

        private string Str(bool strict)
        {
            ulong n = U64();
            if (n > (ulong)Remaining)
                throw Bad($"a string of {n} bytes is declared but only {Remaining} bytes remain");
            if (n > MaxStringBytes)
                throw Bad($"a string of {n} bytes is declared, more than the {MaxStringBytes}-byte limit");
            var bytes = new ReadOnlySpan<byte>(basePtr + _pos, (int)n);
            string s;
            try { s = strict ? StrictUtf8.GetString(bytes) : Encoding.UTF8.GetString(bytes); }
            catch (DecoderFallbackException) { throw Bad("a name is not valid UTF-8"); }
            _pos += (long)n;
            return s;
        }

        public (int, Dictionary<string, GgufValue>, List<string>, int, List<GgufTensorInfo>, long) Parse()
        {
            uint magic = U32();
            if (magic != Magic)
                throw Bad($"the magic is 0x{magic:X8}, not \"GGUF\" (0x{Magic:X8})", "give a .gguf model file (llama.cpp, Ollama, LM Studio)");
            uint version = U32();
            if (version is not (2 or 3))
            {
                string why = version == 1 ? "GGUF v1 is obsolete"
                    : BinaryPrimitives.ReverseEndianness(version) is 2 or 3 ? "the file is big-endian" : "unknown version";
                throw Bad($"version {version} ({why}); Simile reads little-endian GGUF v2 and v3",
                    "convert the model again with a current llama.cpp (convert_hf_to_gguf.py / llama-quantize)");
            }
            _where = "the counts";
            ulong tensorCount = U64();
            ulong kvCount = U64();
            // Smallest possible records: a key/value is 8 (key length) + 4 (type) + 1 byte; a tensor info is
            // 8 (name length) + 4 (n_dims) + 8 (one dim) + 4 (type) + 8 (offset) bytes.
            if (kvCount > (ulong)(Remaining / 13))
                throw Bad($"{kvCount} metadata key/value pairs are declared, more than {Remaining} remaining bytes can hold");
            if (tensorCount > (ulong)(Remaining / 32))
                throw Bad($"{tensorCount} tensors are declared, more than {Remaining} remaining bytes can hold");

            // Collections grow with what is actually parsed, never pre-sized by a count from the file.
            var metadata = new Dictionary<string, GgufValue>(StringComparer.Ordinal);
            var keys = new List<string>();
            for (ulong i = 0; i < kvCount; i++)
            {
                _where = $"metadata pair {i}";
                string key = Str(strict: true);
                _where = $"metadata '{key}'";
                if (key.Length == 0) throw Bad("an empty key");
                if (metadata.ContainsKey(key)) throw Bad("the key occurs twice");
                uint type = U32();
                var value = Value(type, 0);
                metadata[key] = value;
                keys.Add(key);
            }

            int alignment = DefaultAlignment;
            if (metadata.TryGetValue("general.alignment", out var al))
            {
                _where = "metadata 'general.alignment'";
                if (al.Value is not uint a)
                    throw Bad($"general.alignment is {al.TypeText}, not UINT32");
                if (a == 0 || (a & (a - 1)) != 0 || a > (1u << 20))
                    throw Bad($"general.alignment is {a}, not a power of two up to 1 MiB");
                alignment = (int)a;
            }

            var tensors = new List<GgufTensorInfo>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            var raw = new List<(string Name, GgmlType Type, long[] Dims, ulong Offset, long Bytes, long At)>();
            for (ulong i = 0; i < tensorCount; i++)
            {
                _where = $"tensor info {i}";
                long at = _pos;
                string name = Str(strict: true);
                _where = $"tensor '{name}'";
                if (name.Length == 0) throw Bad("an empty tensor name");
                if (!names.Add(name)) throw Bad("the tensor name occurs twice");
                uint nDims = U32();
                if (nDims is < 1 or > 4) throw Bad($"n_dims is {nDims}; ggml tensors have 1 to 4 dimensions");
                var dims = new long[nDims];
                long elements = 1;
                for (int d = 0; d < nDims; d++)
                {
                    ulong ne = U64();
                    if (ne == 0 || ne > long.MaxValue) throw Bad($"dimension {d} is {ne}; every dimension must be 1 or more");
                    dims[d] = (long)ne;
                    if (elements > long.MaxValue / dims[d]) throw Bad($"the dimensions [{string.Join(", ", dims.Take(d + 1))}] overflow a 64-bit element count");
                    elements *= dims[d];
                }
                uint typeId = U32();
                if (!GgmlTypes.IsKnown(typeId))
                    throw Bad($"type id {typeId} is not a ggml type Simile knows (removed or newer than this reader)",
                        $"re-quantize the model to one of {GgmlTypes.DequantizableList}");
                var type = (GgmlType)typeId;
                int block = GgmlTypes.BlockSize(type);
                if (dims[0] % block != 0)
                    throw Bad($"ne[0] = {dims[0]} is not a whole number of {type} blocks of {block} values");
                long rowBytes = dims[0] / block * GgmlTypes.TypeSize(type);
                if (rowBytes > int.MaxValue)
                    throw Bad($"ne[0] = {dims[0]} makes one row {rowBytes} bytes, more than the 2 GiB a row may take");
                long rows = elements / dims[0];
                if (rowBytes > length || rows > length / Math.Max(1, rowBytes))
                    throw Bad($"dims [{string.Join(", ", dims)}] of type {type} need more bytes than the whole file ({length})");
                long bytes = rowBytes * rows;
                ulong offset = U64();
                raw.Add((name, type, dims, offset, bytes, at));
            }

            _where = "the tensor data";
            long dataOffset = (_pos + alignment - 1) / alignment * alignment;
            if (dataOffset > length && tensorCount > 0)
                throw Bad($"the data section would start at byte {dataOffset}, past the end of the file ({length})");
            long dataLength = length - dataOffset;
            foreach (var r in raw)
            {
                if (r.Offset % (ulong)alignment != 0)
                    throw new SimileException($"GGUF file '{path}': tensor '{r.Name}' (info at byte {r.At}) has data offset {r.Offset}, not a multiple of the alignment {alignment}",
                        "the file is corrupt: download or export it again");
                if (r.Offset > (ulong)dataLength || (ulong)r.Bytes > (ulong)dataLength - r.Offset)
                    throw new SimileException($"GGUF file '{path}': tensor '{r.Name}' (info at byte {r.At}) spans data bytes {r.Offset}..{r.Offset + (ulong)r.Bytes}, past the end of the data section ({dataLength} bytes from byte {dataOffset})",
                        "the file is truncated: download or export it again");
                tensors.Add(new GgufTensorInfo(r.Name, r.Type, r.Dims, (long)r.Offset, dataOffset + (long)r.Offset, r.Bytes));
            }
            var sorted = tensors.OrderBy(t => t.Offset).ToList();
            for (int i = 1; i < sorted.Count; i++)
                if (sorted[i].Offset < sorted[i - 1].Offset + sorted[i - 1].ByteSize)
                    throw new SimileException($"GGUF file '{path}': tensor '{sorted[i].Name}' (data offset {sorted[i].Offset}) overlaps tensor '{sorted[i - 1].Name}' (data offset {sorted[i - 1].Offset}, {sorted[i - 1].ByteSize} bytes)",
                        "the file is corrupt: download or export it again");
            return ((int)version, metadata, keys, alignment, tensors, dataOffset);
        }

        private static int FixedSize(GgufValueType t) => t switch
        {
            GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
            GgufValueType.UInt16 or GgufValueType.Int16 => 2,
            GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
            GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 => 8,
            _ => 0,
        };

        private GgufValue Value(uint typeId, int depth)
        {
            if (typeId > (uint)GgufValueType.Float64) throw Bad($"value type {typeId} is not a GGUF metadata type (0–12)");
            var type = (GgufValueType)typeId;
            switch (type)
            {
                case GgufValueType.UInt8: return new(type, U8());
                case GgufValueType.Int8: return new(type, (sbyte)U8());
                case GgufValueType.UInt16: return new(type, U16());
                case GgufValueType.Int16: return new(type, (short)U16());
                case GgufValueType.UInt32: return new(type, U32());
                case GgufValueType.Int32: return new(type, (int)U32());
                case GgufValueType.Float32: return new(type, BitConverter.UInt32BitsToSingle(U32()));
                case GgufValueType.UInt64: return new(type, U64());
                case GgufValueType.Int64: return new(type, (long)U64());
                case GgufValueType.Float64: return new(type, BitConverter.UInt64BitsToDouble(U64()));
                case GgufValueType.Bool: return new(type, Bool());
                case GgufValueType.String: return new(type, Str(strict: false));
                default: return Array(depth);
            }
        }

        private bool Bool()
        {
            byte b = U8();
            if (b > 1) throw Bad($"a boolean is {b}, not 0 or 1");
            return b == 1;
        }

        private GgufValue Array(int depth)
        {
            if (depth >= MaxArrayDepth) throw Bad($"arrays are nested more than {MaxArrayDepth} deep");
            uint elemId = U32();
            if (elemId > (uint)GgufValueType.Float64) throw Bad($"array element type {elemId} is not a GGUF metadata type (0–12)");
            var et = (GgufValueType)elemId;
            ulong n = U64();
            // Every element takes at least this many bytes: check the count before allocating anything.
            int minSize = et switch { GgufValueType.String => 8, GgufValueType.Array => 12, _ => FixedSize(et) };
            if (n > (ulong)(Remaining / minSize))
                throw Bad($"an array of {n} {et} elements is declared but only {Remaining} bytes remain");
            if (n > (ulong)MaxArrayElements)
                throw Bad($"an array of {n} elements is declared, more than the {MaxArrayElements} a GGUF metadata array may have here");
            int count = (int)n;
            int size = FixedSize(et);
            if (size > 0)
            {
                var src = new ReadOnlySpan<byte>(basePtr + _pos, count * size);
                object arr = et switch
                {
                    GgufValueType.UInt8 => src.ToArray(),
                    GgufValueType.Int8 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(src).ToArray(),
                    GgufValueType.Bool => BoolArray(src),
                    GgufValueType.UInt16 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(src).ToArray(),
                    GgufValueType.Int16 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(src).ToArray(),
                    GgufValueType.UInt32 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(src).ToArray(),
                    GgufValueType.Int32 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(src).ToArray(),
                    GgufValueType.Float32 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(src).ToArray(),
                    GgufValueType.UInt64 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(src).ToArray(),
                    GgufValueType.Int64 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(src).ToArray(),
                    _ => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(src).ToArray(),
                };
                _pos += (long)count * size;
                return new GgufValue(GgufValueType.Array, arr, et);
            }
            if (et == GgufValueType.String)
            {
                // Grown as the strings are read: a lying count fails at the first string past the end.
                var strings = new List<string>(Math.Min(count, 4096));
                for (int i = 0; i < count; i++) strings.Add(Str(strict: false));
                return new GgufValue(GgufValueType.Array, strings.ToArray(), et);
            }
            var nested = new List<GgufValue>(Math.Min(count, 4096));
            for (int i = 0; i < count; i++) nested.Add(Array(depth + 1));
            return new GgufValue(GgufValueType.Array, nested.ToArray(), et);
        }

        private bool[] BoolArray(ReadOnlySpan<byte> src)
        {
            var b = new bool[src.Length];
            for (int i = 0; i < src.Length; i++)
            {
                if (src[i] > 1) throw Bad($"element {i} of a boolean array is {src[i]}, not 0 or 1");
                b[i] = src[i] == 1;
            }
            return b;
        }
    }
}
