using Simile.Data;

namespace Simile.Tests;

/// <summary>
/// Independent oracles for tests: textbook loops written here, sharing no code with src/. Slow and plain on purpose.
/// </summary>
internal static class NaiveReference
{
    /// <summary>Cosine similarity of every row pair (i &lt; j), row-major upper triangle (scipy pdist order).</summary>
    public static double[] CosineSimilarityUpper(Matrix x)
    {
        var s = new List<double>();
        for (int i = 0; i < x.Rows; i++)
            for (int j = i + 1; j < x.Rows; j++)
            {
                double dot = 0, ni = 0, nj = 0;
                for (int k = 0; k < x.Cols; k++) { dot += x[i, k] * x[j, k]; ni += x[i, k] * x[i, k]; nj += x[j, k] * x[j, k]; }
                s.Add(dot / Math.Sqrt(ni * nj));
            }
        return s.ToArray();
    }

    /// <summary>
    /// scipy <c>pdist(X, 'cosine')</c> as its C code computes it: 1 − clip(xᵢ·xⱼ / (√(xᵢ·xᵢ)·√(xⱼ·xⱼ)), −1, 1),
    /// sequential sums. With integer features every sum is exact, so any correct implementation of this formula gives
    /// these values bit for bit.
    /// </summary>
    public static double[] ScipyCosineDistance(Matrix x)
    {
        var norms = new double[x.Rows];
        for (int i = 0; i < x.Rows; i++)
        {
            double q = 0;
            for (int k = 0; k < x.Cols; k++) q += x[i, k] * x[i, k];
            norms[i] = Math.Sqrt(q);
        }
        var d = new List<double>();
        for (int i = 0; i < x.Rows; i++)
            for (int j = i + 1; j < x.Rows; j++)
            {
                double dot = 0;
                for (int k = 0; k < x.Cols; k++) dot += x[i, k] * x[j, k];
                double c = dot / (norms[i] * norms[j]);
                if (Math.Abs(c) > 1) c = Math.CopySign(1.0, c);
                d.Add(1.0 - c);
            }
        return d.ToArray();
    }

    /// <summary>Kendall's tau-b from its definition over all pairs of positions (O(m²)): (C − D)/√((P − Tx)(P − Ty)).</summary>
    public static double KendallTauB(double[] a, double[] b)
    {
        long concordant = 0, discordant = 0, tiesA = 0, tiesB = 0, pairs = 0;
        for (int i = 0; i < a.Length; i++)
            for (int j = i + 1; j < a.Length; j++)
            {
                pairs++;
                int sa = Math.Sign(a[i] - a[j]), sb = Math.Sign(b[i] - b[j]);
                if (sa == 0) tiesA++;
                if (sb == 0) tiesB++;
                if (sa != 0 && sb != 0) { if (sa == sb) concordant++; else discordant++; }
            }
        return (concordant - discordant) / Math.Sqrt((double)(pairs - tiesA) * (pairs - tiesB));
    }

    /// <summary>Pearson r from its definition: means by a sequential sum, then the centred sums (the one Pearson oracle of the tests).</summary>
    public static double Pearson(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double ma = 0, mb = 0;
        for (int i = 0; i < a.Length; i++) { ma += a[i]; mb += b[i]; }
        ma /= a.Length; mb /= b.Length;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Length; i++) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) * (a[i] - ma); sbb += (b[i] - mb) * (b[i] - mb); }
        return sab / Math.Sqrt(saa * sbb);
    }

    /// <summary>Kendall's tau-a from its definition over all pairs of positions (O(m²)): (C − D)/P.</summary>
    public static double TauA(double[] a, double[] b)
    {
        long concordant = 0, discordant = 0, pairs = 0;
        for (int i = 0; i < a.Length; i++)
            for (int j = i + 1; j < a.Length; j++)
            {
                pairs++;
                int sign = Math.Sign(a[i] - a[j]) * Math.Sign(b[i] - b[j]);
                if (sign > 0) concordant++;
                else if (sign < 0) discordant++;
            }
        return (concordant - discordant) / (double)pairs;
    }

    /// <summary>Average ranks (1-based; tied values share the mean of their ranks), by counting (O(m²)).</summary>
    public static double[] AverageRanks(double[] v)
    {
        var r = new double[v.Length];
        for (int i = 0; i < v.Length; i++)
        {
            int below = 0, equal = 0;
            foreach (double w in v) { if (w < v[i]) below++; else if (w == v[i]) equal++; }
            r[i] = below + (equal + 1) / 2.0;
        }
        return r;
    }

    /// <summary>Spearman's rho: Pearson of the average ranks.</summary>
    public static double Spearman(double[] a, double[] b) => Pearson(AverageRanks(a), AverageRanks(b));

    /// <summary>rsatoolbox's rho-a: 12·Σ (rank_a − mean)(rank_b − mean) / (m³ − m), average ranks.</summary>
    public static double RhoA(double[] a, double[] b)
    {
        var ra = AverageRanks(a);
        var rb = AverageRanks(b);
        double m = a.Length, mean = (m + 1) / 2, s = 0;
        for (int i = 0; i < a.Length; i++) s += (ra[i] - mean) * (rb[i] - mean);
        return 12 * s / (m * m * m - m);
    }

    /// <summary>Uncentred cosine of two vectors.</summary>
    public static double Cosine(double[] a, double[] b)
    {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
        return ab / Math.Sqrt(aa * bb);
    }

    /// <summary>The RSA measure <paramref name="measure"/> of two condensed vectors, each from its definition above.</summary>
    public static double Rsa(Simile.Comparison.RsaMeasure measure, double[] a, double[] b) => measure switch
    {
        Simile.Comparison.RsaMeasure.Pearson => Pearson(a, b),
        Simile.Comparison.RsaMeasure.Spearman => Spearman(a, b),
        Simile.Comparison.RsaMeasure.KendallTauB => KendallTauB(a, b),
        Simile.Comparison.RsaMeasure.TauA => TauA(a, b),
        Simile.Comparison.RsaMeasure.RhoA => RhoA(a, b),
        Simile.Comparison.RsaMeasure.Cosine => Cosine(a, b),
        _ => throw new ArgumentOutOfRangeException(nameof(measure)),
    };

    /// <summary>Ranks 1..n of distinct values: the rank of v is 1 + the number of values below it (O(n²)).</summary>
    public static double[] RanksOfDistinct(double[] v)
    {
        var r = new double[v.Length];
        for (int i = 0; i < v.Length; i++) { int below = 0; foreach (double w in v) if (w < v[i]) below++; r[i] = below + 1; }
        return r;
    }

    /// <summary>Cosine similarity of two vectors, sequential sums.</summary>
    public static double Cosine(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double dot = 0, nx = 0, ny = 0;
        for (int k = 0; k < x.Length; k++) { dot += x[k] * y[k]; nx += x[k] * x[k]; ny += y[k] * y[k]; }
        return dot / Math.Sqrt(nx * ny);
    }

    /// <summary>Spearman's closed form for data without ties: 1 − 6 Σ d² / (n (n² − 1)).</summary>
    public static double SpearmanWithoutTies(double[] a, double[] b)
    {
        double[] ra = RanksOfDistinct(a), rb = RanksOfDistinct(b);
        double d2 = 0;
        for (int i = 0; i < a.Length; i++) d2 += (ra[i] - rb[i]) * (ra[i] - rb[i]);
        double n = a.Length;
        return 1 - 6 * d2 / (n * (n * n - 1));
    }

    /// <summary>numpy.percentile's default ('linear') method, q in percent, on unsorted values.</summary>
    public static double NumpyPercentile(IEnumerable<double> values, double q)
    {
        var s = values.ToArray();
        Array.Sort(s);
        double h = (s.Length - 1) * q / 100.0;
        int lo = (int)Math.Floor(h);
        return lo + 1 < s.Length ? s[lo] + (h - lo) * (s[lo + 1] - s[lo]) : s[lo];
    }

    /// <summary>Eigenvalues of a symmetric matrix by the cyclic Jacobi rotation method (Golub &amp; Van Loan 8.5).</summary>
    public static double[] JacobiEigenvalues(double[,] a0)
    {
        int n = a0.GetLength(0);
        var a = (double[,])a0.Clone();
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (int p = 0; p < n; p++) for (int q = p + 1; q < n; q++) off += a[p, q] * a[p, q];
            if (off < 1e-30) break;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                {
                    if (a[p, q] == 0) continue;
                    double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k, p], akq = a[k, q];
                        a[k, p] = c * akp - s * akq; a[k, q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[p, k], aqk = a[q, k];
                        a[p, k] = c * apk - s * aqk; a[q, k] = s * apk + c * aqk;
                    }
                }
        }
        return Enumerable.Range(0, n).Select(i => a[i, i]).ToArray();
    }

    /// <summary>Nuclear norm of XcᵀYc (columns centred): the sum of the square roots of the eigenvalues of MᵀM.</summary>
    public static double ProcrustesNuclearNorm(Matrix x, Matrix y)
    {
        int n = x.Rows;
        double[,] xc = Centred(x), yc = Centred(y);
        var m = new double[x.Cols, y.Cols];
        for (int i = 0; i < x.Cols; i++) for (int j = 0; j < y.Cols; j++) for (int k = 0; k < n; k++) m[i, j] += xc[k, i] * yc[k, j];
        var mtm = new double[y.Cols, y.Cols];
        for (int i = 0; i < y.Cols; i++) for (int j = 0; j < y.Cols; j++) for (int k = 0; k < x.Cols; k++) mtm[i, j] += m[k, i] * m[k, j];
        // MᵀM has rank ≤ min(n − 1, dx, dy); its zero eigenvalues come out as round-off of size ~1e-16·max, whose square
        // roots would add ~1e-8·√max each, so eigenvalues below 1e-12·max are exact zeros.
        var e = JacobiEigenvalues(mtm);
        double max = e.Max();
        return e.Where(v => v > 1e-12 * max).Sum(Math.Sqrt);
    }

    private static double[,] Centred(Matrix x)
    {
        var c = new double[x.Rows, x.Cols];
        for (int j = 0; j < x.Cols; j++)
        {
            double mean = 0;
            for (int i = 0; i < x.Rows; i++) mean += x[i, j];
            mean /= x.Rows;
            for (int i = 0; i < x.Rows; i++) c[i, j] = x[i, j] - mean;
        }
        return c;
    }
}
