using System.Text;
using Simile.Models.Gguf;

namespace Simile.Tests.Models.Gguf;

/// <summary>
/// A GGUF v3 writer for tests, written from ggml's docs/gguf.md: header, key/values, tensor infos, padding to the
/// alignment, tensor data (each tensor aligned). <see cref="Positions"/> records where each field was written, so
/// hostile-file tests can patch a field (a count, a length, a dim, an offset) and see the reader refuse it.
/// </summary>
internal sealed class GgufWriter
{
    private readonly List<(string Key, GgufValueType Type, object Value, GgufValueType? Element)> _kv = [];
    private readonly List<(string Name, GgmlType Type, long[] Dims, byte[] Data)> _tensors = [];

    public uint Version { get; set; } = 3;
    public int Alignment { get; set; } = 32;
    public Dictionary<string, long> Positions { get; } = new(StringComparer.Ordinal);

    public GgufWriter Add(string key, GgufValueType type, object value) { _kv.Add((key, type, value, null)); return this; }
    public GgufWriter AddArray(string key, GgufValueType element, System.Collections.IList values) { _kv.Add((key, GgufValueType.Array, values, element)); return this; }
    public GgufWriter String(string key, string v) => Add(key, GgufValueType.String, v);
    public GgufWriter U32(string key, uint v) => Add(key, GgufValueType.UInt32, v);
    public GgufWriter F32(string key, float v) => Add(key, GgufValueType.Float32, v);
    public GgufWriter Bool(string key, bool v) => Add(key, GgufValueType.Bool, v);

    /// <summary>A tensor with ggml dims (ne[0] first) and its raw bytes in the stored type.</summary>
    public GgufWriter Tensor(string name, GgmlType type, long[] dims, byte[] data) { _tensors.Add((name, type, dims, data)); return this; }

    public GgufWriter TensorF32(string name, long[] dims, float[] values)
    {
        var b = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, b, 0, b.Length);
        return Tensor(name, GgmlType.F32, dims, b);
    }

    public byte[] ToBytes()
    {
        Positions.Clear();
        var ms = new MemoryStream();
        var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true);
        w.Write(0x46554747u);
        Positions["version"] = ms.Position; w.Write(Version);
        Positions["tensor_count"] = ms.Position; w.Write((ulong)_tensors.Count);
        Positions["kv_count"] = ms.Position; w.Write((ulong)_kv.Count);
        for (int i = 0; i < _kv.Count; i++)
        {
            var (key, type, value, element) = _kv[i];
            Positions[$"kv{i}.key"] = ms.Position;
            WriteString(w, key);
            Positions[$"kv{i}.type"] = ms.Position;
            w.Write((uint)type);
            Positions[$"kv{i}.value"] = ms.Position;
            if (type == GgufValueType.Array)
            {
                var list = (System.Collections.IList)value;
                w.Write((uint)element!.Value);
                Positions[$"kv{i}.count"] = ms.Position;
                w.Write((ulong)list.Count);
                foreach (var x in list) WriteScalar(w, element.Value, x!);
            }
            else WriteScalar(w, type, value);
        }
        var offsets = new List<long>();
        long data = 0;
        foreach (var t in _tensors)
        {
            data = (data + Alignment - 1) / Alignment * Alignment;
            offsets.Add(data);
            data += t.Data.Length;
        }
        for (int i = 0; i < _tensors.Count; i++)
        {
            var t = _tensors[i];
            Positions[$"t{i}.name"] = ms.Position;
            WriteString(w, t.Name);
            Positions[$"t{i}.ndims"] = ms.Position;
            w.Write((uint)t.Dims.Length);
            for (int d = 0; d < t.Dims.Length; d++) { Positions[$"t{i}.dim{d}"] = ms.Position; w.Write((ulong)t.Dims[d]); }
            Positions[$"t{i}.type"] = ms.Position;
            w.Write((uint)t.Type);
            Positions[$"t{i}.offset"] = ms.Position;
            w.Write((ulong)offsets[i]);
        }
        w.Flush();
        long dataStart = (ms.Position + Alignment - 1) / Alignment * Alignment;
        while (ms.Position < dataStart) ms.WriteByte(0);
        Positions["data"] = dataStart;
        for (int i = 0; i < _tensors.Count; i++)
        {
            while (ms.Position < dataStart + offsets[i]) ms.WriteByte(0);
            Positions[$"t{i}.data"] = ms.Position;
            ms.Write(_tensors[i].Data);
        }
        return ms.ToArray();
    }

    public string Write(string path)
    {
        File.WriteAllBytes(path, ToBytes());
        return path;
    }

    private static void WriteString(BinaryWriter w, string s)
    {
        var b = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)b.Length);
        w.Write(b);
    }

    private static void WriteScalar(BinaryWriter w, GgufValueType type, object v)
    {
        switch (type)
        {
            case GgufValueType.UInt8: w.Write(Convert.ToByte(v)); break;
            case GgufValueType.Int8: w.Write(Convert.ToSByte(v)); break;
            case GgufValueType.UInt16: w.Write(Convert.ToUInt16(v)); break;
            case GgufValueType.Int16: w.Write(Convert.ToInt16(v)); break;
            case GgufValueType.UInt32: w.Write(Convert.ToUInt32(v)); break;
            case GgufValueType.Int32: w.Write(Convert.ToInt32(v)); break;
            case GgufValueType.Float32: w.Write(Convert.ToSingle(v)); break;
            case GgufValueType.Bool: w.Write((bool)v ? (byte)1 : (byte)0); break;
            case GgufValueType.String: WriteString(w, (string)v); break;
            case GgufValueType.UInt64: w.Write(Convert.ToUInt64(v)); break;
            case GgufValueType.Int64: w.Write(Convert.ToInt64(v)); break;
            case GgufValueType.Float64: w.Write(Convert.ToDouble(v)); break;
            default: throw new ArgumentException("nested arrays: use AddNested");
        }
    }
}

/// <summary>
/// Test-side quantizers following ggml's <c>quantize_row_*_ref</c> (ggml-quants.c) for the 32-value block types, and
/// fp16 helpers. Used to write tiny quantized checkpoints; the reader's output is checked against independent values.
/// </summary>
internal static class RefQuant
{
    public static ushort Fp16Bits(float x) => BitConverter.HalfToUInt16Bits((Half)x);
    public static float Fp16(ushort bits) => (float)BitConverter.UInt16BitsToHalf(bits);

    public static byte[] Q8_0(float[] x)
    {
        var o = new byte[x.Length / 32 * 34];
        for (int i = 0; i < x.Length / 32; i++)
        {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.Max(amax, Math.Abs(x[i * 32 + j]));
            float d = amax / 127;
            float id = d != 0 ? 1.0f / d : 0.0f;
            BitConverter.TryWriteBytes(o.AsSpan(i * 34), Fp16Bits(d));
            for (int j = 0; j < 32; j++) o[i * 34 + 2 + j] = (byte)(sbyte)MathF.Round(x[i * 32 + j] * id, MidpointRounding.AwayFromZero);
        }
        return o;
    }

    public static byte[] Q4_0(float[] x)
    {
        var o = new byte[x.Length / 32 * 18];
        for (int i = 0; i < x.Length / 32; i++)
        {
            float amax = 0, max = 0;
            for (int j = 0; j < 32; j++) { float v = x[i * 32 + j]; if (amax < Math.Abs(v)) { amax = Math.Abs(v); max = v; } }
            float d = max / -8, id = d != 0 ? 1.0f / d : 0.0f;
            BitConverter.TryWriteBytes(o.AsSpan(i * 18), Fp16Bits(d));
            for (int j = 0; j < 16; j++)
            {
                float x0 = x[i * 32 + j] * id, x1 = x[i * 32 + 16 + j] * id;
                int q0 = Math.Min(15, (int)(sbyte)(x0 + 8.5f)), q1 = Math.Min(15, (int)(sbyte)(x1 + 8.5f));
                o[i * 18 + 2 + j] = (byte)(q0 | (q1 << 4));
            }
        }
        return o;
    }

    public static byte[] Q4_1(float[] x) => QMin(x, 4);
    public static byte[] Q5_1(float[] x) => QMin(x, 5);

    /// <summary>Q4_1 / Q5_1: d = (max − min)/(2^bits − 1), m = min, q = (x − min)/d + 0.5 truncated.</summary>
    private static byte[] QMin(float[] x, int bits)
    {
        int size = bits == 4 ? 20 : 24;
        var o = new byte[x.Length / 32 * size];
        for (int i = 0; i < x.Length / 32; i++)
        {
            float min = float.MaxValue, max = -float.MaxValue;
            for (int j = 0; j < 32; j++) { min = Math.Min(min, x[i * 32 + j]); max = Math.Max(max, x[i * 32 + j]); }
            float d = (max - min) / ((1 << bits) - 1), id = d != 0 ? 1.0f / d : 0.0f;
            int b = i * size;
            BitConverter.TryWriteBytes(o.AsSpan(b), Fp16Bits(d));
            BitConverter.TryWriteBytes(o.AsSpan(b + 2), Fp16Bits(min));
            uint qh = 0;
            int qs = bits == 4 ? b + 4 : b + 8;
            for (int j = 0; j < 16; j++)
            {
                int x0 = (byte)((x[i * 32 + j] - min) * id + 0.5f), x1 = (byte)((x[i * 32 + 16 + j] - min) * id + 0.5f);
                if (bits == 4) { x0 = Math.Min(15, x0); x1 = Math.Min(15, x1); }
                o[qs + j] = (byte)((x0 & 0x0F) | ((x1 & 0x0F) << 4));
                qh |= (uint)((x0 & 0x10) >> 4) << j;
                qh |= (uint)((x1 & 0x10) >> 4) << (j + 16);
            }
            if (bits == 5) BitConverter.TryWriteBytes(o.AsSpan(b + 4), qh);
        }
        return o;
    }

    public static byte[] Q5_0(float[] x)
    {
        var o = new byte[x.Length / 32 * 22];
        for (int i = 0; i < x.Length / 32; i++)
        {
            float amax = 0, max = 0;
            for (int j = 0; j < 32; j++) { float v = x[i * 32 + j]; if (amax < Math.Abs(v)) { amax = Math.Abs(v); max = v; } }
            float d = max / -16, id = d != 0 ? 1.0f / d : 0.0f;
            int b = i * 22;
            BitConverter.TryWriteBytes(o.AsSpan(b), Fp16Bits(d));
            uint qh = 0;
            for (int j = 0; j < 16; j++)
            {
                float x0 = x[i * 32 + j] * id, x1 = x[i * 32 + 16 + j] * id;
                int q0 = Math.Min(31, (int)(sbyte)(x0 + 16.5f)), q1 = Math.Min(31, (int)(sbyte)(x1 + 16.5f));
                o[b + 6 + j] = (byte)((q0 & 0x0F) | ((q1 & 0x0F) << 4));
                qh |= (uint)((q0 & 0x10) >> 4) << j;
                qh |= (uint)((q1 & 0x10) >> 4) << (j + 16);
            }
            BitConverter.TryWriteBytes(o.AsSpan(b + 2), qh);
        }
        return o;
    }
}
