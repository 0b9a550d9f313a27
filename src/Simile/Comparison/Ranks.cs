using System.Numerics.Tensors;

namespace Simile.Comparison;

/// <summary>
/// Ranking of long vectors (millions of condensed pairs): average ranks as scipy <c>rankdata</c> ('average'),
/// dense ranks and sort orders. Sorting is <see cref="RadixSort"/> on order-preserving 64-bit keys
/// (<see cref="SortKeys"/>); short vectors use a comparison sort.
/// Measures that rank two vectors (Spearman, rho-a, Kendall) sort them on two threads.
/// −0.0 and +0.0 are equal (one tie group), as in numpy.
/// </summary>
public static class Ranks
{
    private const int RadixThreshold = 2048;

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

    /// <summary>Keys ascending, each with the original position of its value.</summary>
    internal readonly record struct SortedKeys(RadixSort.KeyedPosition[] Items)
    {
        public int Length => Items.Length;
    }

    /// <summary>
    /// Sorts <paramref name="values"/> (not modified) ascending; throws <see cref="SimileException"/> naming the position
    /// of a NaN. The order among equal values is unspecified.
    /// </summary>
    internal static SortedKeys Sort(ReadOnlySpan<double> values, string what)
    {
        int m = values.Length;
        var items = GC.AllocateUninitializedArray<RadixSort.KeyedPosition>(m);
        for (int k = 0; k < m; k++)
        {
            double v = values[k];
            if (double.IsNaN(v))
                throw new SimileException($"position {k} of the {what} is NaN; ranks are undefined",
                    "remove or replace undefined values before comparing (e.g. check the items behind that pair)");
            items[k] = new RadixSort.KeyedPosition { Key = SortKeys.Of(v), Position = k };
        }
        if (m < RadixThreshold)
        {
            items.AsSpan().Sort(static (x, y) => x.Key.CompareTo(y.Key));
            return new SortedKeys(items);
        }
        var scratch = GC.AllocateUninitializedArray<RadixSort.KeyedPosition>(m);
        var sorted = RadixSort.Sort(items, scratch, 64 / RadixSort.DigitBits, default(RadixSort.KeyedPositionDigits));
        return new SortedKeys(sorted.Overlaps(scratch) ? scratch : items);
    }

    /// <summary>Writes 1-based average ranks into <paramref name="ranks"/> (original positions).</summary>
    internal static void AverageFromSorted(SortedKeys s, Span<double> ranks)
    {
        int m = s.Length;
        var items = s.Items;
        int start = 0;
        while (start < m)
        {
            int end = start + 1;
            while (end < m && items[end].Key == items[start].Key) end++;
            // positions start..end-1 hold ranks start+1..end; their mean:
            double r = 0.5 * ((double)start + 1 + end);
            for (int t = start; t < end; t++) ranks[items[t].Position] = r;
            start = end;
        }
    }

    /// <summary>Dense ranks 0..distinct−1 at original positions, the number of distinct values, and Σ t(t−1)/2 over tie groups.</summary>
    internal static int[] Dense(SortedKeys s, out int distinct, out long tiedPairs)
    {
        int m = s.Length;
        var dense = new int[m];
        var items = s.Items;
        int group = -1;
        long ties = 0;
        int start = 0;
        while (start < m)
        {
            int end = start + 1;
            while (end < m && items[end].Key == items[start].Key) end++;
            group++;
            long t = end - start;
            ties += SortKeys.TiedPairs(t);
            for (int k = start; k < end; k++) dense[items[k].Position] = group;
            start = end;
        }
        distinct = group + 1;
        tiedPairs = ties;
        return dense;
    }
}
