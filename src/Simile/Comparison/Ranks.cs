using System.Numerics.Tensors;

namespace Simile.Comparison;

/// <summary>
/// Ranking of long vectors (millions of condensed pairs): average ranks as scipy <c>rankdata</c> ('average'),
/// dense ranks and sort orders. Sorting is an LSD radix sort on order-preserving 64-bit keys (8-bit digits,
/// passes whose digit is the same for every key are skipped), O(m) per pass; short vectors use Array.Sort.
/// Measures that rank two vectors (Spearman, rho-a, Kendall) sort them on two threads.
/// −0.0 and +0.0 are equal (one tie group), as in numpy.
/// </summary>
public static class Ranks
{
    private const int RadixThreshold = 2048;
    private const int DigitBits = 8;
    private const int Buckets = 1 << DigitBits;
    private const int Passes = 64 / DigitBits; // 8

    /// <summary>
    /// Average ranks, 1-based: tied values get the mean of the positions they occupy (scipy.stats.rankdata,
    /// method='average'). Values must not be NaN (throws <see cref="SimileException"/>).
    /// </summary>
    public static double[] Average(ReadOnlySpan<double> values)
    {
        var sorted = Sort(values, "values");
        var ranks = GC.AllocateUninitializedArray<double>(values.Length);
        AverageFromSorted(sorted, ranks);
        return ranks;
    }

    /// <inheritdoc cref="Average(ReadOnlySpan{double})"/>
    public static double[] Average(ReadOnlySpan<float> values)
    {
        var wide = new double[values.Length];
        TensorPrimitives.ConvertChecked<float, double>(values, wide);
        return Average(wide);
    }

    /// <summary>Keys ascending and the original position of each sorted key.</summary>
    internal readonly record struct SortedKeys(ulong[] Keys, int[] Order)
    {
        public int Length => Keys.Length;
    }

    /// <summary>
    /// Sorts <paramref name="values"/> (not modified) ascending; throws <see cref="SimileException"/> naming the position
    /// of a NaN. The order among equal values is unspecified.
    /// </summary>
    internal static SortedKeys Sort(ReadOnlySpan<double> values, string what)
    {
        int m = values.Length;
        var keys = GC.AllocateUninitializedArray<ulong>(m);
        var order = GC.AllocateUninitializedArray<int>(m);
        bool radix = m >= RadixThreshold;
        // One read pass: NaN check, keys, and (for the radix sort) all digit histograms.
        var counts = radix ? new int[Passes * Buckets] : [];
        for (int k = 0; k < m; k++)
        {
            double v = values[k];
            if (double.IsNaN(v))
                throw new SimileException($"position {k} of the {what} is NaN; ranks are undefined",
                    "remove or replace undefined values before comparing (e.g. check the items behind that pair)");
            ulong key = SortKeys.Of(v);
            keys[k] = key;
            order[k] = k;
            if (radix)
                for (int p = 0; p < Passes; p++)
                    counts[p * Buckets + (int)((key >> (p * DigitBits)) & (Buckets - 1))]++;
        }
        if (!radix)
        {
            Array.Sort(keys, order);
            return new SortedKeys(keys, order);
        }
        return RadixSort(keys, order, counts);
    }

    /// <summary>LSD radix sort of (key, order) pairs given all digit histograms; the input arrays are reused as scratch.</summary>
    private static SortedKeys RadixSort(ulong[] keys, int[] order, int[] counts)
    {
        int m = keys.Length;
        ulong[]? keys2 = null;
        int[]? order2 = null;
        var offsets = new int[Buckets];
        for (int p = 0; p < Passes; p++)
        {
            var hist = counts.AsSpan(p * Buckets, Buckets);
            // Skip a pass whose digit is the same for every key (common in the sign/exponent bits).
            bool trivial = false;
            for (int b = 0; b < Buckets; b++)
                if (hist[b] != 0) { trivial = hist[b] == m; break; }
            if (trivial) continue;

            keys2 ??= GC.AllocateUninitializedArray<ulong>(m);
            order2 ??= GC.AllocateUninitializedArray<int>(m);
            int sum = 0;
            for (int b = 0; b < Buckets; b++) { offsets[b] = sum; sum += hist[b]; }
            int shift = p * DigitBits;
            for (int k = 0; k < m; k++)
            {
                ulong key = keys[k];
                int dst = offsets[(int)((key >> shift) & (Buckets - 1))]++;
                keys2[dst] = key;
                order2[dst] = order[k];
            }
            (keys, keys2) = (keys2, keys);
            (order, order2) = (order2, order);
        }
        return new SortedKeys(keys, order);
    }

    /// <summary>Writes 1-based average ranks into <paramref name="ranks"/> (original positions).</summary>
    internal static void AverageFromSorted(SortedKeys s, Span<double> ranks)
    {
        int m = s.Length;
        var keys = s.Keys;
        var order = s.Order;
        int start = 0;
        while (start < m)
        {
            int end = start + 1;
            while (end < m && keys[end] == keys[start]) end++;
            // positions start..end-1 hold ranks start+1..end; their mean:
            double r = 0.5 * ((double)start + 1 + end);
            for (int t = start; t < end; t++) ranks[order[t]] = r;
            start = end;
        }
    }

    /// <summary>Dense ranks 0..distinct−1 at original positions, the number of distinct values, and Σ t(t−1)/2 over tie groups.</summary>
    internal static int[] Dense(SortedKeys s, out int distinct, out long tiedPairs)
    {
        int m = s.Length;
        var dense = new int[m];
        var keys = s.Keys;
        var order = s.Order;
        int group = -1;
        long ties = 0;
        int start = 0;
        while (start < m)
        {
            int end = start + 1;
            while (end < m && keys[end] == keys[start]) end++;
            group++;
            long t = end - start;
            ties += SortKeys.TiedPairs(t);
            for (int k = start; k < end; k++) dense[order[k]] = group;
            start = end;
        }
        distinct = group + 1;
        tiedPairs = ties;
        return dense;
    }
}
