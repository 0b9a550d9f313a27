using System.Numerics;
using System.Numerics.Tensors;

namespace Simile.Comparison;

/// <summary>
/// The second-order (RSA) measures, exactly as rsatoolbox/scipy define them, for vectors of millions of pairs:
/// sums are float64 (vectorised, accumulated in 4096-element chunks), ranks come from <see cref="Ranks"/> (radix sort),
/// Kendall counts use Knight's O(m log m) merge-sort algorithm with scipy's tie handling.
/// <para>
/// Conventions: both vectors must have the same length (else <see cref="SimileException"/>) and no NaN
/// (<see cref="SimileException"/> naming the position; rsatoolbox would drop such positions). A constant vector (or an all-zero one
/// for <see cref="Cosine"/>) gives <b>NaN</b> for Pearson, Spearman, Kendall tau-b and Cosine (0/0, as scipy), and 0 for
/// tau-a and rho-a (their denominators do not depend on the data). Fewer than 2 values give NaN.
/// </para>
/// </summary>
public static class RsaMeasures
{
    /// <summary>JSON/CLI names: pearson, spearman, kendall_tau_b, tau_a, rho_a, cosine.</summary>
    public static readonly IReadOnlyList<string> Names = ["pearson", "spearman", "kendall_tau_b", "tau_a", "rho_a", "cosine"];

    public static string Name(this RsaMeasure m) => Names[(int)m];

    public static RsaMeasure Parse(string name)
    {
        int i = Names.ToList().IndexOf(name.Trim().ToLowerInvariant());
        if (i < 0) throw new SimileException($"unknown RSA measure '{name}'", $"use one of {string.Join(", ", Names)}");
        return (RsaMeasure)i;
    }

    public static double Compute(RsaMeasure m, ReadOnlySpan<double> a, ReadOnlySpan<double> b) => m switch
    {
        RsaMeasure.Pearson => Pearson(a, b),
        RsaMeasure.Spearman => Spearman(a, b),
        RsaMeasure.KendallTauB => KendallTauB(a, b),
        RsaMeasure.TauA => TauA(a, b),
        RsaMeasure.RhoA => RhoA(a, b),
        RsaMeasure.Cosine => Cosine(a, b),
        _ => throw new ArgumentOutOfRangeException(nameof(m)),
    };

    /// <summary>float32 vectors: widened exactly to float64, then as the double overload.</summary>
    public static double Compute(RsaMeasure m, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        CheckLengths(a.Length, b.Length);
        var wa = new double[a.Length];
        var wb = new double[b.Length];
        TensorPrimitives.ConvertChecked<float, double>(a, wa);
        TensorPrimitives.ConvertChecked<float, double>(b, wb);
        return Compute(m, wa, wb);
    }

    /// <summary>Pearson r (cosine of mean-centred vectors), clipped to [−1, 1]. NaN when either vector is constant.</summary>
    public static double Pearson(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        CheckLengths(a.Length, b.Length);
        CheckNoNaN(a, "first vector");
        CheckNoNaN(b, "second vector");
        if (a.Length < 2) return double.NaN;
        return PearsonUnchecked(a, b);
    }

    /// <summary>Pearson of average ranks (scipy rankdata 'average'). NaN when either vector is constant.</summary>
    public static double Spearman(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        return AverageRanksOfPair(a, b) is var (ra, rb) ? PearsonUnchecked(ra, rb) : double.NaN;
    }

    /// <summary>Kendall tau-b (scipy kendalltau), O(m log m). NaN when either vector is constant.</summary>
    public static double KendallTauB(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var c = KendallCounts.Of(a, b);
        if (c.Total == 0 || c.XTies == c.Total || c.YTies == c.Total) return double.NaN;
        // Same operations as scipy: con_minus_dis / sqrt(tot - xtie) / sqrt(tot - ytie), clipped.
        double tau = c.ConcordantMinusDiscordant / Math.Sqrt(c.Total - c.XTies) / Math.Sqrt(c.Total - c.YTies);
        return Math.Clamp(tau, -1.0, 1.0);
    }

    /// <summary>Kendall tau-a: (concordant − discordant)/(m(m−1)/2), no tie correction (rsatoolbox 'tau-a').</summary>
    public static double TauA(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var c = KendallCounts.Of(a, b);
        if (c.Total == 0) return double.NaN;
        return Math.Clamp((double)c.ConcordantMinusDiscordant / c.Total, -1.0, 1.0);
    }

    /// <summary>rho-a: 12·r1c·r2c/(m³−m) on centred average ranks (rsatoolbox 'rho-a'); 0 for a constant vector.</summary>
    public static double RhoA(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        return AverageRanksOfPair(a, b) is var (ra, rb) ? RhoAFromRanks(ra, rb) : double.NaN;
    }

    internal static double RhoAFromRanks(ReadOnlySpan<double> ra, ReadOnlySpan<double> rb)
    {
        double ma = TensorPrimitives.Sum<double>(ra) / ra.Length;
        double mb = TensorPrimitives.Sum<double>(rb) / rb.Length;
        CentredSums(ra, ma, rb, mb, out double sab, out _, out _);
        double m = ra.Length;
        return 12.0 * sab / (m * m * m - m);
    }

    /// <summary>Uncentred cosine a·b/(|a||b|), clipped to [−1, 1]. NaN when either vector is all zeros.</summary>
    public static double Cosine(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        CheckLengths(a.Length, b.Length);
        CheckNoNaN(a, "first vector");
        CheckNoNaN(b, "second vector");
        if (a.Length < 1) return double.NaN;
        CentredSums(a, 0.0, b, 0.0, out double sab, out double saa, out double sbb);
        if (saa == 0 || sbb == 0) return double.NaN;
        return Math.Clamp(sab / (Math.Sqrt(saa) * Math.Sqrt(sbb)), -1.0, 1.0);
    }

    internal static double PearsonUnchecked(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double ma = TensorPrimitives.Sum<double>(a) / a.Length;
        double mb = TensorPrimitives.Sum<double>(b) / b.Length;
        CentredSums(a, ma, b, mb, out double sab, out double saa, out double sbb);
        if (saa == 0 || sbb == 0) return double.NaN;
        return Math.Clamp(sab / (Math.Sqrt(saa) * Math.Sqrt(sbb)), -1.0, 1.0);
    }

    /// <summary>Average ranks of both vectors, the two sorts running in parallel.</summary>
    /// <summary>Average ranks of both vectors (same length checked), or null when fewer than two values (the
    /// rank measures are undefined there; NaN values are still rejected).</summary>
    private static (double[] A, double[] B)? AverageRanksOfPair(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        CheckLengths(a.Length, b.Length);
        if (a.Length < 2) { CheckNoNaN(a, "first vector"); CheckNoNaN(b, "second vector"); return null; }
        return BothAverageRanks(a, b);
    }

    internal static (double[] A, double[] B) BothAverageRanks(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length < 1 << 16) return (Ranks.Average(a), Ranks.Average(b));
        double[]? ra = null, rb = null;
        unsafe
        {
            // The spans stay pinned for the duration of both (joined) tasks.
            fixed (double* pa = a, pb = b)
            {
                nint ia = (nint)pa, ib = (nint)pb;
                int m = a.Length;
                Parallel.Invoke(
                    () => ra = Ranks.Average(new ReadOnlySpan<double>((void*)ia, m)),
                    () => rb = Ranks.Average(new ReadOnlySpan<double>((void*)ib, m)));
            }
        }
        return (ra!, rb!);
    }

    /// <summary>
    /// Σ(a−ma)(b−mb), Σ(a−ma)², Σ(b−mb)² in one vectorised pass; partial sums are accumulated per 4096-element
    /// chunk and then added, which keeps the round-off of m ~ 10⁷ terms near that of pairwise summation.
    /// </summary>
    internal static void CentredSums(ReadOnlySpan<double> a, double ma, ReadOnlySpan<double> b, double mb,
        out double sab, out double saa, out double sbb)
    {
        const int Chunk = 4096;
        double tab = 0, taa = 0, tbb = 0;
        int m = a.Length;
        int w = Vector<double>.Count;
        var vma = new Vector<double>(ma);
        var vmb = new Vector<double>(mb);
        for (int start = 0; start < m; start += Chunk)
        {
            int end = Math.Min(m, start + Chunk);
            var vab = Vector<double>.Zero;
            var vaa = Vector<double>.Zero;
            var vbb = Vector<double>.Zero;
            int k = start;
            for (; k + w <= end; k += w)
            {
                var x = new Vector<double>(a.Slice(k, w)) - vma;
                var y = new Vector<double>(b.Slice(k, w)) - vmb;
                vab += x * y;
                vaa += x * x;
                vbb += y * y;
            }
            double cab = Vector.Sum(vab), caa = Vector.Sum(vaa), cbb = Vector.Sum(vbb);
            for (; k < end; k++)
            {
                double x = a[k] - ma, y = b[k] - mb;
                cab += x * y;
                caa += x * x;
                cbb += y * y;
            }
            tab += cab;
            taa += caa;
            tbb += cbb;
        }
        sab = tab;
        saa = taa;
        sbb = tbb;
    }

    internal static void CheckLengths(int la, int lb)
    {
        if (la != lb)
            throw new SimileException($"the two (dis)similarity vectors have different lengths ({la} and {lb})",
                "compare matrices over the same items (same word list, same order)");
    }

    internal static void CheckNoNaN(ReadOnlySpan<double> v, string what)
    {
        for (int k = 0; k < v.Length; k++)
            if (double.IsNaN(v[k]))
                throw new SimileException($"position {k} of the {what} is NaN",
                    "remove or replace undefined values before comparing (e.g. check the items behind that pair)");
    }
}
