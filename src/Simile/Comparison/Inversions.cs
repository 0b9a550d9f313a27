using System.Numerics;

namespace Simile.Comparison;

/// <summary>
/// Counts the pairs i &lt; j with a[i] &gt; a[j] (strict, so equal values are not inversions) by a bottom-up merge
/// sort, and sorts the array. The one inversion counter of Kendall's tau for small vectors (int dense ranks) and the
/// large-scale rank route (uint doubled ranks): runs of up to 16,384 elements are sorted in parallel (insertion sort
/// on 32-element runs, then merges), then the merge levels run in parallel. Integer counts, so the result is exact
/// and independent of the thread count.
/// </summary>
internal static class Inversions
{
    private const int Run = 1 << 14;
    private const int Small = 32;

    /// <summary>Inversion count of <paramref name="a"/>, which is left sorted ascending. <paramref name="scratch"/>
    /// (optional, at least as long as a) is overwritten.</summary>
    public static long CountAndSort<T>(T[] a, T[]? scratch = null) where T : unmanaged, IComparisonOperators<T, T, bool>
    {
        long m = a.LongLength;
        if (m < 2) return 0;
        scratch ??= GC.AllocateUninitializedArray<T>(a.Length);
        int runs = (int)((m + Run - 1) / Run);
        long total = 0;
        Parallel.For(0, runs, r =>
        {
            long lo = (long)r * Run, hi = Math.Min(m, lo + Run);
            Interlocked.Add(ref total, SortRun(a, scratch, (int)lo, (int)hi));
        });
        T[] src = a, dst = scratch;
        for (long width = Run; width < m; width *= 2)
        {
            long pairs = (m + 2 * width - 1) / (2 * width);
            T[] s = src, d = dst;
            long w = width;
            Parallel.For(0, pairs, p =>
            {
                long lo = p * 2 * w, mid = Math.Min(m, lo + w), hi = Math.Min(m, lo + 2 * w);
                Interlocked.Add(ref total, Merge(s, d, lo, mid, hi));
            });
            (src, dst) = (dst, src);
        }
        if (!ReferenceEquals(src, a)) Array.Copy(src, a, m);
        return total;
    }

    /// <summary>Sorts a[lo..hi) in place (insertion sort on 32-runs, then merges via scratch), returning its inversions.</summary>
    private static long SortRun<T>(T[] a, T[] scratch, int lo, int hi) where T : unmanaged, IComparisonOperators<T, T, bool>
    {
        long inv = 0;
        for (int s = lo; s < hi; s += Small)
        {
            int e = Math.Min(hi, s + Small);
            for (int i = s + 1; i < e; i++)
            {
                T v = a[i];
                int j = i - 1;
                while (j >= s && a[j] > v) { a[j + 1] = a[j]; j--; }
                inv += i - 1 - j;
                a[j + 1] = v;
            }
        }
        T[] src = a, dst = scratch;
        for (int width = Small; width < hi - lo; width *= 2)
        {
            for (int s = lo; s < hi; s += 2 * width)
            {
                int mid = Math.Min(hi, s + width), e = Math.Min(hi, s + 2 * width);
                inv += Merge(src, dst, s, mid, e);
            }
            (src, dst) = (dst, src);
        }
        if (!ReferenceEquals(src, a)) Array.Copy(src, lo, a, lo, hi - lo);
        return inv;
    }

    /// <summary>Merges sorted src[lo..mid) and src[mid..hi) into dst[lo..hi); returns the cross inversions.</summary>
    private static long Merge<T>(T[] src, T[] dst, long lo, long mid, long hi) where T : unmanaged, IComparisonOperators<T, T, bool>
    {
        long i = lo, j = mid, k = lo, inv = 0;
        while (i < mid && j < hi)
        {
            if (src[i] <= src[j]) dst[k++] = src[i++];
            else { dst[k++] = src[j++]; inv += mid - i; }
        }
        while (i < mid) dst[k++] = src[i++];
        while (j < hi) dst[k++] = src[j++];
        return inv;
    }
}
