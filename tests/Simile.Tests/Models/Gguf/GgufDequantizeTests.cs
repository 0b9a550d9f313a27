using Simile.Models.Gguf;
using Xunit;

namespace Simile.Tests.Models.Gguf;

/// <summary>
/// Every dequantizer against an independent per-element reading of the block layout (ggml-common.h) written here from
/// the spec — element e's block, sub-block, scale, min and quant bits located directly — on blocks of random bytes
/// (with finite half scales), bit for bit. Then the same through GGUF files of every type, row-wise and whole.
/// </summary>
public class GgufDequantizeTests
{
    private static float H(byte[] b, int at) => RefQuant.Fp16(BitConverter.ToUInt16(b, at));

    /// <summary>Value e (0 ≤ e &lt; block size) of one block, computed element by element.</summary>
    internal static float Naive(GgmlType type, byte[] b, int e)
    {
        switch (type)
        {
            case GgmlType.Q8_0: return (sbyte)b[2 + e] * H(b, 0);
            case GgmlType.Q4_0: return (Nib(b, 2, e) - 8) * H(b, 0);
            case GgmlType.Q4_1: { float p = Nib(b, 4, e) * H(b, 0); return p + H(b, 2); }
            case GgmlType.Q5_0: return ((Nib(b, 6, e) | (Bit(b, 2, e) << 4)) - 16) * H(b, 0);
            case GgmlType.Q5_1: { float p = (Nib(b, 8, e) | (Bit(b, 4, e) << 4)) * H(b, 0); return p + H(b, 2); }
            case GgmlType.Q2_K:
            {
                int n = e / 128, j = e % 128 / 32, r = e % 32;
                int q = (b[16 + n * 32 + r] >> (2 * j)) & 3;
                byte sc = b[n * 8 + j * 2 + r / 16];
                float dl = H(b, 80) * (sc & 15), ml = H(b, 82) * (sc >> 4);
                float p = dl * q;
                return p - ml;
            }
            case GgmlType.Q3_K:
            {
                int n = e / 128, j = e % 128 / 32, r = e % 32;
                int q = (b[32 + n * 32 + r] >> (2 * j)) & 3;
                bool high = (b[r] & (1 << (n * 4 + j))) != 0;
                int s = n * 8 + j * 2 + r / 16;
                int low4 = s < 8 ? b[96 + s] & 15 : b[96 + s - 8] >> 4;
                int high2 = (b[96 + 8 + s % 4] >> (2 * (s / 4))) & 3;
                float dl = H(b, 108) * ((low4 | (high2 << 4)) - 32);
                return dl * (q - (high ? 0 : 4));
            }
            case GgmlType.Q4_K:
            case GgmlType.Q5_K:
            {
                int chunk = e / 64, hi = e % 64 / 32, l = e % 32, s = chunk * 2 + hi;
                int qsAt = type == GgmlType.Q4_K ? 16 : 48;
                int q = hi == 0 ? b[qsAt + chunk * 32 + l] & 15 : b[qsAt + chunk * 32 + l] >> 4;
                if (type == GgmlType.Q5_K && (b[16 + l] & (1 << s)) != 0) q += 16;
                var sc = b.AsSpan(4, 12);
                int scale = s < 4 ? sc[s] & 63 : (sc[s + 4] & 15) | ((sc[s - 4] >> 6) << 4);
                int min = s < 4 ? sc[s + 4] & 63 : (sc[s + 4] >> 4) | ((sc[s] >> 6) << 4);
                float d1 = H(b, 0) * scale, m1 = H(b, 2) * min;
                float p = d1 * q;
                return p - m1;
            }
            case GgmlType.Q6_K:
            {
                int n = e / 128, quarter = e % 128 / 32, l = e % 32;
                int lowByte = b[n * 64 + l + (quarter % 2 == 1 ? 32 : 0)];
                int low = quarter < 2 ? lowByte & 15 : lowByte >> 4;
                int high = (b[128 + n * 32 + l] >> (2 * quarter)) & 3;
                int q = (low | (high << 4)) - 32;
                sbyte sc = (sbyte)b[192 + n * 8 + l / 16 + 2 * quarter];
                float ds = H(b, 208) * sc;
                return ds * q;
            }
            default: throw new ArgumentException(type.ToString());
        }

        static int Nib(byte[] b, int at, int e) => e < 16 ? b[at + e] & 15 : b[at + e - 16] >> 4;
        static int Bit(byte[] b, int at, int e) => (int)((BitConverter.ToUInt32(b, at) >> e) & 1);
    }

    /// <summary>Offsets of the half-precision scale fields in each block (made finite in the random blocks).</summary>
    private static int[] HalfFields(GgmlType t) => t switch
    {
        GgmlType.Q8_0 or GgmlType.Q4_0 or GgmlType.Q5_0 => [0],
        GgmlType.Q4_1 or GgmlType.Q5_1 or GgmlType.Q4_K or GgmlType.Q5_K => [0, 2],
        GgmlType.Q2_K => [80, 82],
        GgmlType.Q3_K => [108],
        GgmlType.Q6_K => [208],
        _ => [],
    };

    internal static byte[] RandomBlocks(GgmlType t, int blocks, Random rng)
    {
        int size = GgmlTypes.TypeSize(t);
        var bytes = new byte[blocks * size];
        rng.NextBytes(bytes);
        for (int k = 0; k < blocks; k++)
            foreach (int at in HalfFields(t))
            {
                // Finite halves of every magnitude, subnormals included.
                float v = (float)(rng.NextDouble() * 2 - 1) * MathF.Pow(2, rng.Next(-20, 4));
                BitConverter.TryWriteBytes(bytes.AsSpan(k * size + at), RefQuant.Fp16Bits(v));
            }
        return bytes;
    }

    public static TheoryData<GgmlType> QuantTypes => new()
    {
        GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1,
        GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
    };

    [Theory]
    [MemberData(nameof(QuantTypes))]
    public void Random_blocks_dequantize_bit_for_bit_as_the_per_element_reading(GgmlType type)
    {
        var rng = new Random(1000 + (int)type);
        int blocks = 40, bs = GgmlTypes.BlockSize(type), size = GgmlTypes.TypeSize(type);
        var bytes = RandomBlocks(type, blocks, rng);
        var got = new float[blocks * bs];
        GgmlDequantize.Row(type, bytes, got);
        int mismatches = 0;
        for (int k = 0; k < blocks; k++)
        {
            var block = bytes.AsSpan(k * size, size).ToArray();
            for (int e = 0; e < bs; e++)
                if (BitConverter.SingleToInt32Bits(Naive(type, block, e)) != BitConverter.SingleToInt32Bits(got[k * bs + e])) mismatches++;
        }
        Assert.Equal(0, mismatches);
    }

    /// <summary>Blocks of every quantized type and the values ggml's own C dequantizers produced for them (tests/reference/gguf-dequant).</summary>
    [Fact]
    public void Random_blocks_dequantize_bit_for_bit_as_ggmls_own_C_code()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(
            Path.Combine(TestPaths.Reference, "gguf-dequant", "ggml-dequant-reference.json")));
        int types = 0;
        foreach (var entry in doc.RootElement.GetProperty("types").EnumerateObject())
        {
            var type = Enum.Parse<GgmlType>(entry.Name);
            Assert.Equal((uint)type, entry.Value.GetProperty("ggml_type").GetUInt32());
            var input = Convert.FromBase64String(entry.Value.GetProperty("input").GetString()!);
            var want = Convert.FromBase64String(entry.Value.GetProperty("values").GetString()!);
            var got = new float[want.Length / 4];
            GgmlDequantize.Row(type, input, got);
            var gotBytes = new byte[want.Length];
            Buffer.BlockCopy(got, 0, gotBytes, 0, gotBytes.Length);
            Assert.True(want.AsSpan().SequenceEqual(gotBytes), $"{type} differs from ggml");
            // The per-element reading of the layout agrees with ggml too.
            int size = GgmlTypes.TypeSize(type), bs = GgmlTypes.BlockSize(type);
            for (int k = 0; k < input.Length / size; k++)
            {
                var block = input.AsSpan(k * size, size).ToArray();
                for (int e = 0; e < bs; e++)
                    Assert.Equal(BitConverter.ToInt32(want, (k * bs + e) * 4), BitConverter.SingleToInt32Bits(Naive(type, block, e)));
            }
            types++;
        }
        Assert.Equal(10, types);
    }

    [Fact]
    public void Half_and_bfloat16_widen_exactly()
    {
        var rng = new Random(7);
        var bits = new ushort[4096];
        for (int i = 0; i < bits.Length; i++) bits[i] = (ushort)rng.Next(65536);
        var bytes = new byte[bits.Length * 2];
        Buffer.BlockCopy(bits, 0, bytes, 0, bytes.Length);
        var f16 = new float[bits.Length];
        var bf16 = new float[bits.Length];
        GgmlDequantize.Row(GgmlType.F16, bytes, f16);
        GgmlDequantize.Row(GgmlType.BF16, bytes, bf16);
        for (int i = 0; i < bits.Length; i++)
        {
            // bf16 is the top half of a float32; half by sign, exponent, mantissa.
            Assert.Equal((uint)bits[i] << 16, BitConverter.SingleToUInt32Bits(bf16[i]));
            int sign = bits[i] >> 15, exp = (bits[i] >> 10) & 31, man = bits[i] & 1023;
            double expect = exp == 0 ? man * Math.Pow(2, -24) : exp == 31 ? (man == 0 ? double.PositiveInfinity : double.NaN) : (1 + man / 1024.0) * Math.Pow(2, exp - 15);
            if (sign == 1) expect = -expect;
            if (double.IsNaN(expect)) Assert.True(float.IsNaN(f16[i]));
            else Assert.Equal(expect, (double)f16[i]);
        }
    }

    [Fact]
    // Half a step; the symmetric types (Q4_0, Q5_0: d = max / −8) clip the far end to 7·d, so one step there (step given ×2).
    public void The_test_quantizers_round_trip_within_half_a_step()
    {
        var rng = new Random(3);
        var x = Enumerable.Range(0, 256).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        foreach (var (type, q, step) in new (GgmlType, byte[], float)[]
                 {
                     (GgmlType.Q8_0, RefQuant.Q8_0(x), 1 / 127f), (GgmlType.Q4_0, RefQuant.Q4_0(x), 2 / 8f),
                     (GgmlType.Q4_1, RefQuant.Q4_1(x), 2 / 15f), (GgmlType.Q5_0, RefQuant.Q5_0(x), 2 / 16f),
                     (GgmlType.Q5_1, RefQuant.Q5_1(x), 2 / 31f),
                 })
        {
            var y = new float[x.Length];
            GgmlDequantize.Row(type, q, y);
            for (int i = 0; i < x.Length; i++) Assert.True(Math.Abs(x[i] - y[i]) <= step * 0.51 + 2e-3, $"{type} [{i}] {x[i]} vs {y[i]}");
        }
    }

    [Fact]
    public void Files_of_every_supported_type_read_back_row_wise_and_whole()
    {
        using var tmp = new TempFolder();
        var rng = new Random(11);
        var w = new GgufWriter().String("general.architecture", "test");
        var expected = new Dictionary<string, float[]>();
        int rows = 3;
        foreach (var type in GgmlTypes.Dequantizable)
        {
            int bs = GgmlTypes.BlockSize(type), cols = Math.Max(256, bs) * 2;
            byte[] data;
            float[] want = new float[rows * cols];
            switch (type)
            {
                case GgmlType.F32:
                    var f = Enumerable.Range(0, rows * cols).Select(_ => (float)rng.NextDouble()).ToArray();
                    data = new byte[f.Length * 4]; Buffer.BlockCopy(f, 0, data, 0, data.Length); want = f; break;
                case GgmlType.F16:
                case GgmlType.BF16:
                    data = new byte[rows * cols * 2];
                    for (int i = 0; i < rows * cols; i++)
                    {
                        float v = (float)(rng.NextDouble() * 8 - 4);
                        ushort bits = type == GgmlType.F16 ? RefQuant.Fp16Bits(v) : (ushort)(BitConverter.SingleToUInt32Bits(v) >> 16);
                        BitConverter.TryWriteBytes(data.AsSpan(i * 2), bits);
                        want[i] = type == GgmlType.F16 ? RefQuant.Fp16(bits) : BitConverter.UInt32BitsToSingle((uint)bits << 16);
                    }
                    break;
                default:
                    int blocksPerRow = cols / bs, size = GgmlTypes.TypeSize(type);
                    data = RandomBlocks(type, rows * blocksPerRow, rng);
                    for (int k = 0; k < rows * blocksPerRow; k++)
                    {
                        var block = data.AsSpan(k * size, size).ToArray();
                        for (int e = 0; e < bs; e++) want[k * bs + e] = Naive(type, block, e);
                    }
                    break;
            }
            string name = "t." + type;
            w.Tensor(name, type, [cols, rows], data);
            expected[name] = want;
        }
        string path = w.Write(tmp.File("types.gguf"));
        using var file = GgufFile.Open(path);
        foreach (var (name, want) in expected)
        {
            var t = file.Tensor(name);
            int cols = (int)t.RowLength;
            var all = new float[want.Length];
            file.Dequantize(t, all);
            Assert.Equal(want.Select(BitConverter.SingleToInt32Bits), all.Select(BitConverter.SingleToInt32Bits));
            var picked = new float[2 * cols];
            file.DequantizeRows(t, [2, 0], picked);
            Assert.Equal(want.AsSpan(2 * cols, cols).ToArray(), picked[..cols]);
            Assert.Equal(want.AsSpan(0, cols).ToArray(), picked[cols..]);
            // Row · vector straight from the stored format equals the dot product of the dequantized rows.
            var x = Enumerable.Range(0, cols).Select(i => (float)Math.Sin(i)).ToArray();
            var y = new float[t.RowCount];
            file.MatVec(t, x, y, new float[cols]);
            for (int r = 0; r < y.Length; r++)
            {
                double dot = 0;
                for (int c = 0; c < cols; c++) dot += (double)want[r * cols + c] * x[c];
                Assert.True(Math.Abs(dot - y[r]) <= 1e-4 * (1 + Math.Abs(dot)), $"{name} row {r}: {y[r]} vs {dot}");
            }
        }
    }

    [Fact]
    public void An_unsupported_type_is_named_in_the_error()
    {
        using var tmp = new TempFolder();
        string path = new GgufWriter().Tensor("w", GgmlType.IQ2_XS, [256, 1], new byte[74]).Write(tmp.File("iq.gguf"));
        using var file = GgufFile.Open(path);
        Assert.Equal("IQ2_XS", file.Tensor("w").TypeName);
        var e = Assert.Throws<SimileException>(() => file.DequantizeRows(file.Tensor("w"), [0], new float[256]));
        Assert.Contains("IQ2_XS", e.Message);
        Assert.Contains("Q4_K", e.Fix);
    }
}
