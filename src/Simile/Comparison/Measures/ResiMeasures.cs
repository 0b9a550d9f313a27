using System.Numerics.Tensors;
using Simile.Data;
using Simile.Engine;

namespace Simile.Comparison.Measures;

/// <summary>
/// Measures of the ReSi benchmark (Klabunde et al. 2024, mklabunde/resi repsim.measures) and Kornblith's RBF CKA,
/// each as its reference code computes it (see the registry for the reference and divergences).
/// </summary>
public static class ResiMeasures
{
    /// <summary>Largest n for the measures that hold n×n matrices (two at 8,000 items: 1 GB).</summary>
    public const int QuadraticLimit = 8000;

    internal static void CheckQuadratic(int n, string measure)
    {
        if (n > QuadraticLimit)
            throw new SimileException(
                $"{measure} needs n×n matrices and is limited to {QuadraticLimit:N0} items (got {n:N0}; two {n:N0}² float64 matrices would need {2.0 * n * n * 8 / 1e9:0.#} GB)",
                $"use a sample of at most {QuadraticLimit:N0} items, or a measure that scales (mutual_knn, cknna, cka, cca_r2, svcca, shape_metric, ...; see 'simile measures')");
    }

    /// <summary>Euclidean distances as sklearn's euclidean_distances(X): −2XXᵀ + ‖xᵢ‖² + ‖xⱼ‖², clipped at 0, diagonal 0, square root.</summary>
    internal static double[] Distances(Matrix x)
    {
        int n = x.Rows;
        var g = Cka.Gram(x);
        var sq = new double[n];
        for (int i = 0; i < n; i++) sq[i] = g[(long)i * n + i];
        Parallel.For(0, n, i =>
        {
            for (int j = 0; j < n; j++)
            {
                long e = (long)i * n + j;
                g[e] = i == j ? 0 : Math.Sqrt(Math.Max(0, -2 * g[e] + sq[i] + sq[j]));
            }
        });
        return g;
    }

    /// <summary>ReSi RSMNormDifference: spectral norm (largest |eigenvalue|) of D_X − D_Y (Euclidean distance matrices).</summary>
    public static double RsmNormDifference(Matrix x, Matrix y)
    {
        int n = x.Rows;
        CheckQuadratic(n, "rsm_norm_difference");
        var dx = Distances(x);
        var dy = Distances(y);
        TensorPrimitives.Subtract<double>(dx, dy, dx);
        dy = null;
        return SpectralNormSymmetric(dx, n);
    }

    /// <summary>max |λ| of a symmetric n×n matrix: dense eigenvalues for n ≤ 600, Lanczos (full reorthogonalisation) above.</summary>
    internal static double SpectralNormSymmetric(double[] a, int n)
    {
        if (n <= 600)
        {
            var ev = SymmetricEigen.EigenvaluesOnly(a, n);
            return Math.Max(Math.Abs(ev[0]), Math.Abs(ev[n - 1]));
        }
        int maxSteps = Math.Min(n, 400);
        var q = new List<double[]>();
        var alpha = new List<double>();
        var beta = new List<double>();
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = 1.0 + 0.5 * Math.Sin(0.7 * i + 0.3); // deterministic start
        TensorPrimitives.Divide(v, Math.Sqrt(TensorPrimitives.Dot<double>(v, v)), v);
        double previous = double.NaN;
        var w = new double[n];
        for (int step = 0; step < maxSteps; step++)
        {
            q.Add((double[])v.Clone());
            Gemm.Multiply(a, v, w, n, 1, n);
            double al = TensorPrimitives.Dot<double>(w, v);
            alpha.Add(al);
            foreach (var qi in q) // full reorthogonalisation (twice is enough)
            {
                double f = TensorPrimitives.Dot<double>(qi, w);
                TensorPrimitives.MultiplyAdd(qi, -f, w, w);
            }
            foreach (var qi in q)
            {
                double f = TensorPrimitives.Dot<double>(qi, w);
                TensorPrimitives.MultiplyAdd(qi, -f, w, w);
            }
            double b = Math.Sqrt(TensorPrimitives.Dot<double>(w, w));
            if ((step + 1) % 10 == 0 || b < 1e-14 || step == maxSteps - 1)
            {
                int m = alpha.Count;
                var t = new double[m * m];
                for (int i = 0; i < m; i++)
                {
                    t[i * m + i] = alpha[i];
                    if (i + 1 < m) { t[i * m + i + 1] = beta[i]; t[(i + 1) * m + i] = beta[i]; }
                }
                var ev = SymmetricEigen.EigenvaluesOnly(t, m);
                double est = Math.Max(Math.Abs(ev[0]), Math.Abs(ev[m - 1]));
                if (b < 1e-14 || Math.Abs(est - previous) <= 1e-15 * est) return est;
                previous = est;
            }
            beta.Add(b);
            TensorPrimitives.Divide(w, b, v);
        }
        return previous;
    }

    /// <summary>ReSi DistanceCorrelation: sqrt(dCov²(X,Y)/sqrt(dCov²(X,X)·dCov²(Y,Y))), double-centred Euclidean distances (V-statistic).</summary>
    public static double DistanceCorrelation(Matrix x, Matrix y)
    {
        int n = x.Rows;
        CheckQuadratic(n, "distance_correlation");
        var a = DoubleCentre(Distances(x), n);
        var b = DoubleCentre(Distances(y), n);
        double xy = TensorPrimitives.Dot<double>(a, b) / ((double)n * n);
        double xx = TensorPrimitives.Dot<double>(a, a) / ((double)n * n);
        double yy = TensorPrimitives.Dot<double>(b, b) / ((double)n * n);
        return Math.Sqrt(xy / Math.Sqrt(xx * yy));
    }

    private static double[] DoubleCentre(double[] d, int n)
    {
        var row = new double[n];
        for (int i = 0; i < n; i++) row[i] = TensorPrimitives.Sum<double>(d.AsSpan(i * n, n)) / n;
        double grand = row.Sum() / n;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) d[(long)i * n + j] += grand - row[i] - row[j];
        return d;
    }

    /// <summary>
    /// Kornblith RBF CKA: K = exp(−d²/(2·threshold²·median(d²))) with the median over all n² squared distances
    /// (diagonal included), then biased (centred Gram) or debiased (U-centred Gram) CKA as the cosine of the centred Grams.
    /// </summary>
    public static double CkaRbf(Matrix x, Matrix y, double threshold, bool debiased)
    {
        int n = x.Rows;
        string name = debiased ? "cka_rbf_debiased" : "cka_rbf";
        CheckQuadratic(n, name);
        if (!(threshold > 0))
            throw new SimileException($"{name}: --rbf-threshold is {threshold}", "give a positive bandwidth factor (default 0.5)");
        if (debiased && n < 4)
            throw new SimileException($"{name} needs at least 4 items", "give at least 4 items");
        var k = RbfGram(x, threshold);
        CentreGram(k, n, debiased);
        var l = RbfGram(y, threshold);
        CentreGram(l, n, debiased);
        double kl = TensorPrimitives.Dot<double>(k, l);
        double kk = TensorPrimitives.Dot<double>(k, k);
        double ll = TensorPrimitives.Dot<double>(l, l);
        return kl / (Math.Sqrt(kk) * Math.Sqrt(ll));
    }

    private static double[] RbfGram(Matrix x, double threshold)
    {
        int n = x.Rows;
        var g = Cka.Gram(x);
        var sq = new double[n];
        for (int i = 0; i < n; i++) sq[i] = g[(long)i * n + i];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                long e = (long)i * n + j;
                g[e] = -2 * g[e] + sq[i] + sq[j];
            }
        double median = WeightedMedian(g, n);
        double scale = -1.0 / (2.0 * threshold * threshold * median);
        TensorPrimitives.Multiply<double>(g, scale, g);
        TensorPrimitives.Exp<double>(g, g);
        return g;
    }

    /// <summary>np.median of the n² entries of the symmetric matrix g, from its diagonal and upper triangle.</summary>
    private static double WeightedMedian(double[] g, int n)
    {
        long m = (long)n * (n - 1) / 2;
        var values = new double[n + m];
        var weight = new byte[n + m];
        long t = 0;
        for (int i = 0; i < n; i++) { values[t] = g[(long)i * n + i]; weight[t++] = 1; }
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) { values[t] = g[(long)i * n + j]; weight[t++] = 2; }
        Array.Sort(values, weight);
        long total = (long)n * n;
        double At(long rank) // 0-based rank among the n² values
        {
            long seen = 0;
            for (long e = 0; e < values.LongLength; e++)
            {
                seen += weight[e];
                if (rank < seen) return values[e];
            }
            return values[^1];
        }
        return total % 2 == 1 ? At(total / 2) : 0.5 * (At(total / 2 - 1) + At(total / 2));
    }

    /// <summary>Kornblith center_gram: biased double centring, or the U-centring of Székely &amp; Rizzo (2014).</summary>
    private static void CentreGram(double[] g, int n, bool unbiased)
    {
        if (!unbiased)
        {
            var means = new double[n];
            for (int i = 0; i < n; i++) means[i] = TensorPrimitives.Sum<double>(g.AsSpan(i * n, n)) / n; // symmetric: row = column means
            double grand = means.Sum() / n;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) g[(long)i * n + j] += grand - means[i] - means[j];
            return;
        }
        for (int i = 0; i < n; i++) g[(long)i * n + i] = 0;
        var mu = new double[n];
        for (int i = 0; i < n; i++) mu[i] = TensorPrimitives.Sum<double>(g.AsSpan(i * n, n)) / (n - 2);
        double shift = mu.Sum() / (2.0 * (n - 1));
        for (int i = 0; i < n; i++) mu[i] -= shift;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) g[(long)i * n + j] -= mu[i] + mu[j];
        for (int i = 0; i < n; i++) g[(long)i * n + i] = 0;
    }

    /// <summary>ReSi AlignedCosineSimilarity: mean cosine between the rows of X·R and Y, R the orthogonal Procrustes rotation (no centring).</summary>
    public static double AlignedCosine(Matrix x, Matrix y)
    {
        int dx = x.Cols, dy = y.Cols;
        // R = polar factor of M = XᵀY (dx×dy, zero-padding implicit): W = M (MᵀM)^(−1/2) on M's range.
        var m = DenseAlgebra.Cross(x, y);
        var mtm = DenseAlgebra.Multiply(m, m, dy, dy, dx, ta: true);
        var inv = CcaMeasures.InverseSqrt(mtm, dy);
        var w = DenseAlgebra.Multiply(m, inv, dx, dy, dy);
        var xw = new double[x.Rows * dy];
        Gemm.Multiply(x.Values, w, xw, x.Rows, dy, dx);
        double sum = 0; int used = 0;
        for (int i = 0; i < x.Rows; i++)
        {
            double nx = Math.Sqrt(TensorPrimitives.Dot(x.RowReadOnly(i), x.RowReadOnly(i)));
            double ny = Math.Sqrt(TensorPrimitives.Dot(y.RowReadOnly(i), y.RowReadOnly(i)));
            if (nx == 0 || ny == 0) continue;
            sum += TensorPrimitives.Dot(xw.AsSpan(i * dy, dy), y.RowReadOnly(i)) / (nx * ny);
            used++;
        }
        return used == 0 ? double.NaN : sum / used;
    }

    /// <summary>dX×dY Pearson correlations between the features of X and of Y (centred columns).</summary>
    private static double[] FeatureCorrelations(Matrix x, Matrix y, string measure)
    {
        var xc = MatrixRows.CentreColumns(x); var yc = MatrixRows.CentreColumns(y);
        var c = DenseAlgebra.Cross(xc, yc);
        var nx = ColumnNorms(xc, measure, "first"); var ny = ColumnNorms(yc, measure, "second");
        for (int i = 0; i < x.Cols; i++)
            for (int j = 0; j < y.Cols; j++) c[i * y.Cols + j] /= nx[i] * ny[j];
        return c;
    }

    private static double[] ColumnNorms(Matrix xc, string measure, string which)
    {
        var s = new double[xc.Cols];
        for (int i = 0; i < xc.Rows; i++)
        {
            var r = xc.RowReadOnly(i);
            for (int j = 0; j < xc.Cols; j++) s[j] += r[j] * r[j];
        }
        // A constant feature (zero after centring) gets correlation 0 with every feature, as in the peer (1 − sklearn's
        // cosine distance, whose normalisation leaves a zero vector at zero).
        for (int j = 0; j < s.Length; j++) s[j] = s[j] == 0 ? double.PositiveInfinity : Math.Sqrt(s[j]);
        return s;
    }

    /// <summary>ReSi HardCorrelationMatch: mean correlation over the best one-to-one matching of features.</summary>
    public static double HardCorrelationMatch(Matrix x, Matrix y)
    {
        var c = FeatureCorrelations(x, y, "hard_correlation_match");
        return Assignment.MaximumSum(c, x.Cols, y.Cols) / Math.Min(x.Cols, y.Cols);
    }

    /// <summary>ReSi SoftCorrelationMatch: (mean over X features of the best Y correlation + the same the other way) / 2.</summary>
    public static double SoftCorrelationMatch(Matrix x, Matrix y)
    {
        int p = x.Cols, q = y.Cols;
        var c = FeatureCorrelations(x, y, "soft_correlation_match");
        double a = 0, b = 0;
        for (int i = 0; i < p; i++) { double mx = double.NegativeInfinity; for (int j = 0; j < q; j++) mx = Math.Max(mx, c[i * q + j]); a += mx; }
        for (int j = 0; j < q; j++) { double mx = double.NegativeInfinity; for (int i = 0; i < p; i++) mx = Math.Max(mx, c[i * q + j]); b += mx; }
        return (a / p + b / q) / 2;
    }

    /// <summary>ReSi LinearRegression: R² of the least-squares prediction of the (centred) FIRST matrix from the SECOND.</summary>
    public static double LinearRegression(Matrix x, Matrix y)
    {
        var xc = MatrixRows.CentreColumns(x); var yc = MatrixRows.CentreColumns(y);
        var (by, ry) = DenseAlgebra.ColumnSpaceBasis(yc);   // dy×ry, Yc·By orthonormal
        var yx = DenseAlgebra.Cross(yc, xc);                 // dy×dx
        var qx = DenseAlgebra.Multiply(by, yx, ry, x.Cols, y.Cols, ta: true);
        double total = DenseAlgebra.SquaredNorm(xc.Values);
        return total == 0 ? double.NaN : DenseAlgebra.SumSquares(qx) / total;
    }

    /// <summary>ReSi MagnitudeDifference: |‖mean row of X‖ − ‖mean row of Y‖|.</summary>
    public static double MagnitudeDifference(Matrix x, Matrix y)
    {
        var mx = DenseAlgebra.ColumnMeans(x); var my = DenseAlgebra.ColumnMeans(y);
        return Math.Abs(Math.Sqrt(TensorPrimitives.Dot<double>(mx, mx)) - Math.Sqrt(TensorPrimitives.Dot<double>(my, my)));
    }

    /// <summary>ReSi ConcentricityDifference: |mean_i cos(xᵢ, mean row) − the same for Y|.</summary>
    public static double ConcentricityDifference(Matrix x, Matrix y) => Math.Abs(Concentricity(x) - Concentricity(y));

    private static double Concentricity(Matrix x)
    {
        var mean = DenseAlgebra.ColumnMeans(x);
        double nm = Math.Sqrt(TensorPrimitives.Dot<double>(mean, mean));
        double sum = 0;
        for (int i = 0; i < x.Rows; i++)
        {
            var r = x.RowReadOnly(i);
            double nr = Math.Sqrt(TensorPrimitives.Dot(r, r));
            // sklearn's cosine leaves an all-zero row (or mean) at zero: cosine 0, not NaN
            if (nr > 0 && nm > 0) sum += TensorPrimitives.Dot<double>(r, mean) / (nr * nm);
        }
        return sum / x.Rows;
    }

    /// <summary>
    /// ReSi UniformityDifference: |U(X) − U(Y)|, U = log(Σ_{i,j} exp(−2‖xᵢ − xⱼ‖²)/n²) on the raw rows. Streams blocks of
    /// squared distances through the GEMM (no n×n matrix), cost n²·d.
    /// </summary>
    public static double UniformityDifference(Matrix x, Matrix y) => Math.Abs(Uniformity(x) - Uniformity(y));

    internal static double Uniformity(Matrix x)
    {
        int n = x.Rows, d = x.Cols;
        var sq = new double[n];
        for (int i = 0; i < n; i++) sq[i] = TensorPrimitives.Dot(x.RowReadOnly(i), x.RowReadOnly(i));
        int block = (int)Math.Clamp(NearestNeighbours.BlockBytes / 8 / Math.Max(1, n), 1, n);
        var s = new double[(long)block * n];
        var partial = new double[n];
        for (int r0 = 0; r0 < n; r0 += block)
        {
            int rows = Math.Min(block, n - r0);
            Gemm.Multiply(x.Values.AsSpan(r0 * d, rows * d), d, x.Values, d, s, n, rows, n, d, transposeB: true);
            Parallel.For(0, rows, r =>
            {
                int i = r0 + r;
                double acc = 0;
                for (int j = 0; j < n; j++)
                {
                    double dist = i == j ? 0 : Math.Max(0, sq[i] + sq[j] - 2 * s[(long)r * n + j]);
                    acc += Math.Exp(-2 * dist);
                }
                partial[i] = acc;
            });
        }
        return Math.Log(partial.Sum() / ((double)n * n));
    }

    /// <summary>
    /// ReSi Gulp (λ = 0): A = Xᵀ centred per feature and scaled to ‖A‖_F = √n (B likewise); eigenpairs of AAᵀ/n with
    /// inverses of the strictly positive eigenvalues; T1 + T2 − 2·T3 (a squared distance). Needs width ≤ n on both sides.
    /// </summary>
    public static double Gulp(Matrix x, Matrix y)
    {
        int n = x.Rows;
        if (x.Cols > n || y.Cols > n)
            throw new MeasureUndefinedException($"gulp needs at most as many features as items (got {x.Cols} and {y.Cols} features for {n} items)",
                "give more items than features");
        var a = Scaled(x); var b = Scaled(y);
        var (va, ea) = Eigen(a, n); var (vb, eb) = Eigen(b, n);
        int dx = x.Cols, dy = y.Cols;
        // The peer inverts every eigenvalue > 0. An eigenvalue that is exactly 0 in exact arithmetic (a constant or
        // duplicated feature) comes out of an eigensolver as ±rounding, and inverting a +1e-17 counts a whole extra rank (the value jumps
        // by 1; numpy/LAPACK does so on some inputs and not on others). Eigenvalues at the
        // rounding level of the Gram matrix (≤ λ_max·max(n, d)·ε) are therefore treated as 0.
        double tolA = ea.Max() * Math.Max(n, x.Cols) * 2.220446049250313e-16;
        double tolB = eb.Max() * Math.Max(n, y.Cols) * 2.220446049250313e-16;
        var invA = ea.Select(e => e > tolA ? 1 / e : 0).ToArray();
        var invB = eb.Select(e => e > tolB ? 1 / e : 0).ToArray();
        double t1 = 0, t2 = 0;
        for (int i = 0; i < dx; i++) t1 += (ea[i] * invA[i]) * (ea[i] * invA[i]);
        for (int i = 0; i < dy; i++) t2 += (eb[i] * invB[i]) * (eb[i] * invB[i]);
        var c = DenseAlgebra.Cross(a, b);                       // AᵀB in item-major storage = (X-side)ᵀ(Y-side): dx×dy
        for (int e = 0; e < c.Length; e++) c[e] /= n;
        // G = Vaᵀ C Vb (dx×dy); T3 = Σ_ij invA_i · G_ij² · invB_j
        var g = DenseAlgebra.Multiply(DenseAlgebra.Multiply(va, c, dx, dy, dx, ta: true), vb, dx, dy, dy);
        double t3 = 0;
        for (int i = 0; i < dx; i++)
            for (int j = 0; j < dy; j++) t3 += invA[i] * g[i * dy + j] * g[i * dy + j] * invB[j];
        return t1 + t2 - 2 * t3;
    }

    private static Matrix Scaled(Matrix x)
    {
        var c = MatrixRows.CentreColumns(x);
        double norm = Math.Sqrt(DenseAlgebra.SquaredNorm(c.Values));
        if (norm > 0) TensorPrimitives.Multiply<double>(c.Values, Math.Sqrt(x.Rows) / norm, c.Values);
        return c;
    }

    private static (double[] Vectors, double[] Values) Eigen(Matrix a, int n)
    {
        var eig = SymmetricEigen.Decompose(DenseAlgebra.Cross(a, a), a.Cols);
        return (eig.Vectors!, eig.Values.Select(e => Math.Max(e, 0) / n).ToArray());
    }
}
