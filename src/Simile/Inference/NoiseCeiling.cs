using Simile.Comparison;

namespace Simile.Inference;

/// <summary>Lower and upper bound of the noise ceiling.</summary>
public sealed record NoiseCeilingBounds(double Lower, double Upper);

/// <summary>
/// The noise ceiling of k ≥ 2 subject RDMs as rsatoolbox's <c>boot_noise_ceiling</c> computes it (leave one subject out):
/// upper = mean over subjects i of compare(pool(all subjects), subject i), lower = mean over i of
/// compare(pool(all but i), subject i), with pool as rsatoolbox's <c>pool_rdm</c> for the measure:
/// <list type="bullet">
/// <item>Pearson ('corr'): each subject's vector centred and divided by its standard deviation (ddof 0), averaged over
///   subjects, then the minimum subtracted;</item>
/// <item>rank measures (Spearman, rho-a, tau-a, tau-b): each subject's average ranks (scipy <c>rankdata</c>), averaged;
///   the comparison ranks that average again;</item>
/// <item>cosine: each vector divided by its root mean square, averaged.</item>
/// </list>
/// </summary>
public static class NoiseCeiling
{
    /// <summary>The bounds for <paramref name="subjects"/> (equal-length condensed vectors); null for fewer than 2 subjects.</summary>
    public static NoiseCeilingBounds? Compute(IReadOnlyList<double[]> subjects, RsaMeasure measure)
    {
        int k = subjects.Count;
        if (k < 2) return null;
        int m = subjects[0].Length;
        foreach (var s in subjects)
            if (s.Length != m) throw new ArgumentException("every subject needs the same number of pairs");
        var prepared = subjects.Select(s => Prepare(s, measure)).ToArray();
        var all = Mean(prepared, skip: -1, measure);
        double lower = 0, upper = 0;
        for (int i = 0; i < k; i++)
        {
            upper += RsaMeasures.Compute(measure, all, subjects[i]);
            lower += RsaMeasures.Compute(measure, Mean(prepared, skip: i, measure), subjects[i]);
        }
        return new NoiseCeilingBounds(lower / k, upper / k);
    }

    /// <summary>rsatoolbox's <c>pool_rdm</c> of the given subjects for <paramref name="measure"/>.</summary>
    public static double[] Pool(IReadOnlyList<double[]> subjects, RsaMeasure measure) =>
        Mean(subjects.Select(s => Prepare(s, measure)).ToArray(), skip: -1, measure);

    /// <summary>One subject's vector as pool_rdm transforms it before averaging.</summary>
    private static double[] Prepare(double[] v, RsaMeasure measure)
    {
        switch (measure)
        {
            case RsaMeasure.Pearson:
            {
                double mean = v.Average();
                var c = v.Select(x => x - mean).ToArray();
                double sd = Math.Sqrt(c.Sum(x => x * x) / c.Length);
                return c.Select(x => x / sd).ToArray();
            }
            case RsaMeasure.Cosine:
            {
                double rms = Math.Sqrt(v.Sum(x => x * x) / v.Length);
                return v.Select(x => x / rms).ToArray();
            }
            default:
                return Ranks.Average(v);
        }
    }

    private static double[] Mean(double[][] prepared, int skip, RsaMeasure measure)
    {
        int m = prepared[0].Length, count = 0;
        var sum = new double[m];
        for (int s = 0; s < prepared.Length; s++)
        {
            if (s == skip) continue;
            count++;
            for (int p = 0; p < m; p++) sum[p] += prepared[s][p];
        }
        for (int p = 0; p < m; p++) sum[p] /= count;
        if (measure == RsaMeasure.Pearson)
        {
            double min = sum.Min();
            for (int p = 0; p < m; p++) sum[p] -= min;
        }
        return sum;
    }
}
