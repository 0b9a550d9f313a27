namespace Simile.Comparison;

/// <summary>
/// Pair counts behind Kendall's tau (scipy <c>kendalltau</c> / rsatoolbox <c>_tau_a</c>): total pairs, pairs tied in x,
/// tied in y, tied in both, and discordant pairs. Knight (1966): sort by (x, y), then the discordant pairs are the
/// inversions of the y sequence, counted by merge sort. O(m log m); the sorts are radix sorts, the merge levels run
/// in parallel (integer counts, so the result is exact and thread-count independent).
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
        var dx = Ranks.Dense(sx, out int distinctX, out long xTies);
        var dy = Ranks.Dense(sy, out _, out long yTies);
        return FromDense(dx, distinctX, xTies, sy.Order, dy, yTies);
    }

    /// <summary>
    /// Counts from dense ranks: <paramref name="dx"/> (0..distinctX−1), <paramref name="yOrder"/> = positions sorted by y,
    /// <paramref name="dy"/> = dense y ranks.
    /// </summary>
    internal static KendallCounts FromDense(int[] dx, int distinctX, long xTies, int[] yOrder, int[] dy, long yTies)
    {
        int m = dx.Length;
        long total = (long)m * (m - 1) / 2;
        // Stable counting sort by x of the positions taken in y order → lexicographic (x, y) order.
        var start = new int[distinctX + 1];
        for (int k = 0; k < m; k++) start[dx[k] + 1]++;
        for (int g = 0; g < distinctX; g++) start[g + 1] += start[g];
        var ys = new int[m];
        var xs = new int[m];
        foreach (int pos in yOrder)
        {
            int dst = start[dx[pos]]++;
            ys[dst] = dy[pos];
            xs[dst] = dx[pos];
        }
        // Joint ties: runs of equal (x, y) are adjacent now.
        long joint = 0;
        int run = 1;
        for (int k = 1; k <= m; k++)
        {
            if (k < m && xs[k] == xs[k - 1] && ys[k] == ys[k - 1]) { run++; continue; }
            joint += SortKeys.TiedPairs(run);
            run = 1;
        }
        long discordant = Inversions.CountAndSort(ys);
        return new KendallCounts(total, xTies, yTies, m == 0 ? 0 : joint, discordant);
    }
}
