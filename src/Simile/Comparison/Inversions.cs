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
/// is split stably by that digit and each part is counted on the next digit. The last two digits (8 bits) are counted
/// in one pass without moving anything (sixteen more rows of counters, one per high digit); parts of at most 32 elements
/// with more bits left are finished by insertion sort. Pairs of equal values (ties) are counted on the way when asked.
/// The one inversion counter of Kendall's tau for small vectors (dense ranks) and the large-scale rank route (halved
/// doubled ranks, or float32 keys). Groups of at least 2¹⁸ elements run their pass in parallel chunks (pairs across
/// chunks counted from the chunks' digit histograms) and their parts in parallel. Integer counts: exact and independent
/// of the thread count. About 2·(bits − 8)/4 + 1 sequential passes per element.
/// </summary>
internal static class Inversions
{
    private const int DigitBits = 4;
    private const int Radix = 1 << DigitBits;
    private const int Leaf = 32;
    private const int ParallelGroup = 1 << 18;
    private const int ChunkLength = 1 << 16;
    /// <summary>Each pass reads its group as this many consecutive lanes (see <see cref="Split"/>, written for four).</summary>
    private const int Lanes = 4;

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
    public static long Count(uint[] values, uint[]? scratch = null) => Count(values, scratch, null);

    /// <summary>Inversion count of <paramref name="values"/>, and the pairs of equal values Σ t(t−1)/2 over groups of
    /// equal values (<paramref name="tiedPairs"/>), found on the way. Both arrays are overwritten.</summary>
    public static long Count(uint[] values, uint[]? scratch, out long tiedPairs)
    {
        var ties = new long[1];
        long inversions = Count(values, scratch, ties);
        tiedPairs = ties[0];
        return inversions;
    }

    private static long Count(uint[] values, uint[]? scratch, long[]? ties)
    {
        int m = values.Length;
        if (m < 2) return 0;
        uint max = TensorPrimitives.Max<uint>(values);
        int bits = 32 - BitOperations.LeadingZeroCount(max);
        if (bits == 0) { AddTies(ties, SortKeys.TiedPairs(m)); return 0; }
        scratch ??= GC.AllocateUninitializedArray<uint>(m);
        if (scratch.Length < m) throw new ArgumentException("scratch shorter than values", nameof(scratch));
        return Group(values, scratch, 0, m, bits, ties);
    }

    private static void AddTies(long[]? ties, long pairs)
    {
        if (ties is not null && pairs != 0) Interlocked.Add(ref ties[0], pairs);
    }

    /// <summary>Adds the tied pairs of a histogram of equal values.</summary>
    private static void AddTies(long[]? ties, ReadOnlySpan<int> hist)
    {
        if (ties is null) return;
        long pairs = 0;
        foreach (int c in hist) pairs += SortKeys.TiedPairs(c);
        AddTies(ties, pairs);
    }

    /// <summary>Inversions of src[lo..hi), whose values agree on every bit at or above <paramref name="bits"/>; adds its
    /// tied pairs to ties[0] when <paramref name="ties"/> is given. src and dst are overwritten in [lo, hi).</summary>
    private static long Group(uint[] src, uint[] dst, int lo, int hi, int bits, long[]? ties)
    {
        Span<int> hist = stackalloc int[Radix * Radix];
        Span<int> counts = stackalloc int[Lanes * Radix];
        // next[lane·16 + d]: where the lane's next element of digit d goes (lanes in order inside each part).
        Span<int> next = stackalloc int[Lanes * Radix];
        Span<int> partStarts = stackalloc int[Radix + 1];
        while (true)
        {
            int n = hi - lo;
            if (n < 2) return 0;
            if (bits == 0) { AddTies(ties, SortKeys.TiedPairs(n)); return 0; }
            if (bits <= 2 * DigitBits)
            {
                if (n >= ParallelGroup) return ParallelLastDigits(src, lo, hi, bits, ties);
                long last = LastDigits(src.AsSpan(lo, n), bits, ties is null ? default : hist);
                AddTies(ties, hist);
                return last;
            }
            if (n <= Leaf) return InsertionCount(src.AsSpan(lo, n), ties);
            // Split so that exactly two digits (8 bits) are left for the last pass; the top digit takes the remainder.
            int width = (bits - 2 * DigitBits - 1) % DigitBits + 1, shift = bits - width;
            uint mask = (1u << width) - 1;
            if (n >= ParallelGroup) return ParallelGroupCount(src, dst, lo, hi, shift, mask, ties);

            long inv = CountDigit(src.AsSpan(lo, n), shift, mask, counts);
            int parts = 0;
            for (int d = 0; d < Radix; d++)
                if (PartSize(counts, d) > 0) parts++;
            if (parts == 1) { bits = shift; continue; }   // one digit only: nothing to count or move here
            int pos = lo;
            for (int d = 0; d < Radix; d++)
            {
                partStarts[d] = pos;
                for (int lane = 0; lane < Lanes; lane++) { next[lane * Radix + d] = pos; pos += counts[lane * Radix + d]; }
            }
            partStarts[Radix] = pos;
            Split(src.AsSpan(lo, n), dst, shift, mask, next);
            for (int d = 0; d < Radix; d++)
                if (partStarts[d + 1] - partStarts[d] > 1) inv += Group(dst, src, partStarts[d], partStarts[d + 1], shift, ties);
            return inv;
        }
    }

    private static int PartSize(ReadOnlySpan<int> counts, int d)
    {
        int size = 0;
        for (int lane = 0; lane < Lanes; lane++) size += counts[lane * Radix + d];
        return size;
    }

    /// <summary>A large group: its digit pass in parallel chunks, then its parts in parallel.</summary>
    private static long ParallelGroupCount(uint[] src, uint[] dst, int lo, int hi, int shift, uint mask, long[]? ties)
    {
        int n = hi - lo;
        int chunks = (n + ChunkLength - 1) / ChunkLength;
        const int Stride = Lanes * Radix;
        var counts = new int[chunks * Stride];
        var within = new long[chunks];
        Parallel.For(0, chunks, c =>
        {
            int s = lo + c * ChunkLength, e = Math.Min(hi, s + ChunkLength);
            within[c] = CountDigit(src.AsSpan(s, e - s), shift, mask, counts.AsSpan(c * Stride, Stride));
        });
        // Pairs across chunks: an element of chunk c with digit d is inverted with every earlier chunk's element whose
        // digit is larger.
        long inv = 0;
        Span<long> before = stackalloc long[Radix];
        Span<long> chunkCounts = stackalloc long[Radix];
        for (int c = 0; c < chunks; c++)
        {
            inv += within[c];
            for (int d = 0; d < Radix; d++) chunkCounts[d] = PartSize(counts.AsSpan(c * Stride, Stride), d);
            long larger = 0;
            for (int d = Radix - 1; d >= 0; d--)
            {
                inv += chunkCounts[d] * larger;
                larger += before[d];
            }
            for (int d = 0; d < Radix; d++) before[d] += chunkCounts[d];
        }
        // Stable split: part d holds chunk 0's elements of digit d (lane by lane), then chunk 1's, …
        var partStarts = new int[Radix + 1];
        var offsets = new int[chunks * Stride];
        int pos = lo;
        for (int d = 0; d < Radix; d++)
        {
            partStarts[d] = pos;
            for (int c = 0; c < chunks; c++)
                for (int lane = 0; lane < Lanes; lane++)
                {
                    int at = c * Stride + lane * Radix + d;
                    offsets[at] = pos;
                    pos += counts[at];
                }
        }
        partStarts[Radix] = pos;
        Parallel.For(0, chunks, c =>
        {
            int s = lo + c * ChunkLength, e = Math.Min(hi, s + ChunkLength);
            Split(src.AsSpan(s, e - s), dst, shift, mask, offsets.AsSpan(c * Stride, Stride));
        });
        Parallel.For(0, Radix, d =>
        {
            int s = partStarts[d], e = partStarts[d + 1];
            if (e - s > 1) Interlocked.Add(ref inv, Group(dst, src, s, e, shift, ties));
        });
        return inv;
    }

    /// <summary>The last two digits of a large group: <see cref="LastDigits"/> on parallel chunks, pairs across chunks
    /// counted from the chunks' histograms of the last <paramref name="bits"/> bits.</summary>
    private static long ParallelLastDigits(uint[] src, int lo, int hi, int bits, long[]? ties)
    {
        int n = hi - lo;
        int chunks = (n + ChunkLength - 1) / ChunkLength;
        const int Bins = Radix * Radix;
        var hist = new int[chunks * Bins];
        var within = new long[chunks];
        Parallel.For(0, chunks, c =>
        {
            int s = lo + c * ChunkLength, e = Math.Min(hi, s + ChunkLength);
            within[c] = LastDigits(src.AsSpan(s, e - s), bits, hist.AsSpan(c * Bins, Bins));
        });
        long inv = 0;
        var before = new long[Bins];
        for (int c = 0; c < chunks; c++)
        {
            inv += within[c];
            long larger = 0;
            for (int b = Bins - 1; b >= 0; b--)
            {
                inv += hist[c * Bins + b] * larger;
                larger += before[b];
            }
            for (int b = 0; b < Bins; b++) before[b] += hist[c * Bins + b];
        }
        if (ties is not null)
        {
            long pairs = 0;
            foreach (long c in before) pairs += SortKeys.TiedPairs(c);
            AddTies(ties, pairs);
        }
        return inv;
    }

    /// <summary>
    /// Inversions of v, whose values agree above their last <paramref name="bits"/> (≤ 8) bits, in one pass and without
    /// moving anything: with h and l the high and low 4-bit digits of those bits, an element is inverted with the earlier
    /// ones of larger h (counters by h) and with the earlier ones of equal h and larger l (counters by l, one row per h).
    /// Writes the histogram of the last bits (h·16 + l) to <paramref name="hist"/> when it is not empty.
    /// </summary>
    private static long LastDigits(ReadOnlySpan<uint> v, int bits, Span<int> hist)
    {
        uint mask = (1u << bits) - 1;
        Span<int> larger = stackalloc int[Radix];
        Span<int> within = stackalloc int[Radix * Radix];
        larger.Clear();
        within.Clear();
        ref int g = ref MemoryMarshal.GetReference(larger);
        ref int w = ref MemoryMarshal.GetReference(within);
        ref int rows = ref MemoryMarshal.GetArrayDataReference(GreaterRows);
        long inv = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var acc = Vector512<int>.Zero;
            for (int k = 0; k < v.Length; k++)
            {
                uint x = v[k] & mask;
                int h = (int)(x >> DigitBits), l = (int)(x & (Radix - 1));
                acc.StoreUnsafe(ref g);
                inv += Unsafe.Add(ref g, h);
                acc += Vector512.LoadUnsafe(ref rows, (nuint)(h * Radix));
                ref int row = ref Unsafe.Add(ref w, h * Radix);
                inv += Unsafe.Add(ref row, l);
                (Vector512.LoadUnsafe(ref row) + Vector512.LoadUnsafe(ref rows, (nuint)(l * Radix))).StoreUnsafe(ref row);
            }
            acc.StoreUnsafe(ref g);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (int k = 0; k < v.Length; k++)
            {
                uint x = v[k] & mask;
                int h = (int)(x >> DigitBits), l = (int)(x & (Radix - 1));
                inv += Unsafe.Add(ref g, h);
                (Vector256.LoadUnsafe(ref g) + Vector256.LoadUnsafe(ref rows, (nuint)(h * Radix))).StoreUnsafe(ref g);
                (Vector256.LoadUnsafe(ref g, 8) + Vector256.LoadUnsafe(ref rows, (nuint)(h * Radix + 8))).StoreUnsafe(ref g, 8);
                ref int row = ref Unsafe.Add(ref w, h * Radix);
                inv += Unsafe.Add(ref row, l);
                (Vector256.LoadUnsafe(ref row) + Vector256.LoadUnsafe(ref rows, (nuint)(l * Radix))).StoreUnsafe(ref row);
                (Vector256.LoadUnsafe(ref row, 8) + Vector256.LoadUnsafe(ref rows, (nuint)(l * Radix + 8))).StoreUnsafe(ref row, 8);
            }
        }
        else
        {
            for (int k = 0; k < v.Length; k++)
            {
                uint x = v[k] & mask;
                int h = (int)(x >> DigitBits), l = (int)(x & (Radix - 1));
                inv += larger[h] + within[h * Radix + l];
                for (int t = 0; t < h; t++) larger[t]++;
                for (int t = 0; t < l; t++) within[h * Radix + t]++;
            }
        }
        if (!hist.IsEmpty)
        {
            // count(h, l) = within[h][l−1] − within[h][l], where within[h][−1] = count(h) = larger[h−1] − larger[h].
            int previousLarger = v.Length;
            for (int h = 0; h < Radix; h++)
            {
                int previous = previousLarger - larger[h];
                previousLarger = larger[h];
                for (int l = 0; l < Radix; l++)
                {
                    int c = within[h * Radix + l];
                    hist[h * Radix + l] = previous - c;
                    previous = c;
                }
            }
        }
        return inv;
    }

    /// <summary>Lane i of v (of <see cref="Lanes"/>) is v[n·i/Lanes .. n·(i+1)/Lanes).</summary>
    private static int LaneStart(int n, int lane) => (int)((long)n * lane / Lanes);

    /// <summary>Writes the digit histogram of each lane of v to <paramref name="counts"/> (lane·16 + digit) and returns the
    /// pairs i &lt; j of v whose digit at i is larger than at j.</summary>
    private static long CountDigit(ReadOnlySpan<uint> v, int shift, uint mask, Span<int> counts)
    {
        // larger[t] = elements read so far whose digit is larger than t; a lane's histogram is the difference of its
        // counters at its end and at its start: count(d) = larger-in-lane(d−1) − larger-in-lane(d).
        Span<int> larger = stackalloc int[Radix];
        Span<int> atLaneStart = stackalloc int[Radix];
        larger.Clear();
        ref int g = ref MemoryMarshal.GetReference(larger);
        ref int rows = ref MemoryMarshal.GetArrayDataReference(GreaterRows);
        long inv = 0;
        for (int lane = 0; lane < Lanes; lane++)
        {
            int s = LaneStart(v.Length, lane), e = LaneStart(v.Length, lane + 1);
            larger.CopyTo(atLaneStart);
            if (Vector512.IsHardwareAccelerated)
            {
                var acc = Vector512.LoadUnsafe(ref g);
                for (int k = s; k < e; k++)
                {
                    int d = (int)((v[k] >> shift) & mask);
                    acc.StoreUnsafe(ref g);
                    inv += Unsafe.Add(ref g, d);
                    acc += Vector512.LoadUnsafe(ref rows, (nuint)(d * Radix));
                }
                acc.StoreUnsafe(ref g);
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                var lowHalf = Vector256.LoadUnsafe(ref g);
                var highHalf = Vector256.LoadUnsafe(ref g, 8);
                for (int k = s; k < e; k++)
                {
                    int d = (int)((v[k] >> shift) & mask);
                    inv += Unsafe.Add(ref g, d);
                    lowHalf += Vector256.LoadUnsafe(ref rows, (nuint)(d * Radix));
                    highHalf += Vector256.LoadUnsafe(ref rows, (nuint)(d * Radix + 8));
                    lowHalf.StoreUnsafe(ref g);
                    highHalf.StoreUnsafe(ref g, 8);
                }
            }
            else
            {
                for (int k = s; k < e; k++)
                {
                    int d = (int)((v[k] >> shift) & mask);
                    inv += larger[d];
                    for (int t = 0; t < d; t++) larger[t]++;
                }
            }
            var laneCounts = counts.Slice(lane * Radix, Radix);
            int previous = e - s;
            for (int d = 0; d < Radix; d++)
            {
                int inLane = larger[d] - atLaneStart[d];
                laneCounts[d] = previous - inLane;
                previous = inLane;
            }
        }
        return inv;
    }

    /// <summary>Writes v's elements to dst, lane i's element of digit d at next[i·16 + d]++ (stable). The lanes are read
    /// side by side, so consecutive writes do not wait on the same counter.</summary>
    private static void Split(ReadOnlySpan<uint> v, uint[] dst, int shift, uint mask, Span<int> next)
    {
        ref uint d0 = ref MemoryMarshal.GetArrayDataReference(dst);
        ref uint v0 = ref MemoryMarshal.GetReference(v);
        ref int n0 = ref MemoryMarshal.GetReference(next);
        int n = v.Length;
        int s0 = LaneStart(n, 0), s1 = LaneStart(n, 1), s2 = LaneStart(n, 2), s3 = LaneStart(n, 3);
        ref int n1 = ref Unsafe.Add(ref n0, Radix);
        ref int n2 = ref Unsafe.Add(ref n0, 2 * Radix);
        ref int n3 = ref Unsafe.Add(ref n0, 3 * Radix);
        int common = s1 - s0;   // the shortest lane is the first (lane lengths differ by at most one, rounding down)
        for (int k = 0; k < common; k++)
        {
            uint x0 = Unsafe.Add(ref v0, s0 + k), x1 = Unsafe.Add(ref v0, s1 + k);
            uint x2 = Unsafe.Add(ref v0, s2 + k), x3 = Unsafe.Add(ref v0, s3 + k);
            Unsafe.Add(ref d0, Unsafe.Add(ref n0, (int)((x0 >> shift) & mask))++) = x0;
            Unsafe.Add(ref d0, Unsafe.Add(ref n1, (int)((x1 >> shift) & mask))++) = x1;
            Unsafe.Add(ref d0, Unsafe.Add(ref n2, (int)((x2 >> shift) & mask))++) = x2;
            Unsafe.Add(ref d0, Unsafe.Add(ref n3, (int)((x3 >> shift) & mask))++) = x3;
        }
        for (int lane = 0; lane < Lanes; lane++)
        {
            ref int nl = ref Unsafe.Add(ref n0, lane * Radix);
            for (int k = LaneStart(n, lane) + common, e = LaneStart(n, lane + 1); k < e; k++)
            {
                uint x = Unsafe.Add(ref v0, k);
                Unsafe.Add(ref d0, Unsafe.Add(ref nl, (int)((x >> shift) & mask))++) = x;
            }
        }
    }

    /// <summary>Sorts v by insertion, returning the number of element moves (its inversions); adds the tied pairs of
    /// the sorted run to ties[0] when <paramref name="ties"/> is given.</summary>
    private static long InsertionCount(Span<uint> v, long[]? ties)
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
        if (ties is not null)
        {
            long pairs = 0;
            for (int r = 0; r < v.Length;)
            {
                int q = r + 1;
                while (q < v.Length && v[q] == v[r]) q++;
                pairs += SortKeys.TiedPairs(q - r);
                r = q;
            }
            AddTies(ties, pairs);
        }
        return inv;
    }
}
