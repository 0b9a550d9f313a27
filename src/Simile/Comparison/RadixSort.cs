using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Simile.Comparison;

/// <summary>
/// The one radix sort of both rank routes: a stable LSD sort on 8-bit digits. All digit histograms come from one
/// read of the data; a pass whose digit is the same for every element is skipped (common in the sign and exponent
/// bits of sort keys). O(m) per pass. The small route sorts (float64 key, position) items
/// (<see cref="Ranks"/>); the large-scale route sorts packed float32-key·2³² + index words inside each bucket
/// (<see cref="LargeScaleRankRsa"/>).
/// </summary>
internal static class RadixSort
{
    public const int DigitBits = 8;
    public const int Buckets = 1 << DigitBits;

    /// <summary>How an element's sort key is read: the digit at a bit shift, (key &gt;&gt; shift) &amp; 0xFF.</summary>
    public interface IDigits<T>
    {
        int Digit(in T item, int shift);
    }

    /// <summary>
    /// Sorts <paramref name="data"/> stably by the key bits below 8·<paramref name="passes"/>;
    /// <paramref name="scratch"/> (same length) is overwritten. Returns the span that holds the sorted elements:
    /// <paramref name="data"/> or <paramref name="scratch"/> (the passes alternate between them).
    /// </summary>
    public static Span<T> Sort<T, TDigits>(Span<T> data, Span<T> scratch, int passes, TDigits digits)
        where TDigits : struct, IDigits<T>
    {
        int m = data.Length;
        if (scratch.Length < m) throw new ArgumentException("scratch is shorter than the data", nameof(scratch));
        if (m < 2 || passes == 0) return data;
        var counts = new int[passes * Buckets];
        foreach (ref readonly T x in data)
            for (int p = 0; p < passes; p++)
                counts[p * Buckets + digits.Digit(x, p * DigitBits)]++;
        Span<T> src = data, dst = scratch[..m];
        Span<int> offsets = stackalloc int[Buckets];
        for (int p = 0; p < passes; p++)
        {
            var hist = counts.AsSpan(p * Buckets, Buckets);
            if (hist.Contains(m)) continue;   // every element has this digit: the pass would not move anything
            int sum = 0;
            for (int b = 0; b < Buckets; b++) { offsets[b] = sum; sum += hist[b]; }
            int shift = p * DigitBits;
            foreach (ref readonly T x in src)
                dst[offsets[digits.Digit(x, shift)]++] = x;
            var t = src; src = dst; dst = t;
        }
        return src;
    }

    /// <summary>A float64 sort key (<see cref="SortKeys.Of(double)"/>) and the position it came from; 12 bytes.</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    public struct KeyedPosition
    {
        public ulong Key;
        public int Position;
    }

    /// <summary>Digits of <see cref="KeyedPosition.Key"/> (64 bits, 8 passes).</summary>
    public readonly struct KeyedPositionDigits : IDigits<KeyedPosition>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Digit(in KeyedPosition item, int shift) => (int)((item.Key >> shift) & (Buckets - 1));
    }

    /// <summary>
    /// Digits of a packed word key·2³² + index, on the key relative to a bucket's lowest key
    /// (<see cref="Low"/>), so a bucket needs only the passes that cover its key range.
    /// </summary>
    public readonly struct PackedKeyDigits(uint low) : IDigits<ulong>
    {
        public uint Low { get; } = low;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Digit(in ulong item, int shift) => (int)((((uint)(item >> 32) - Low) >> shift) & (Buckets - 1));
    }
}
