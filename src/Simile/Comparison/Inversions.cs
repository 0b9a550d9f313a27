using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Simile.Comparison;

/// <summary>
/// Counts the pairs i &lt; j with a[i] &gt; a[j] (strict, so equal values are not inversions) of non-negative integers,
/// by an MSB-first radix partition on 4-bit digits. Within a group of values that agree on all higher digits, the pairs
/// that first differ at the current digit are counted in one sequential pass (each element adds how many earlier
/// elements of its group have a larger digit: sixteen counters, updated by one vector add per element), then the group
/// is split stably by that digit and each part is counted on the next digit. Parts of at most 32 elements are finished
/// by insertion sort. The one inversion counter of Kendall's tau for small vectors (dense ranks) and the large-scale rank
/// route (doubled ranks). Groups of at least 2¹⁸ elements run their pass in parallel chunks (pairs across chunks counted
/// from the chunks' digit histograms) and their parts in parallel. Integer counts: exact and independent of the thread
/// count. O(m · bits / 4) sequential reads and writes.
/// </summary>
internal static class Inversions
{
    private const int DigitBits = 4;
    private const int Radix = 1 << DigitBits;
    private const int Leaf = 32;
    private const int ParallelGroup = 1 << 18;
    private const int ChunkLength = 1 << 16;

    /// <summary>Row d (16 ints) has 1 in lanes t &lt; d: an element with digit d is larger than digits 0..d−1.</summary>
    private static readonly int[] GreaterRows = MakeGreaterRows();

    private static int[] MakeGreaterRows()
    {
        var rows = new int[Radix * Radix];
        for (int d = 0; d < Radix; d++)
            for (int t = 0; t < d; t++) rows[d * Radix + t] = 1;
        return rows;
    }

    /// <summary>Inversion count of <paramref name="values"/>. Both <paramref name="values"/> and
    /// <paramref name="scratch"/> (optional, at least as long) are overwritten.</summary>
    public static long Count(uint[] values, uint[]? scratch = null)
    {
        int m = values.Length;
        if (m < 2) return 0;
        uint max = TensorPrimitives.Max<uint>(values);
        int bits = 32 - BitOperations.LeadingZeroCount(max);
        if (bits == 0) return 0;
        scratch ??= GC.AllocateUninitializedArray<uint>(m);
        if (scratch.Length < m) throw new ArgumentException("scratch shorter than values", nameof(scratch));
        return Group(values, scratch, 0, m, bits);
    }

    /// <summary>Inversions of src[lo..hi), whose values agree on every bit at or above <paramref name="bits"/>.
    /// src and dst are overwritten in [lo, hi).</summary>
    private static long Group(uint[] src, uint[] dst, int lo, int hi, int bits)
    {
        while (true)
        {
            int n = hi - lo;
            if (n < 2 || bits == 0) return 0;
            if (n <= Leaf) return InsertionCount(src.AsSpan(lo, n));
            int width = Math.Min(DigitBits, bits), shift = bits - width;
            uint mask = (1u << width) - 1;
            if (n >= ParallelGroup) return ParallelGroupCount(src, dst, lo, hi, shift, mask);

            Span<int> counts = stackalloc int[Radix];
            long inv = CountDigit(src.AsSpan(lo, n), shift, mask, counts);
            int top = 0;
            for (int d = 1; d < Radix; d++) if (counts[d] > counts[top]) top = d;
            if (counts[top] == n) { bits = shift; continue; }   // one digit only: nothing to count or move here
            Span<int> next = stackalloc int[Radix];
            for (int d = 0, pos = lo; d < Radix; d++) { next[d] = pos; pos += counts[d]; }
            Split(src.AsSpan(lo, n), dst, shift, mask, next);
            for (int d = 0, pos = lo; d < Radix; d++)
            {
                if (counts[d] > 1) inv += Group(dst, src, pos, pos + counts[d], shift);
                pos += counts[d];
            }
            return inv;
        }
    }

    /// <summary>A large group: its digit pass in parallel chunks, then its parts in parallel.</summary>
    private static long ParallelGroupCount(uint[] src, uint[] dst, int lo, int hi, int shift, uint mask)
    {
        int n = hi - lo;
        int chunks = (n + ChunkLength - 1) / ChunkLength;
        var counts = new int[chunks * Radix];
        var within = new long[chunks];
        Parallel.For(0, chunks, c =>
        {
            int s = lo + c * ChunkLength, e = Math.Min(hi, s + ChunkLength);
            within[c] = CountDigit(src.AsSpan(s, e - s), shift, mask, counts.AsSpan(c * Radix, Radix));
        });
        // Pairs across chunks: an element of chunk c with digit d is inverted with every earlier chunk's element whose
        // digit is larger.
        long inv = 0;
        Span<long> before = stackalloc long[Radix];
        for (int c = 0; c < chunks; c++)
        {
            inv += within[c];
            long larger = 0;
            for (int d = Radix - 1; d >= 0; d--)
            {
                inv += counts[c * Radix + d] * larger;
                larger += before[d];
            }
            for (int d = 0; d < Radix; d++) before[d] += counts[c * Radix + d];
        }
        // Stable split: chunk c's elements of digit d follow those of chunks before it.
        var partStarts = new int[Radix + 1];
        var offsets = new int[chunks * Radix];
        int pos = lo;
        for (int d = 0; d < Radix; d++)
        {
            partStarts[d] = pos;
            for (int c = 0; c < chunks; c++) { offsets[c * Radix + d] = pos; pos += counts[c * Radix + d]; }
        }
        partStarts[Radix] = pos;
        Parallel.For(0, chunks, c =>
        {
            int s = lo + c * ChunkLength, e = Math.Min(hi, s + ChunkLength);
            Split(src.AsSpan(s, e - s), dst, shift, mask, offsets.AsSpan(c * Radix, Radix));
        });
        Parallel.For(0, Radix, d =>
        {
            int s = partStarts[d], e = partStarts[d + 1];
            if (e - s > 1) Interlocked.Add(ref inv, Group(dst, src, s, e, shift));
        });
        return inv;
    }

    /// <summary>Adds the digit histogram of v to <paramref name="counts"/> (which must start at zero) and returns the pairs
    /// i &lt; j of v whose digit at i is larger than at j.</summary>
    private static long CountDigit(ReadOnlySpan<uint> v, int shift, uint mask, Span<int> counts)
    {
        // larger[t] = elements read so far whose digit is larger than t
        Span<int> larger = stackalloc int[Radix];
        larger.Clear();
        ref int g = ref MemoryMarshal.GetReference(larger);
        ref int rows = ref MemoryMarshal.GetArrayDataReference(GreaterRows);
        long inv = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var acc = Vector512<int>.Zero;
            for (int k = 0; k < v.Length; k++)
            {
                int d = (int)((v[k] >> shift) & mask);
                acc.StoreUnsafe(ref g);
                inv += Unsafe.Add(ref g, d);
                acc += Vector512.LoadUnsafe(ref rows, (nuint)(d * Radix));
                counts[d]++;
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var lowHalf = Vector256<int>.Zero;
            var highHalf = Vector256<int>.Zero;
            for (int k = 0; k < v.Length; k++)
            {
                int d = (int)((v[k] >> shift) & mask);
                inv += Unsafe.Add(ref g, d);
                lowHalf += Vector256.LoadUnsafe(ref rows, (nuint)(d * Radix));
                highHalf += Vector256.LoadUnsafe(ref rows, (nuint)(d * Radix + 8));
                lowHalf.StoreUnsafe(ref g);
                highHalf.StoreUnsafe(ref g, 8);
                counts[d]++;
            }
        }
        else
        {
            for (int k = 0; k < v.Length; k++)
            {
                int d = (int)((v[k] >> shift) & mask);
                inv += larger[d];
                for (int t = 0; t < d; t++) larger[t]++;
                counts[d]++;
            }
        }
        return inv;
    }

    /// <summary>Writes v's elements to dst at next[digit]++ (stable).</summary>
    private static void Split(ReadOnlySpan<uint> v, uint[] dst, int shift, uint mask, Span<int> next)
    {
        ref uint d0 = ref MemoryMarshal.GetArrayDataReference(dst);
        for (int k = 0; k < v.Length; k++)
        {
            uint x = v[k];
            Unsafe.Add(ref d0, next[(int)((x >> shift) & mask)]++) = x;
        }
    }

    /// <summary>Sorts v by insertion, returning the number of element moves (its inversions).</summary>
    private static long InsertionCount(Span<uint> v)
    {
        long inv = 0;
        for (int i = 1; i < v.Length; i++)
        {
            uint x = v[i];
            int j = i - 1;
            while (j >= 0 && v[j] > x) { v[j + 1] = v[j]; j--; }
            inv += i - 1 - j;
            v[j + 1] = x;
        }
        return inv;
    }
}
