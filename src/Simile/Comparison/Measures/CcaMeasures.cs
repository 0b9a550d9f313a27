using System.Numerics.Tensors;
using Simile.Data;
using Simile.Engine;

namespace Simile.Comparison.Measures;

/// <summary>
/// CCA-family measures: Kornblith's R²_CCA, SVCCA (Raghu et al. 2017, 99 % variance as intended) and PWCCA (Morcos et
/// al. 2018 as in ReSi / google's pwcca.py). Feature-space products only (cost n·d²).
/// </summary>
public static class CcaMeasures
{
    /// <summary>Kornblith notebook cca(): ‖Q_xᵀQ_y‖²_F / min(dX, dY) with Q from the RAW (uncentred) features.</summary>
    public static double MeanSquaredCca(Matrix x, Matrix y)
    {
        var (m, _, _) = DenseAlgebra.BasisCross(x, y);
        return DenseAlgebra.SumSquares(m) / Math.Min(x.Cols, y.Cols);
    }

    /// <summary>ReSi EigenspaceOverlapScore: ‖UᵀV‖²_F / max(dX, dY), U, V bases of the raw column spaces (numpy rank).</summary>
    public static double EigenspaceOverlap(Matrix x, Matrix y)
    {
        var (m, _, _) = DenseAlgebra.BasisCross(x, y);
        return DenseAlgebra.SumSquares(m) / Math.Max(x.Cols, y.Cols);
    }

    /// <summary>
    /// SVCCA: centre columns; keep the fewest principal components whose variance reaches 99 % of each side's total;
    /// mean of the min(kx, ky) canonical correlations between the two PC-score sets.
    /// </summary>
    public static double Svcca(Matrix x, Matrix y, double varianceKept = 0.99)
    {
        var ux = PrincipalBasis(MatrixRows.CentreColumns(x), varianceKept, out int kx, out var sx);
        var uy = PrincipalBasis(MatrixRows.CentreColumns(y), varianceKept, out int ky, out var sy);
        if (kx == 0 || ky == 0) return double.NaN;
        // Ux = Xc·Bx with Bx = V_k diag(1/s): Uxᵀ·Uy = Bxᵀ (XcᵀYc) By
        var xc = MatrixRows.CentreColumns(x); var yc = MatrixRows.CentreColumns(y);
        var xy = DenseAlgebra.Cross(xc, yc);
        var t = DenseAlgebra.Multiply(ux, xy, kx, y.Cols, x.Cols, ta: true);
        var m = DenseAlgebra.Multiply(t, uy, kx, ky, y.Cols);
        var sigma = DenseAlgebra.SingularValues(m, kx, ky);
        return sigma.Average();
    }

    /// <summary>V_k·diag(1/s_k) (d×k) for the top principal components holding <paramref name="fraction"/> of the variance.</summary>
    private static double[] PrincipalBasis(Matrix xc, double fraction, out int k, out double[] s)
    {
        int d = xc.Cols;
        var eig = SymmetricEigen.Decompose(DenseAlgebra.Cross(xc, xc), d);
        var lam = Enumerable.Range(0, d).Select(i => Math.Max(0, eig.Values[d - 1 - i])).ToArray();
        double total = lam.Sum();
        k = 0;
        if (total > 0)
        {
            double cum = 0;
            for (int i = 0; i < d; i++)
            {
                cum += lam[i];
                k = i + 1;
                if (cum / total >= fraction) break;
            }
        }
        s = lam.Take(k).Select(Math.Sqrt).ToArray();
        var b = new double[d * k];
        for (int i = 0; i < d; i++)
            for (int c = 0; c < k; c++) b[i * k + c] = eig.Vectors![i * d + (d - 1 - c)] / s[c];
        return b;
    }

    /// <summary>
    /// PWCCA as ReSi (google pwcca.py, epsilon 0): canonical correlations s and X-side directions u (left singular vectors
    /// of Σxx^(−1/2)ΣxyΣyy^(−1/2)); dirns = uᵀ(X − means)ᵀ + means (the original adds the neuron means back); P = Q of
    /// QR(dirnsᵀ); weights_i = Σ_j |Pᵢᵀ x_j| over raw neurons, normalised; Σ wᵢsᵢ.
    /// Defined when width(X) ≤ width(Y) &lt; n. The signs of u are those of the eigensolver; the peer's are LAPACK gesdd's, and
    /// because the neuron means are added back the weights depend on them (random inputs: ~1e-4 relative; see the registry).
    /// </summary>
    public static double Pwcca(Matrix x, Matrix y)
    {
        int n = x.Rows, dx = x.Cols, dy = y.Cols;
        if (dx > dy)
            throw new MeasureUndefinedException($"pwcca is defined for width(X) ≤ width(Y) (the reference code fails otherwise); got {dx} > {dy}",
                "swap the two matrices (PWCCA is asymmetric)");
        if (n <= dx)
            throw new MeasureUndefinedException($"pwcca needs more items than X has features ({n} ≤ {dx})", "give more items or fewer features");
        if (n <= dy)
            throw new MeasureUndefinedException(
                $"pwcca needs more items than Y has features ({n} ≤ {dy}): Y's covariance is singular and the reference code's matrix square root of its pseudo-inverse fails (LinAlgError)",
                "give more items than features on both sides");
        var means = DenseAlgebra.ColumnMeans(x);
        var xc = MatrixRows.CentreColumns(x); var yc = MatrixRows.CentreColumns(y);
        var ix = InverseSqrt(DenseAlgebra.Cross(xc, xc), dx);
        var iy = InverseSqrt(DenseAlgebra.Cross(yc, yc), dy);
        var xy = DenseAlgebra.Cross(xc, yc);
        var arr = DenseAlgebra.Multiply(DenseAlgebra.Multiply(ix, xy, dx, dy, dx), iy, dx, dy, dy);
        var (s, u) = DenseAlgebra.LeftSvd(arr, dx, dy);
        // dirnsᵀ (n×dx): column i = Xc·u_i + means_i
        var dirT = new double[n * dx];
        Gemm.Multiply(xc.Values, u, dirT, n, dx, dx);
        for (int t = 0; t < n; t++)
            for (int i = 0; i < dx; i++) dirT[t * dx + i] += means[i];
        var p = ThinQ(dirT, n, dx);
        var px = DenseAlgebra.Multiply(p, x.Values, dx, dx, n, ta: true); // Pᵀ X (dx×dx), row i = direction i
        var w = new double[dx];
        for (int i = 0; i < dx; i++)
            for (int j = 0; j < dx; j++) w[i] += Math.Abs(px[i * dx + j]);
        double ws = w.Sum(), result = 0;
        for (int i = 0; i < dx; i++) result += w[i] / ws * s[i];
        return result;
    }

    /// <summary>Orthonormal columns spanning the leading columns of a (n×d), in order (modified Gram–Schmidt, twice).</summary>
    internal static double[] ThinQ(double[] a, int n, int d)
    {
        var cols = new double[d][];
        for (int j = 0; j < d; j++)
        {
            var c = new double[n];
            for (int t = 0; t < n; t++) c[t] = a[t * d + j];
            for (int pass = 0; pass < 2; pass++)
                for (int i = 0; i < j; i++)
                {
                    double f = TensorPrimitives.Dot<double>(cols[i], c);
                    TensorPrimitives.MultiplyAdd(cols[i], -f, c, c);
                }
            double norm = Math.Sqrt(TensorPrimitives.Dot<double>(c, c));
            if (norm > 0) TensorPrimitives.Divide(c, norm, c);
            cols[j] = c;
        }
        var q = new double[n * d];
        for (int j = 0; j < d; j++)
            for (int t = 0; t < n; t++) q[t * d + j] = cols[j][t];
        return q;
    }

    /// <summary>S^(−1/2) of a symmetric PSD matrix (pseudo-inverse on its numerical range).</summary>
    internal static double[] InverseSqrt(double[] s, int d)
    {
        var (v, lam, r) = DenseAlgebra.Range(s, d, d);
        var vs = new double[d * r];
        for (int i = 0; i < d; i++)
            for (int c = 0; c < r; c++) vs[i * r + c] = v[i * r + c] / Math.Sqrt(lam[c]);
        return DenseAlgebra.Multiply(vs, v, d, d, r, tb: true);
    }
}
