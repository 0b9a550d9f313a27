using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Simile.Data;

/// <summary>Element types Simile reads and writes in .npy files (little-endian IEEE floats).</summary>
public enum NpyDType { Float32, Float64 }

/// <summary>A dense C-order array from a .npy file: exactly one of <see cref="Float32"/>/<see cref="Float64"/> is set.</summary>
public sealed class NpyArray
{
    public int[] Shape { get; }
    public NpyDType DType { get; }
    public float[]? Float32 { get; }
    public double[]? Float64 { get; }
    public long Length => Float32?.LongLength ?? Float64!.LongLength;

    public NpyArray(int[] shape, float[] data) { Shape = shape; DType = NpyDType.Float32; Float32 = data; }
    public NpyArray(int[] shape, double[] data) { Shape = shape; DType = NpyDType.Float64; Float64 = data; }

    public double this[long flatIndex] => Float32 is not null ? Float32[flatIndex] : Float64![flatIndex];
}

/// <summary>
/// NumPy .npy format (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
/// reads versions 1.0, 2.0 and 3.0 with dtype '&lt;f4' or '&lt;f8', C order, any number of dimensions;
/// writes version 1.0 with the header padded so the data starts at a multiple of 64 bytes, byte for byte
/// as <c>numpy.save</c> does. The header is parsed and checked against the file length before anything
/// is allocated from it.
/// </summary>
public static class NpyFile
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    public const string SupportedDTypes = "'<f4' (float32) and '<f8' (float64), little-endian, C order";

    // ---------------------------------------------------------------- reading

    /// <summary>Reads a whole .npy array (float32 stays float32, float64 stays float64).</summary>
    public static NpyArray Read(string path)
    {
        using var fs = OpenForRead(path);
        var header = ReadHeader(fs, path);
        return ReadData(fs, path, header);
    }

    /// <summary>Only the shape and dtype (reads the header, not the data).</summary>
    public static (int[] Shape, NpyDType DType) ReadShape(string path)
    {
        using var fs = OpenForRead(path);
        var h = ReadHeader(fs, path);
        return (h.Shape, h.DType);
    }

    /// <summary>
    /// Reads a 1-D (n values → n×1) or 2-D (rows = items) array as a float64 <see cref="Matrix"/>.
    /// NaN/Inf values are rejected naming row and column.
    /// </summary>
    public static Matrix ReadMatrix(string path)
    {
        var a = Read(path);
        if (a.Shape.Length is not (1 or 2))
            throw new SimileException(
                $"{path}: array has {a.Shape.Length} dimensions, shape {ShapeText(a.Shape)}; expected a 2-D items × features matrix",
                a.Shape.Length == 0 ? "save a 2-D array (numpy.save(path, X) with X of shape (items, features))"
                    : "save one 2-D slice, e.g. numpy.save(path, X[layer]) for a [layers, words, dims] array");
        int rows = a.Shape[0], cols = a.Shape.Length == 2 ? a.Shape[1] : 1;
        var m = new Matrix(rows, cols);
        var dst = m.Values;
        if (a.Float64 is not null) a.Float64.CopyTo(dst, 0);
        else for (int i = 0; i < dst.Length; i++) dst[i] = a.Float32![i];
        for (int i = 0; i < dst.Length; i++)
            if (!double.IsFinite(dst[i]))
                throw new SimileException(
                    $"{path}: row {i / Math.Max(cols, 1) + 1}, column {i % Math.Max(cols, 1) + 1} holds {(double.IsNaN(dst[i]) ? "NaN" : "Inf")}",
                    "remove or replace non-finite values before comparing (rows and columns counted from 1)");
        return m;
    }

    private static FileStream OpenForRead(string path)
    {
        if (Directory.Exists(path))
            throw new SimileException($"'{path}' is a folder, not a .npy file", "give the path of a .npy file");
        if (!File.Exists(path))
            throw new SimileException($"file not found: '{path}'", "check the path (relative paths start at the current folder)");
        try { return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SimileException($"cannot open '{path}': {e.Message}", "check the file's permissions", e);
        }
    }

    private sealed record Header(int[] Shape, NpyDType DType, long DataOffset, long DataBytes, long Count);

    private static Header ReadHeader(FileStream fs, string path)
    {
        long length = fs.Length;
        if (length == 0)
            throw new SimileException($"{path}: file is empty", "write the array with numpy.save (or simile) again");
        Span<byte> pre = stackalloc byte[12];
        int got = fs.ReadAtLeast(pre, pre.Length, throwOnEndOfStream: false);
        if (got < 10 || !pre[..6].SequenceEqual(Magic))
            throw new SimileException($"{path}: not a .npy file (bad magic: the file must start with \\x93NUMPY)",
                "save the array with numpy.save, or use a .csv/.tsv file");
        byte major = pre[6], minor = pre[7];
        long headerLen, headerStart;
        switch (major)
        {
            case 1:
                headerLen = BinaryPrimitives.ReadUInt16LittleEndian(pre[8..10]); headerStart = 10; break;
            case 2 or 3:
                if (got < 12)
                    throw new SimileException($"{path}: .npy header is cut short ({length} bytes in the file)", "write the file again");
                headerLen = BinaryPrimitives.ReadUInt32LittleEndian(pre[8..12]); headerStart = 12; break;
            default:
                throw new SimileException($"{path}: unsupported .npy format version {major}.{minor}",
                    "save with numpy.save (format versions 1.0, 2.0 and 3.0 are supported)");
        }
        if (headerStart + headerLen > length)
            throw new SimileException(
                $"{path}: .npy header length {headerLen} goes beyond the end of the file ({length} bytes)",
                "the file is truncated or corrupt; write it again");
        var hb = new byte[headerLen];   // bounded by the file length, checked above
        fs.Position = headerStart;
        fs.ReadExactly(hb);
        string text = major == 3 ? Encoding.UTF8.GetString(hb) : Encoding.Latin1.GetString(hb);
        var (descr, fortran, shape) = ParseHeaderDict(text, path);

        NpyDType dtype = descr switch
        {
            "<f4" or "=f4" when BitConverter.IsLittleEndian => NpyDType.Float32,
            "<f8" or "=f8" when BitConverter.IsLittleEndian => NpyDType.Float64,
            "<f4" => NpyDType.Float32,
            "<f8" => NpyDType.Float64,
            _ => throw new SimileException($"{path}: unsupported .npy dtype '{descr}'",
                $"convert the array first (e.g. X.astype('<f4') or X.astype('<f8')); supported dtypes are {SupportedDTypes}"),
        };
        if (fortran)
            throw new SimileException($"{path}: array is stored in Fortran order (fortran_order: True)",
                "save a C-order copy: numpy.save(path, numpy.ascontiguousarray(X))");
        long count = 1;
        foreach (int s in shape)
        {
            count *= s;
            if (count > Array.MaxLength)
                throw new SimileException($"{path}: array shape {ShapeText(shape)} is too large to load (more than {Array.MaxLength} values)",
                    "split the array into smaller files");
        }
        int item = dtype == NpyDType.Float32 ? 4 : 8;
        long dataOffset = headerStart + headerLen;
        long expected = count * item, found = length - dataOffset;
        if (found < expected)
            throw new SimileException(
                $"{path}: data is truncated: shape {ShapeText(shape)} {descr} needs {expected} bytes of data, found {found}",
                "the file was cut short (disk full or interrupted copy?); write it again");
        if (found > expected)
            throw new SimileException(
                $"{path}: {found - expected} unexpected bytes after the data (shape {ShapeText(shape)} {descr} needs {expected} bytes, found {found})",
                "the file is corrupt or not a single numpy.save array; write it again");
        return new Header(shape, dtype, dataOffset, expected, count);
    }

    private static NpyArray ReadData(FileStream fs, string path, Header h)
    {
        fs.Position = h.DataOffset;
        if (h.DType == NpyDType.Float32)
        {
            var data = new float[h.Count];
            fs.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
            if (!BitConverter.IsLittleEndian)
                for (int i = 0; i < data.Length; i++)
                    data[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReverseEndianness(BitConverter.SingleToInt32Bits(data[i])));
            return new NpyArray(h.Shape, data);
        }
        else
        {
            var data = new double[h.Count];
            fs.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
            if (!BitConverter.IsLittleEndian)
                for (int i = 0; i < data.Length; i++)
                    data[i] = BitConverter.Int64BitsToDouble(BinaryPrimitives.ReverseEndianness(BitConverter.DoubleToInt64Bits(data[i])));
            return new NpyArray(h.Shape, data);
        }
    }

    /// <summary>Parses the header's Python dict literal: {'descr': str, 'fortran_order': bool, 'shape': tuple of ints}.</summary>
    private static (string Descr, bool Fortran, int[] Shape) ParseHeaderDict(string text, string path)
    {
        var p = new DictParser(text, path);
        string? descr = null; bool? fortran = null; int[]? shape = null;
        p.Expect('{');
        while (true)
        {
            p.SkipSpace();
            if (p.TryConsume('}')) break;
            string key = p.ReadString();
            p.Expect(':');
            switch (key)
            {
                case "descr":
                    p.SkipSpace();
                    if (p.Peek is '[' or '(' or '{')
                        throw new SimileException($"{path}: unsupported .npy dtype (structured/record array)",
                            $"save a plain numeric array; supported dtypes are {SupportedDTypes}");
                    descr = p.ReadString(); break;
                case "fortran_order": fortran = p.ReadBool(); break;
                case "shape": shape = p.ReadIntTuple(); break;
                default: p.SkipValue(); break;
            }
            p.SkipSpace();
            if (p.TryConsume(',')) continue;
            p.Expect('}');
            break;
        }
        if (descr is null || fortran is null || shape is null)
            throw new SimileException($"{path}: malformed .npy header (needs 'descr', 'fortran_order' and 'shape'): {Clip(text)}",
                "write the file again with numpy.save");
        return (descr, fortran.Value, shape);
    }

    private static string Clip(string s) { s = s.Trim(); return s.Length <= 120 ? s : s[..120] + "…"; }

    private sealed class DictParser(string text, string path)
    {
        private int _pos;
        public char Peek => _pos < text.Length ? text[_pos] : '\0';

        public void SkipSpace() { while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++; }

        public bool TryConsume(char c) { SkipSpace(); if (Peek == c) { _pos++; return true; } return false; }

        public void Expect(char c)
        {
            if (!TryConsume(c)) throw Bad($"expected '{c}' at character {_pos + 1}");
        }

        public string ReadString()
        {
            SkipSpace();
            char q = Peek;
            if (q is not ('\'' or '"')) throw Bad($"expected a quoted string at character {_pos + 1}");
            int end = text.IndexOf(q, _pos + 1);
            if (end < 0) throw Bad("unterminated string");
            string s = text[(_pos + 1)..end];
            _pos = end + 1;
            return s;
        }

        public bool ReadBool()
        {
            SkipSpace();
            if (string.CompareOrdinal(text, _pos, "True", 0, 4) == 0) { _pos += 4; return true; }
            if (string.CompareOrdinal(text, _pos, "False", 0, 5) == 0) { _pos += 5; return false; }
            throw Bad($"expected True or False at character {_pos + 1}");
        }

        public int[] ReadIntTuple()
        {
            Expect('(');
            var dims = new List<int>();
            while (true)
            {
                if (TryConsume(')')) break;
                SkipSpace();
                int start = _pos;
                while (_pos < text.Length && (char.IsAsciiDigit(text[_pos]) || text[_pos] == '-')) _pos++;
                // Python 2 era files may write long integers as 34L.
                string num = text[start.._pos];
                if (_pos < text.Length && text[_pos] == 'L') _pos++;
                if (!long.TryParse(num, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) || v < 0)
                    throw Bad($"bad shape dimension '{num}'");
                if (v > int.MaxValue)
                    throw new SimileException($"{path}: .npy shape dimension {v} is too large", "split the array into smaller files");
                dims.Add((int)v);
                if (TryConsume(',')) continue;
                Expect(')');
                break;
            }
            return dims.ToArray();
        }

        public void SkipValue()
        {
            SkipSpace();
            int depth = 0;
            while (_pos < text.Length)
            {
                char c = text[_pos];
                if (c is '\'' or '"') { ReadString(); continue; }
                if (c is '(' or '[' or '{') depth++;
                else if (c is ')' or ']' or '}') { if (depth == 0) return; depth--; }
                else if (c == ',' && depth == 0) return;
                _pos++;
            }
        }

        private SimileException Bad(string what) => new(
            $"{path}: malformed .npy header ({what}): {Clip(text)}", "write the file again with numpy.save");
    }

    // ---------------------------------------------------------------- writing

    /// <summary>Writes a float32 array of the given C-order shape (e.g. [layers, words, dims]) atomically.</summary>
    public static void Write(string path, float[] data, params int[] shape) =>
        AtomicFile.Write(path, s => Write(s, data, shape));

    /// <summary>Writes a float32 .npy (header + little-endian values) of the given C-order shape into a stream.</summary>
    public static void Write(Stream s, float[] data, params int[] shape)
    {
        CheckShape(data.LongLength, shape);
        s.Write(HeaderBytes("<f4", shape));
        WriteLittleEndian(s, data.AsSpan());
    }

    /// <summary>Writes a float64 array of the given C-order shape atomically.</summary>
    public static void Write(string path, double[] data, params int[] shape)
    {
        CheckShape(data.LongLength, shape);
        AtomicFile.Write(path, s =>
        {
            s.Write(HeaderBytes("<f8", shape));
            WriteLittleEndian(s, data.AsSpan());
        });
    }

    /// <summary>Writes a matrix as a 2-D array (rows × cols), float64 by default or narrowed to float32.</summary>
    public static void WriteMatrix(string path, Matrix m, NpyDType dtype = NpyDType.Float64)
    {
        if (dtype == NpyDType.Float64) { Write(path, m.Values, m.Rows, m.Cols); return; }
        var f = new float[m.Values.Length];
        for (int i = 0; i < f.Length; i++) f[i] = (float)m.Values[i];
        Write(path, f, m.Rows, m.Cols);
    }

    private static void CheckShape(long length, int[] shape)
    {
        long count = 1;
        foreach (int s in shape)
        {
            if (s < 0) throw new ArgumentException($"negative dimension in shape {ShapeText(shape)}");
            count *= s;
        }
        if (count != length)
            throw new ArgumentException($"shape {ShapeText(shape)} holds {count} values but the data has {length}");
    }

    private static void WriteLittleEndian<T>(Stream s, ReadOnlySpan<T> data) where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException(".npy writing needs a little-endian machine");
        // Chunked so the stream never needs one buffer the size of the whole array.
        const int chunk = 1 << 20;
        for (int i = 0; i < data.Length; i += chunk)
            s.Write(MemoryMarshal.AsBytes(data.Slice(i, Math.Min(chunk, data.Length - i))));
    }

    /// <summary>The version 1.0 preamble + header exactly as numpy 1.24 writes it (data aligned to 64 bytes).</summary>
    internal static byte[] HeaderBytes(string descr, int[] shape)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {ShapeText(shape)}, }}";
        // numpy leaves room so the first axis can grow in place (GROWTH_AXIS_MAX_DIGITS = 21).
        if (shape.Length > 0) dict += new string(' ', Math.Max(0, 21 - shape[0].ToString(CultureInfo.InvariantCulture).Length));
        int hlen = Encoding.ASCII.GetByteCount(dict) + 1;          // + '\n'
        int pad = 64 - (8 + 2 + hlen) % 64;
        int total = hlen + pad;
        if (total > ushort.MaxValue) throw new ArgumentException("shape too long for a version 1.0 .npy header");
        var bytes = new byte[10 + total];
        Magic.CopyTo(bytes);
        bytes[6] = 1; bytes[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)total);
        Encoding.ASCII.GetBytes(dict, bytes.AsSpan(10));
        bytes.AsSpan(10 + dict.Length, pad).Fill((byte)' ');
        bytes[^1] = (byte)'\n';
        return bytes;
    }

    /// <summary>Python tuple repr: (), (5,), (34, 64).</summary>
    public static string ShapeText(int[] shape) => shape.Length switch
    {
        0 => "()",
        1 => $"({shape[0]},)",
        _ => "(" + string.Join(", ", shape) + ")",
    };
}
