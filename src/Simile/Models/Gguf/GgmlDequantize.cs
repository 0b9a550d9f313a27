using Simile.Engine;
using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Simile.Models.Gguf;

/// <summary>
/// ggml's dequantizers (<c>dequantize_row_*</c> in ggml-quants.c, block layouts in ggml-common.h), bit for bit: the same
/// float32 operations in the same order (no fused multiply-add, which ggml's portable C code does not use either).
/// Each kernel turns <c>dst.Length / BlockSize</c> consecutive blocks of <paramref name="src"/> into floats; a tensor row
/// is a whole number of blocks. Q8_0, Q4_K, Q6_K and BF16 have Vector256 paths and Q3_K a Vector128 path that compute the same products. The kernels are
/// compiled fully optimized at once (a layer-sized call would otherwise run long in unoptimized tier-0 code).
/// </summary>
public static class GgmlDequantize
{
    private const int QK = GgmlTypes.QK_K;

    /// <summary>IEEE half → float for every bit pattern (exact; ggml's GGML_FP16_TO_FP32).</summary>
    private static readonly float[] HalfTable = BuildHalfTable();

    private static float[] BuildHalfTable()
    {
        var t = new float[65536];
        for (int i = 0; i < t.Length; i++) t[i] = (float)BitConverter.UInt16BitsToHalf((ushort)i);
        return t;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Fp16(ReadOnlySpan<byte> b, int at) => HalfTable[BinaryPrimitives.ReadUInt16LittleEndian(b[at..])];

    /// <summary>Dequantizes whole blocks: <paramref name="dst"/>.Length values from <paramref name="src"/>.</summary>
    public static void Row(GgmlType type, ReadOnlySpan<byte> src, Span<float> dst)
    {
        int block = GgmlTypes.BlockSize(type);
        if (dst.Length % block != 0)
            throw new ArgumentException($"{dst.Length} values are not whole {type} blocks of {block}");
        long need = (long)dst.Length / block * GgmlTypes.TypeSize(type);
        if (src.Length != need)
            throw new ArgumentException($"{dst.Length} {type} values take {need} bytes, got {src.Length}");
        switch (type)
        {
            case GgmlType.F32: Widening.F32(src, dst); break;
            case GgmlType.F16: Widening.F16(src, dst); break;
            case GgmlType.BF16: Widening.Bf16(src, dst); break;
            case GgmlType.Q8_0: Q8_0(src, dst); break;
            case GgmlType.Q4_0: Q4_0(src, dst); break;
            case GgmlType.Q4_1: Q4_1(src, dst); break;
            case GgmlType.Q5_0: Q5_0(src, dst); break;
            case GgmlType.Q5_1: Q5_1(src, dst); break;
            case GgmlType.Q2_K: Q2_K(src, dst); break;
            case GgmlType.Q3_K: Q3_K(src, dst); break;
            case GgmlType.Q4_K: Q4_K(src, dst); break;
            case GgmlType.Q5_K: Q5_K(src, dst); break;
            case GgmlType.Q6_K: Q6_K(src, dst); break;
            default:
                throw new SimileException($"tensor type {GgmlTypes.Name(type)} cannot be dequantized by Simile",
                    $"use a model quantized with one of {GgmlTypes.DequantizableList}");
        }
    }

    // ---- 32-value blocks --------------------------------------------------------------------------------------

    /// <summary>block_q8_0 (34 bytes): half d, int8 qs[32]; y = qs[j]·d.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Q8_0(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int b = 0, o = 0; o < dst.Length; b += 34, o += 32)
        {
            float d = Fp16(src, b);
            var qs = MemoryMarshal.Cast<byte, sbyte>(src.Slice(b + 2, 32));
            var y = dst.Slice(o, 32);
            if (Vector256.IsHardwareAccelerated)
            {
                var dv = Vector256.Create(d);
                var (a, c) = Vector256.Widen(Vector256.Create(qs));
                var (a0, a1) = Vector256.Widen(a);
                var (c0, c1) = Vector256.Widen(c);
                (Vector256.ConvertToSingle(a0) * dv).CopyTo(y);
                (Vector256.ConvertToSingle(a1) * dv).CopyTo(y[8..]);
                (Vector256.ConvertToSingle(c0) * dv).CopyTo(y[16..]);
                (Vector256.ConvertToSingle(c1) * dv).CopyTo(y[24..]);
            }
            else
                for (int j = 0; j < 32; j++) y[j] = qs[j] * d;
        }
    }

    /// <summary>block_q4_0 (18 bytes): half d, qs[16] nibbles; y[j] = ((qs[j]&amp;15) − 8)·d, y[j+16] = ((qs[j]&gt;&gt;4) − 8)·d.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Q4_0(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int b = 0, o = 0; o < dst.Length; b += 18, o += 32)
        {
            float d = Fp16(src, b);
            var qs = src.Slice(b + 2, 16);
            var y = dst.Slice(o, 32);
            for (int j = 0; j < 16; j++)
            {
                int x0 = (qs[j] & 0x0F) - 8, x1 = (qs[j] >> 4) - 8;
                y[j] = x0 * d;
                y[j + 16] = x1 * d;
            }
        }
    }

    /// <summary>block_q4_1 (20 bytes): half d, half m, qs[16]; y = q·d + m.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Q4_1(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int b = 0, o = 0; o < dst.Length; b += 20, o += 32)
        {
            float d = Fp16(src, b), m = Fp16(src, b + 2);
            var qs = src.Slice(b + 4, 16);
            var y = dst.Slice(o, 32);
            for (int j = 0; j < 16; j++)
            {
                int x0 = qs[j] & 0x0F, x1 = qs[j] >> 4;
                float p0 = x0 * d, p1 = x1 * d;
                y[j] = p0 + m;
                y[j + 16] = p1 + m;
            }
        }
    }

    /// <summary>block_q5_0 (22 bytes): half d, uint32 qh (5th bits), qs[16]; y = (q5 − 16)·d.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Q5_0(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int b = 0, o = 0; o < dst.Length; b += 22, o += 32)
        {
            float d = Fp16(src, b);
            uint qh = BinaryPrimitives.ReadUInt32LittleEndian(src[(b + 2)..]);
            var qs = src.Slice(b + 6, 16);
            var y = dst.Slice(o, 32);
            for (int j = 0; j < 16; j++)
            {
                int xh0 = (int)(((qh >> j) << 4) & 0x10);
                int xh1 = (int)((qh >> (j + 12)) & 0x10);
                int x0 = ((qs[j] & 0x0F) | xh0) - 16;
                int x1 = ((qs[j] >> 4) | xh1) - 16;
                y[j] = x0 * d;
                y[j + 16] = x1 * d;
            }
        }
    }

    /// <summary>block_q5_1 (24 bytes): half d, half m, uint32 qh, qs[16]; y = q5·d + m.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Q5_1(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int b = 0, o = 0; o < dst.Length; b += 24, o += 32)
        {
            float d = Fp16(src, b), m = Fp16(src, b + 2);
            uint qh = BinaryPrimitives.ReadUInt32LittleEndian(src[(b + 4)..]);
            var qs = src.Slice(b + 8, 16);
            var y = dst.Slice(o, 32);
            for (int j = 0; j < 16; j++)
            {
                int xh0 = (int)(((qh >> j) << 4) & 0x10);
                int xh1 = (int)((qh >> (j + 12)) & 0x10);
                int x0 = (qs[j] & 0x0F) | xh0;
                int x1 = (qs[j] >> 4) | xh1;
                float p0 = x0 * d, p1 = x1 * d;
                y[j] = p0 + m;
                y[j + 16] = p1 + m;
            }
        }
    }

    // ---- K-quants (256-value super-blocks) --------------------------------------------------------------------

    /// <summary>block_q2_K (84 bytes): scales[16] (low nibble scale, high nibble min), qs[64] (2 bits), half d, half dmin.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Q2_K(ReadOnlySpan<byte> src, Span<float> dst)
    {
        fixed (byte* s0 = src)
        fixed (float* y0 = dst)
        {
            byte* b = s0;
            float* y = y0;
            for (int o = 0; o < dst.Length; o += QK, b += 84)
            {
                byte* scales = b;
                float d = HalfTable[b[80] | (b[81] << 8)], min = HalfTable[b[82] | (b[83] << 8)];
                int si = 0;
                for (int n = 0; n < 2; n++)
                {
                    byte* q = b + 16 + 32 * n;
                    for (int shift = 0; shift < 8; shift += 2)
                    {
                        for (int half = 0; half < 32; half += 16)
                        {
                            byte sc = scales[si++];
                            float dl = d * (sc & 0xF), ml = min * (sc >> 4);
                            for (int l = 0; l < 16; l++)
                            {
                                float p = dl * ((q[l + half] >> shift) & 3);
                                y[l] = p - ml;
                            }
                            y += 16;
                        }
                    }
                }
            }
        }
    }

    /// <summary>block_q3_K (110 bytes): hmask[32], qs[64] (2 low bits), scales[12] (16 six-bit scales), half d.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Q3_K(ReadOnlySpan<byte> src, Span<float> dst)
    {
        const uint kmask1 = 0x03030303, kmask2 = 0x0f0f0f0f;
        uint* aux = stackalloc uint[4];
        sbyte* scales = (sbyte*)aux;
        fixed (byte* s0 = src)
        fixed (float* y0 = dst)
        {
            byte* b = s0;
            float* y = y0;
            for (int o = 0; o < dst.Length; o += QK, b += 110)
            {
                byte* hm = b;
                byte* sb = b + 96;
                float dAll = HalfTable[b[108] | (b[109] << 8)];
                // The 16 six-bit scales: low 4 bits in bytes 0..7 (two per byte), high 2 bits in bytes 8..11.
                aux[0] = (uint)(sb[0] | (sb[1] << 8) | (sb[2] << 16) | (sb[3] << 24));
                aux[1] = (uint)(sb[4] | (sb[5] << 8) | (sb[6] << 16) | (sb[7] << 24));
                uint tmp = (uint)(sb[8] | (sb[9] << 8) | (sb[10] << 16) | (sb[11] << 24));
                aux[2] = ((aux[0] >> 4) & kmask2) | (((tmp >> 4) & kmask1) << 4);
                aux[3] = ((aux[1] >> 4) & kmask2) | (((tmp >> 6) & kmask1) << 4);
                aux[0] = (aux[0] & kmask2) | (((tmp >> 0) & kmask1) << 4);
                aux[1] = (aux[1] & kmask2) | (((tmp >> 2) & kmask1) << 4);
                int si = 0, bit = 0;
                for (int n = 0; n < 2; n++)
                {
                    byte* q = b + 32 + 32 * n;
                    for (int shift = 0; shift < 8; shift += 2, bit++)
                    {
                        for (int half = 0; half < 32; half += 16)
                        {
                            float dl = dAll * (scales[si++] - 32);
                            if (Vector128.IsHardwareAccelerated)
                            {
                                // v = 2 low bits − 4·(high bit clear), as sbytes −4..3, widened to int, times dl.
                                var low = Vector128.ShiftRightLogical(Vector128.Load(q + half), shift) & Vector128.Create((byte)3);
                                var clear = (Vector128.ShiftRightLogical(Vector128.Load(hm + half), bit) & Vector128.Create((byte)1)) ^ Vector128.Create((byte)1);
                                var v = low.AsSByte() - Vector128.ShiftLeft(clear, 2).AsSByte();
                                var (v0, v1) = Vector128.Widen(v);
                                var (a0, a1) = Vector128.Widen(v0);
                                var (b0, b1) = Vector128.Widen(v1);
                                var dv = Vector128.Create(dl);
                                (dv * Vector128.ConvertToSingle(a0)).Store(y);
                                (dv * Vector128.ConvertToSingle(a1)).Store(y + 4);
                                (dv * Vector128.ConvertToSingle(b0)).Store(y + 8);
                                (dv * Vector128.ConvertToSingle(b1)).Store(y + 12);
                            }
                            else
                                for (int l = 0; l < 16; l++)
                                {
                                    // 2 low bits, minus 4 when the high bit (hmask) is clear; branch-free.
                                    int v = ((q[l + half] >> shift) & 3) - ((((hm[l + half] >> bit) & 1) ^ 1) << 2);
                                    y[l] = dl * v;
                                }
                            y += 16;
                        }
                    }
                }
            }
        }
    }

    /// <summary>The 6-bit scale and min j (0..7) of a Q4_K/Q5_K block (ggml's get_scale_min_k4).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (int Scale, int Min) ScaleMinK4(int j, ReadOnlySpan<byte> q) => j < 4
        ? (q[j] & 63, q[j + 4] & 63)
        : ((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4), (q[j + 4] >> 4) | ((q[j] >> 6) << 4));

    /// <summary>block_q4_K (144 bytes): half d, half dmin, scales[12], qs[128]; y = d·sc·q − dmin·m per 32 values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Q4_K(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int b = 0, o = 0; o < dst.Length; b += 144, o += QK)
        {
            float d = Fp16(src, b), min = Fp16(src, b + 2);
            var scales = src.Slice(b + 4, 12);
            var qAll = src.Slice(b + 16, 128);
            var y = dst.Slice(o, QK);
            for (int j = 0, yi = 0, isc = 0; j < QK; j += 64, isc += 2)
            {
                var q = qAll.Slice(j / 2, 32);
                var (sc1, m1i) = ScaleMinK4(isc, scales);
                var (sc2, m2i) = ScaleMinK4(isc + 1, scales);
                float d1 = d * sc1, m1 = min * m1i, d2 = d * sc2, m2 = min * m2i;
                if (Vector256.IsHardwareAccelerated)
                {
                    Nibbles(q, y.Slice(yi, 32), d1, m1, low: true);
                    Nibbles(q, y.Slice(yi + 32, 32), d2, m2, low: false);
                    yi += 64;
                }
                else
                {
                    for (int l = 0; l < 32; l++) { float p = d1 * (q[l] & 0xF); y[yi++] = p - m1; }
                    for (int l = 0; l < 32; l++) { float p = d2 * (q[l] >> 4); y[yi++] = p - m2; }
                }
            }
        }
    }

    /// <summary>y[l] = d·nibble(q[l]) − m for 32 values (a multiply, then a subtract: the same two roundings as C).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Nibbles(ReadOnlySpan<byte> q, Span<float> y, float d, float m, bool low)
    {
        var v = Vector256.Create(q[..32]);
        v = low ? v & Vector256.Create((byte)0x0F) : Vector256.ShiftRightLogical(v, 4);
        var dv = Vector256.Create(d);
        var mv = Vector256.Create(m);
        var (a, c) = Vector256.Widen(v);
        var (a0, a1) = Vector256.Widen(a);
        var (c0, c1) = Vector256.Widen(c);
        (Vector256.ConvertToSingle(a0.AsInt32()) * dv - mv).CopyTo(y);
        (Vector256.ConvertToSingle(a1.AsInt32()) * dv - mv).CopyTo(y[8..]);
        (Vector256.ConvertToSingle(c0.AsInt32()) * dv - mv).CopyTo(y[16..]);
        (Vector256.ConvertToSingle(c1.AsInt32()) * dv - mv).CopyTo(y[24..]);
    }

    /// <summary>block_q5_K (176 bytes): half d, half dmin, scales[12], qh[32], qs[128].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Q5_K(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int b = 0, o = 0; o < dst.Length; b += 176, o += QK)
        {
            float d = Fp16(src, b), min = Fp16(src, b + 2);
            var scales = src.Slice(b + 4, 12);
            var qh = src.Slice(b + 16, 32);
            var qlAll = src.Slice(b + 48, 128);
            var y = dst.Slice(o, QK);
            for (int j = 0, isc = 0; j < QK; j += 64, isc += 2)
            {
                var ql = qlAll.Slice(j / 2, 32);
                var (sc1, m1i) = ScaleMinK4(isc, scales);
                var (sc2, m2i) = ScaleMinK4(isc + 1, scales);
                float d1 = d * sc1, m1 = min * m1i, d2 = d * sc2, m2 = min * m2i;
                var y1 = y.Slice(j, 32);
                var y2 = y.Slice(j + 32, 32);
                // The 5th bit of sub-block isc is bit isc of qh[l] (u1 = 1 << isc, u2 = 2 << isc in ggml); branch-free.
                for (int l = 0; l < 32; l++)
                {
                    float p1 = d1 * ((ql[l] & 0xF) + (((qh[l] >> isc) & 1) << 4));
                    float p2 = d2 * ((ql[l] >> 4) + (((qh[l] >> (isc + 1)) & 1) << 4));
                    y1[l] = p1 - m1;
                    y2[l] = p2 - m2;
                }
            }
        }
    }

    /// <summary>block_q6_K (210 bytes): ql[128] (low 4 bits), qh[64] (high 2 bits), int8 scales[16], half d; y = d·sc·(q − 32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Q6_K(ReadOnlySpan<byte> src, Span<float> dst)
    {
        float* ds = stackalloc float[16];
        fixed (byte* s0 = src)
        fixed (float* y0 = dst)
        {
            byte* b = s0;
            float* y = y0;
            for (int o = 0; o < dst.Length; o += QK, b += 210)
            {
                float d = HalfTable[b[208] | (b[209] << 8)];
                sbyte* sc = (sbyte*)(b + 192);
                for (int k = 0; k < 16; k++) ds[k] = d * sc[k];       // C: (d * sc[is]) * q, left to right
                for (int n = 0; n < 2; n++, y += 128)
                {
                    byte* ql = b + 64 * n;
                    byte* qh = b + 128 + 32 * n;
                    float* dn = ds + 8 * n;
                    if (Vector256.IsHardwareAccelerated)
                    {
                        var h = Vector256.Load(qh);
                        var lo = Vector256.Load(ql);
                        var hi = Vector256.Load(ql + 32);
                        var mask4 = Vector256.Create((byte)0x0F);
                        var mask2 = Vector256.Create((byte)0x03);
                        Q6Quarter(lo & mask4, h & mask2, dn[0], dn[1], y);
                        Q6Quarter(hi & mask4, Vector256.ShiftRightLogical(h, 2) & mask2, dn[2], dn[3], y + 32);
                        Q6Quarter(Vector256.ShiftRightLogical(lo, 4), Vector256.ShiftRightLogical(h, 4) & mask2, dn[4], dn[5], y + 64);
                        Q6Quarter(Vector256.ShiftRightLogical(hi, 4), Vector256.ShiftRightLogical(h, 6), dn[6], dn[7], y + 96);
                        continue;
                    }
                    for (int l = 0; l < 32; l++)
                    {
                        int isc = l >> 4;
                        int q1 = (sbyte)((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                        int q2 = (sbyte)((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                        int q3 = (sbyte)((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                        int q4 = (sbyte)((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                        y[l] = dn[isc] * q1;
                        y[l + 32] = dn[isc + 2] * q2;
                        y[l + 64] = dn[isc + 4] * q3;
                        y[l + 96] = dn[isc + 6] * q4;
                    }
                }
            }
        }
    }

    /// <summary>32 Q6_K values: q = (low | high &lt;&lt; 4) − 32, y = ds·q with ds = d·sc (first 16 values sA, last 16 sB).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Q6Quarter(Vector256<byte> low, Vector256<byte> high2, float sA, float sB, float* y)
    {
        var q = low | Vector256.ShiftLeft(high2, 4);
        var (a, b) = Vector256.Widen(q);
        var (a0, a1) = Vector256.Widen(a);
        var (b0, b1) = Vector256.Widen(b);
        var off = Vector256.Create(32);
        var va = Vector256.Create(sA);
        var vb = Vector256.Create(sB);
        (va * Vector256.ConvertToSingle(a0.AsInt32() - off)).Store(y);
        (va * Vector256.ConvertToSingle(a1.AsInt32() - off)).Store(y + 8);
        (vb * Vector256.ConvertToSingle(b0.AsInt32() - off)).Store(y + 16);
        (vb * Vector256.ConvertToSingle(b1.AsInt32() - off)).Store(y + 24);
    }
}
