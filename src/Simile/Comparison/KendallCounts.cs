namespace Simile.Comparison;

/// <summary>
/// Pair counts behind Kendall's tau (scipy <c>kendalltau</c> / rsatoolbox <c>_tau_a</c>): total pairs, pairs tied in x,
/// tied in y, tied in both, and discordant pairs. Knight (1966): sort by (x, y), then the discordant pairs are the
/// inversions of the y sequence, counted by a radix partition (<see cref="Inversions"/>). O(m log m); the sorts are radix
/// sorts, the inversion count runs in parallel on large inputs (integer counts, so the result is exact and thread-count
/// independent).
/// </summary>
internal readonly record struct KendallCounts(long Total, long XTies, long YTies, long JointTies, long Discordant)
{
    /// <summary>tot − xtie − ytie + ntie − 2·dis (scipy's con_minus_dis).</summary>
    public long ConcordantMinusDiscordant => Total - XTies - YTies + JointTies - 2 * Discordant;

    public static KendallCounts Of(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        RsaMeasures.CheckLengths(x.Length, y.Length);
        int m = x.Length;
        Ranks.SortedKeys sx = default, sy = default;
        if (m >= 1 << 16)
        {
            unsafe
            {
                fixed (double* px = x, py = y)
                {
                    nint ix = (nint)px, iy = (nint)py;
                    Parallel.Invoke(
                        () => sx = Ranks.Sort(new ReadOnlySpan<double>((void*)ix, m), "first vector"),
                        () => sy = Ranks.Sort(new ReadOnlySpan<double>((void*)iy, m), "second vector"));
                }
            }
        }
        else
        {
            sx = Ranks.Sort(x, "first vector");
            sy = Ranks.Sort(y, "second vector");
        }
        var dx = Ranks.Dense(sx, out _, out long xTies);
        var dy = Ranks.Dense(sy, out _, out long yTies);
        return FromXOrder(XOrder(sx), dx, xTies, dy, yTies);
    }

    /// <summary>The positions in ascending x order (ties in any order).</summary>
    internal static int[] XOrder(Ranks.SortedKeys sx)
    {
        var order = new int[sx.Length];
        for (int k = 0; k < order.Length; k++) order[k] = sx.Items[k].Position;
        return order;
    }

    /// <summary>
    /// Counts from the positions in x order (<paramref name="xOrder"/>), dense x ranks <paramref name="dx"/> (which mark
    /// the tie groups of x) and dense y ranks <paramref name="dy"/>: the y ranks laid out in x order, each tie group of x
    /// sorted by y (so the sequence is in (x, y) order), then the joint ties and the inversions of that sequence.
    /// </summary>
    internal static KendallCounts FromXOrder(int[] xOrder, int[] dx, long xTies, int[] dy, long yTies)
    {
        int m = xOrder.Length;
        long total = (long)m * (m - 1) / 2;
        var ys = new uint[m];
        for (int k = 0; k < m; k++) ys[k] = (uint)dy[xOrder[k]];
        long joint = 0;
        for (int s = 0; s < m;)
        {
            int e = s + 1;
            while (e < m && dx[xOrder[e]] == dx[xOrder[s]]) e++;
            if (e - s > 1) joint += SortTieGroup(ys.AsSpan(s, e - s));
            s = e;
        }
        long discordant = Inversions.Count(ys);
        return new KendallCounts(total, xTies, yTies, joint, discordant);
    }

    /// <summary>
    /// Sorts the y values of one group of pairs tied in x and returns how many of its pairs are tied in y as well
    /// (joint ties). The one joint-tie count of both Kendall routes (this type's and the large-scale route's).
    /// </summary>
    internal static long SortTieGroup<T>(Span<T> ys) where T : IComparable<T>, IEquatable<T>
    {
        if (ys.Length <= 16)
        {
            // Most tie groups hold a few pairs: insertion sort, without the call into the general sort.
            for (int i = 1; i < ys.Length; i++)
            {
                T v = ys[i];
                int j = i - 1;
                while (j >= 0 && ys[j].CompareTo(v) > 0) { ys[j + 1] = ys[j]; j--; }
                ys[j + 1] = v;
            }
        }
        else ys.Sort();
        long joint = 0;
        for (int r = 0; r < ys.Length;)
        {
            int q = r + 1;
            while (q < ys.Length && ys[q].Equals(ys[r])) q++;
            joint += SortKeys.TiedPairs(q - r);
            r = q;
        }
        return joint;
    }
}
