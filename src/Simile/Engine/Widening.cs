using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Numerics.Tensors;

namespace Simile.Engine;

/// <summary>
/// 16-bit floats → float32, the one place it is written (safetensors F16/BF16, GGUF F16/BF16, every reader).
/// IEEE half: exact conversion. bfloat16: the top half of a float32, so widening is a 16-bit shift (exact).
/// </summary>
public static class Widening
{
    /// <summary>Little-endian IEEE binary16 values → float32 (destination has one float per 2 source bytes).</summary>
    public static void F16(ReadOnlySpan<byte> source, Span<float> destination) =>
        TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(source), destination);

    /// <summary>Little-endian bfloat16 values → float32, vectorised (destination has one float per 2 source bytes).</summary>
    public static void Bf16(ReadOnlySpan<byte> source, Span<float> destination)
    {
        var s = MemoryMarshal.Cast<byte, ushort>(source);
        var d = MemoryMarshal.Cast<float, uint>(destination);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i + 16 <= s.Length; i += 16)
            {
                var (lo, hi) = Vector256.Widen(Vector256.Create(s.Slice(i, 16)));
                (lo << 16).CopyTo(d.Slice(i, 8));
                (hi << 16).CopyTo(d.Slice(i + 8, 8));
            }
        for (; i < s.Length; i++) d[i] = (uint)s[i] << 16;
    }

    /// <summary>Little-endian float32 bytes copied (any alignment).</summary>
    public static void F32(ReadOnlySpan<byte> source, Span<float> destination) =>
        MemoryMarshal.Cast<byte, float>(source).CopyTo(destination);
}
