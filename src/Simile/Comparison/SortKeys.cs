using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Simile.Comparison;

/// <summary>
/// Order-preserving integer keys of floating-point values, the one definition both rank routes sort on: the
/// unsigned order of the key is the numeric order, and −0 and +0 give the same key (one tie group, as in numpy).
/// Flip all bits of a negative value, set the sign bit of a non-negative one. NaN is rejected by the callers.
/// The small route keys float64 values (ulong), the large-scale route float32 dissimilarities (uint, 4 bytes per pair).
/// </summary>
internal static class SortKeys
{
    /// <summary>Key of a double (64 bits).</summary>
    public static ulong Of(double v)
    {
        ulong bits = BitConverter.DoubleToUInt64Bits(v + 0.0); // −0.0 + 0.0 = +0.0
        return (bits & 0x8000_0000_0000_0000UL) != 0 ? ~bits : bits | 0x8000_0000_0000_0000UL;
    }

    /// <summary>Key of a float (32 bits).</summary>
    public static uint Of(float v)
    {
        uint bits = BitConverter.SingleToUInt32Bits(v + 0.0f); // −0.0f + 0.0f = +0.0f
        return (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
    }

    /// <summary>Replaces float32 values (as their bits) by their keys, <see cref="Of(float)"/> element by element.</summary>
    public static void OfInPlace(Span<uint> floatBits)
    {
        int t = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref uint r = ref MemoryMarshal.GetReference(floatBits);
            var top = Vector256.Create(0x8000_0000u);
            for (; t + 8 <= floatBits.Length; t += 8)
            {
                var bits = (Vector256.LoadUnsafe(ref r, (nuint)t).AsSingle() + Vector256<float>.Zero).AsUInt32();   // −0 → +0
                var negative = Vector256.ShiftRightArithmetic(bits.AsInt32(), 31).AsUInt32();
                (bits ^ (negative | top)).StoreUnsafe(ref r, (nuint)t);
            }
        }
        for (; t < floatBits.Length; t++) floatBits[t] = Of(BitConverter.UInt32BitsToSingle(floatBits[t]));
    }

    /// <summary>Σ t(t−1)/2 contribution of one tie group of <paramref name="length"/> equal keys (tied pairs).</summary>
    public static long TiedPairs(long length) => length * (length - 1) / 2;
}
