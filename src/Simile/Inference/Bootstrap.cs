using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Simile.Comparison;
using Simile.Similarity;

namespace Simile.Inference;

/// <summary>
/// Item bootstrap of a second-order measure. Resample r draws n items with replacement from
/// <see cref="SeededRandom.ForBlock"/>(seed, r) (n × NextInt(n)); the resampled pair (p, q), p &lt; q, takes the values of
/// the original pair (s_p, s_q), and pairs of an item with its own copy (s_p = s_q) are dropped. The interval is the
/// percentile interval at <c>level</c> with numpy <c>percentile</c>'s default 'linear' interpolation. Resamples whose
/// measure is undefined (NaN, e.g. too few distinct items) are left out of the percentiles. Deterministic for a seed
/// whatever the thread count. Pearson and cosine are computed without building the resampled vectors (pair (u, v)
/// weighted by c_u·c_v, O(m) per resample); the other measures build them (O(m) plus the measure's own cost).
/// </summary>
public static partial class Bootstrap
{
    /// <summary>
    /// Resamples items with replacement, drops pairs of an item with its own copy, recomputes the measure;
    /// percentile interval at <paramref name="level"/>. Seeded, deterministic whatever the thread count.
    /// </summary>
    public static BootstrapInterval Run(DissimilarityMatrix a, DissimilarityMatrix b, RsaMeasure measure,
        int resamples, ulong seed, double level = 0.95, IProgress<double>? progress = null)
        => Run(a, b, measure, resamples, seed, new ParallelOptions(), level, progress);

    /// <summary>As the overload above, with the parallelism set by <paramref name="parallel"/>.</summary>
    public static BootstrapInterval Run(DissimilarityMatrix a, DissimilarityMatrix b, RsaMeasure measure,
        int resamples, ulong seed, ParallelOptions parallel, double level = 0.95, IProgress<double>? progress = null)
    {
        var values = Distribution(a, b, measure, resamples, seed, parallel, progress);
        var (lower, upper) = PercentileInterval.Of(values, level);
        double estimate = RsaMeasures.Compute(measure, a.Condensed, b.Condensed);
        return new BootstrapInterval(measure, resamples, seed, estimate, lower, upper, level);
    }

    /// <summary>The measure on each resample, index r = resample r (NaN where undefined).</summary>
    public static double[] Distribution(DissimilarityMatrix a, DissimilarityMatrix b, RsaMeasure measure,
        int resamples, ulong seed, ParallelOptions parallel, IProgress<double>? progress = null)
    {
        Inputs.CheckPair(a, b);
        CheckCount(resamples);
        int n = a.N;
        return Resamples(resamples, r =>
        {
            var items = Draw(seed, r, n);
            if (measure is RsaMeasure.Pearson or RsaMeasure.Cosine)
                return WeightedLinear(a, b, Multiplicities(items, n), measure == RsaMeasure.Pearson);
            Array.Sort(items); // pair order does not change the measures; sorted items read the triangle row by row
            var (va, vb) = Resample(a, b, items);
            return va.Length < 2 ? double.NaN : RsaMeasures.Compute(measure, va, vb);
        }, parallel, progress);
    }

    /// <summary>
    /// The one bootstrap driver: <paramref name="statistic"/>(r) for every resample r = 0..R−1, in parallel. Each
    /// statistic draws its items from <see cref="SeededRandom.ForBlock"/>(seed, r) (<see cref="Draw"/>, or a stratified
    /// draw from the same stream), so the values do not depend on the thread count. <paramref name="progress"/> receives
    /// the completed fraction every <paramref name="progressEvery"/> resamples and at the end.
    /// </summary>
    public static double[] Resamples(int resamples, Func<int, double> statistic, ParallelOptions parallel,
        IProgress<double>? progress = null, int progressEvery = 1)
    {
        CheckCount(resamples);
        var values = new double[resamples];
        int done = 0;
        Parallel.For(0, resamples, parallel, r =>
        {
            values[r] = statistic(r);
            int d = Interlocked.Increment(ref done);
            if (progress is not null && (d % progressEvery == 0 || d == resamples)) progress.Report(d / (double)resamples);
        });
        return values;
    }

    /// <summary>Throws the user-facing error for a resample count below 1.</summary>
    public static void CheckCount(int resamples)
    {
        if (resamples < 1)
            throw new SimileException($"the number of bootstrap resamples must be at least 1, got {resamples}", "use e.g. --bootstrap 1000");
    }

    /// <summary>The items of resample <paramref name="r"/>: n draws of NextInt(n) from ForBlock(seed, r).</summary>
    public static int[] Draw(ulong seed, long r, int n)
    {
        var rng = SeededRandom.ForBlock(seed, r);
        var items = new int[n];
        for (int i = 0; i < n; i++) items[i] = rng.NextInt(n);
        return items;
    }

    private static double[] Multiplicities(int[] items, int n)
    {
        var c = new double[n];
        foreach (int s in items) c[s]++;
        return c;
    }

    /// <summary>
    /// Pearson (centred) or cosine over the resampled pairs without materialising them: original pair (u, v), u &lt; v,
    /// occurs c_u·c_v times among the resampled pairs (c = multiplicities; pairs of an item with its own copy are not
    /// pairs of the condensed triangle), so the measure is the weighted one with weights c_u·c_v. Two passes
    /// (weighted means, then centred sums), each a vectorised dot per row. Equal to the materialised computation up
    /// to round-off.
    /// </summary>
    internal static double WeightedLinear(DissimilarityMatrix a, DissimilarityMatrix b, double[] c, bool centre)
    {
        int n = a.N;
        double ma = 0, mb = 0;
        if (centre)
        {
            double w = 0, sa = 0, sb = 0;
            for (int u = 0; u < n - 1; u++)
            {
                if (c[u] == 0) continue;
                int k0 = (int)CondensedIndex.RowStart(n, u), len = n - 1 - u;
                var cv = new ReadOnlySpan<double>(c, u + 1, len);
                w += c[u] * TensorPrimitives.Sum(cv);
                sa += c[u] * TensorPrimitives.Dot(cv, new ReadOnlySpan<double>(a.Condensed, k0, len));
                sb += c[u] * TensorPrimitives.Dot(cv, new ReadOnlySpan<double>(b.Condensed, k0, len));
            }
            if (w < 2) return double.NaN;
            ma = sa / w;
            mb = sb / w;
        }
        double sab = 0, saa = 0, sbb = 0, pairs = 0;
        var ta = new double[n];
        var tb = new double[n];
        var tw = new double[n];
        for (int u = 0; u < n - 1; u++)
        {
            if (c[u] == 0) continue;
            int k0 = (int)CondensedIndex.RowStart(n, u), len = n - 1 - u;
            var cv = new ReadOnlySpan<double>(c, u + 1, len);
            var xa = ta.AsSpan(0, len);
            var xb = tb.AsSpan(0, len);
            var wa = tw.AsSpan(0, len);
            TensorPrimitives.Subtract(new ReadOnlySpan<double>(a.Condensed, k0, len), ma, xa);
            TensorPrimitives.Subtract(new ReadOnlySpan<double>(b.Condensed, k0, len), mb, xb);
            TensorPrimitives.Multiply(xa, cv, wa);                 // c_v·(a − ā)
            sab += c[u] * TensorPrimitives.Dot<double>(wa, xb);
            saa += c[u] * TensorPrimitives.Dot<double>(wa, xa);
            TensorPrimitives.Multiply(xb, cv, wa);                 // c_v·(b − b̄)
            sbb += c[u] * TensorPrimitives.Dot<double>(wa, xb);
            pairs += c[u] * TensorPrimitives.Sum(cv);
        }
        if (pairs < 2 || saa == 0 || sbb == 0) return double.NaN;
        return Math.Clamp(sab / (Math.Sqrt(saa) * Math.Sqrt(sbb)), -1.0, 1.0);
    }

    /// <summary>The condensed vectors over the resampled items, without pairs of an item with its own copy.</summary>
    internal static (double[] A, double[] B) Resample(DissimilarityMatrix a, DissimilarityMatrix b, ReadOnlySpan<int> items)
    {
        int n = items.Length, N = a.N;
        long count = 0;
        // count equal pairs to size the output exactly: Σ over items of c(c−1)/2
        var multiplicity = new int[N];
        foreach (int s in items) multiplicity[s]++;
        long same = 0;
        foreach (int c in multiplicity) same += (long)c * (c - 1) / 2;
        long length = (long)n * (n - 1) / 2 - same;
        var va = new double[length];
        var vb = new double[length];
        for (int p = 0; p < n - 1; p++)
        {
            int sp = items[p];
            for (int q = p + 1; q < n; q++)
            {
                int sq = items[q];
                if (sp == sq) continue;
                long k = CondensedIndex.Of(N, sp, sq);
                va[count] = a.Condensed[k];
                vb[count] = b.Condensed[k];
                count++;
            }
        }
        return (va, vb);
    }
}
