using System.Buffers.Binary;

namespace Simile.Models.Gguf;

/// <summary>
/// A plain quantizer into ggml's Q4_K and Q6_K block layouts (ggml-common.h), for writing test and benchmark files in a
/// llama-quantize mix. It is not llama.cpp's quantizer (no iterative search for scales): per sub-block it takes the
/// range, rounds the scales to 6 bits (Q4_K) or int8 (Q6_K) under an fp16 super-scale, and rounds each value to the
/// nearest level. Its blocks are ordinary blocks: <see cref="GgmlDequantize"/> (checked bit for bit against ggml) reads
/// them back, each value within one quantization step of its input.
/// </summary>
internal static class KQuantize
{
    private const int QK = 256;

    /// <summary>Row-major values (a multiple of 256 per row) → Q4_K blocks (144 bytes per 256 values).</summary>
    public static byte[] Q4_K(ReadOnlySpan<float> values)
    {
        if (values.Length % QK != 0) throw new ArgumentException("Q4_K needs a multiple of 256 values");
        var output = new byte[values.Length / QK * 144];
        Span<float> scale = stackalloc float[8], min = stackalloc float[8];
        Span<int> ls = stackalloc int[8], lm = stackalloc int[8];
        Span<byte> q = stackalloc byte[QK];
        for (int b = 0; b < values.Length / QK; b++)
        {
            var x = values.Slice(b * QK, QK);
            var blk = output.AsSpan(b * 144, 144);
            float maxScale = 0, maxMin = 0;
            for (int j = 0; j < 8; j++)
            {
                float lo = 0, hi = float.MinValue;                   // the offset is −dmin·m with m ≥ 0: lo ≤ 0
                for (int l = 0; l < 32; l++) { lo = MathF.Min(lo, x[32 * j + l]); hi = MathF.Max(hi, x[32 * j + l]); }
                scale[j] = MathF.Max(0, hi - lo) / 15f;
                min[j] = -lo;
                maxScale = MathF.Max(maxScale, scale[j]);
                maxMin = MathF.Max(maxMin, min[j]);
            }
            float d = (float)(Half)(maxScale / 63f), dmin = (float)(Half)(maxMin / 63f);
            for (int j = 0; j < 8; j++)
            {
                ls[j] = d > 0 ? Math.Clamp((int)MathF.Ceiling(scale[j] / d), 0, 63) : 0;   // ceiling: the range still fits
                lm[j] = dmin > 0 ? Math.Clamp((int)MathF.Round(min[j] / dmin), 0, 63) : 0;
                float step = d * ls[j], offset = dmin * lm[j];
                for (int l = 0; l < 32; l++)
                    q[32 * j + l] = step > 0 ? (byte)Math.Clamp((int)MathF.Round((x[32 * j + l] + offset) / step), 0, 15) : (byte)0;
            }
            BinaryPrimitives.WriteHalfLittleEndian(blk, (Half)d);
            BinaryPrimitives.WriteHalfLittleEndian(blk[2..], (Half)dmin);
            var sc = blk.Slice(4, 12);
            sc.Clear();
            for (int j = 0; j < 8; j++)
            {
                if (j < 4) { sc[j] = (byte)ls[j]; sc[j + 4] = (byte)lm[j]; }
                else
                {
                    sc[j + 4] = (byte)((ls[j] & 0xF) | ((lm[j] & 0xF) << 4));
                    sc[j - 4] |= (byte)((ls[j] >> 4) << 6);
                    sc[j] |= (byte)((lm[j] >> 4) << 6);
                }
            }
            var qs = blk.Slice(16, 128);
            for (int g = 0; g < 4; g++)
                for (int l = 0; l < 32; l++)
                    qs[32 * g + l] = (byte)(q[64 * g + l] | (q[64 * g + 32 + l] << 4));
        }
        return output;
    }

    /// <summary>Row-major values (a multiple of 256 per row) → Q6_K blocks (210 bytes per 256 values).</summary>
    public static byte[] Q6_K(ReadOnlySpan<float> values)
    {
        if (values.Length % QK != 0) throw new ArgumentException("Q6_K needs a multiple of 256 values");
        var output = new byte[values.Length / QK * 210];
        Span<float> scale = stackalloc float[16];
        Span<int> sc = stackalloc int[16];
        Span<byte> q = stackalloc byte[QK];
        for (int b = 0; b < values.Length / QK; b++)
        {
            var x = values.Slice(b * QK, QK);
            var blk = output.AsSpan(b * 210, 210);
            float maxScale = 0;
            for (int g = 0; g < 16; g++)
            {
                float amax = 0;
                for (int l = 0; l < 16; l++) amax = MathF.Max(amax, MathF.Abs(x[16 * g + l]));
                scale[g] = amax / 31f;                               // levels −31 … 31 of −32 … 31
                maxScale = MathF.Max(maxScale, scale[g]);
            }
            float d = (float)(Half)(maxScale / 127f);
            for (int g = 0; g < 16; g++)
            {
                sc[g] = d > 0 ? Math.Clamp((int)MathF.Ceiling(scale[g] / d), 0, 127) : 0;
                float step = d * sc[g];
                for (int l = 0; l < 16; l++)
                    q[16 * g + l] = (byte)((step > 0 ? Math.Clamp((int)MathF.Round(x[16 * g + l] / step), -32, 31) : 0) + 32);
            }
            var ql = blk[..128];
            var qh = blk.Slice(128, 64);
            for (int n = 0; n < 2; n++)
                for (int l = 0; l < 32; l++)
                {
                    int q1 = q[128 * n + l], q2 = q[128 * n + 32 + l], q3 = q[128 * n + 64 + l], q4 = q[128 * n + 96 + l];
                    ql[64 * n + l] = (byte)((q1 & 0xF) | ((q3 & 0xF) << 4));
                    ql[64 * n + 32 + l] = (byte)((q2 & 0xF) | ((q4 & 0xF) << 4));
                    qh[32 * n + l] = (byte)((q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6));
                }
            for (int g = 0; g < 16; g++) blk[192 + g] = (byte)(sbyte)sc[g];
            BinaryPrimitives.WriteHalfLittleEndian(blk[208..], (Half)d);
        }
        return output;
    }
}
