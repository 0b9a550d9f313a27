using System.Numerics.Tensors;
using Simile.Data;
using Simile.Engine;

namespace Simile.Comparison;

/// <summary>
/// Procrustes shape distances (netrep LinearMetric alpha=1): centre columns, zero-pad the narrower matrix, align with
/// the best orthogonal transform. Both come from the nuclear norm ‖XcᵀYc‖_* (zero-padding does not change it, so it is
/// implicit). It is computed on the smallest square form, size r = min(n, dx, dy):
/// when a feature width is smallest, from M = XcᵀYc directly; when n is smallest, from M = Rx·Ryᵀ (n×n) where
/// Xcᵀ = Qx·Rx and Ycᵀ = Qy·Ry are Householder QR factorisations (‖XcᵀYc‖_* = ‖Rx·Ryᵀ‖_*). Then, for M (p×q, p ≤ q),
/// the eigenvectors uₖ of the p×p form M·Mᵀ give the singular values σₖ = ‖Mᵀuₖ‖ (accurate even for small σₖ, unlike √λₖ).
/// </summary>
public static class Procrustes
{
    /// <summary>arccos(‖XcᵀYc‖_* / (‖Xc‖_F ‖Yc‖_F)) in radians, in [0, π/2]. NaN when a matrix has no variance.</summary>
    public static double AngularDistance(Matrix x, Matrix y)
    {
        var (nuclear, nx, ny) = NuclearNormAndNorms(x, y, "Procrustes angular distance");
        if (nx == 0 || ny == 0) return double.NaN;
        return Math.Acos(Math.Clamp(nuclear / (nx * ny), -1.0, 1.0));
    }

    /// <summary>min_Q ‖XcQ − Yc‖_F = sqrt(‖Xc‖² + ‖Yc‖² − 2‖XcᵀYc‖_*), unnormalised.</summary>
    public static double EuclideanDistance(Matrix x, Matrix y)
    {
        var (nuclear, nx, ny) = NuclearNormAndNorms(x, y, "Procrustes euclidean distance");
        return Math.Sqrt(Math.Max(0.0, nx * nx + ny * ny - 2.0 * nuclear));
    }

    /// <summary>‖XcᵀYc‖_* (sum of singular values) after centring the columns of both matrices.</summary>
    public static double NuclearNorm(Matrix x, Matrix y) => NuclearNormAndNorms(x, y, "Procrustes nuclear norm").Nuclear;

    private static (double Nuclear, double NormX, double NormY) NuclearNormAndNorms(Matrix x, Matrix y, string measure)
    {
        MatrixChecks.SameItems(x, y, measure);
        var xc = MatrixRows.CentreColumns(x);
        var yc = MatrixRows.CentreColumns(y);
        double nx = Math.Sqrt(TensorPrimitives.Dot<double>(xc.Values, xc.Values));
        double ny = Math.Sqrt(TensorPrimitives.Dot<double>(yc.Values, yc.Values));
        int n = x.Rows, dx = x.Cols, dy = y.Cols;
        double nuclear;
        if (n < Math.Min(dx, dy))
        {
            var rx = TriangularFactor(xc);  // n×n, Xcᵀ = Qx·Rx
            var ry = TriangularFactor(yc);
            var c = new double[n * n];      // Rx·Ryᵀ
            Gemm.Multiply(rx, ry, c, n, n, n, transposeB: true);
            nuclear = NuclearNormOf(c, n, n);
        }
        else
        {
            nuclear = NuclearNormOf(Cka.Cross(xc, yc), dx, dy);
        }
        return (nuclear, nx, ny);
    }

    /// <summary>Sum of singular values of the row-major p×q matrix <paramref name="m"/>.</summary>
    internal static double NuclearNormOf(double[] m, int p, int q)
    {
        // Work on the smaller side: s = m·mᵀ (p×p) if p ≤ q, else mᵀ·m (q×q).
        bool rows = p <= q;
        int r = rows ? p : q;
        var s = new double[r * r];
        if (rows) Gemm.Multiply(m, m, s, p, p, q, transposeB: true);
        else Gemm.Multiply(m, m, s, q, q, p, transposeA: true);
        var eig = SymmetricEigen.Decompose(s, r);
        // σₖ = ‖mᵀuₖ‖ (rows) or ‖m·uₖ‖ (columns); project all eigenvectors at once: w = mᵀU (q×r) or m·U (p×r).
        var u = eig.Vectors!;               // r×r, column k = uₖ
        int other = rows ? q : p;
        var w = new double[other * r];
        if (rows) Gemm.Multiply(m, u, w, q, r, p, transposeA: true);   // (q×p)·(p×r)
        else Gemm.Multiply(m, u, w, p, r, q);                           // (p×q)·(q×r)
        var colSq = new double[r];
        for (int i = 0; i < other; i++)
            for (int k = 0; k < r; k++)
                colSq[k] += w[i * r + k] * w[i * r + k];
        double sum = 0;
        for (int k = 0; k < r; k++) sum += Math.Sqrt(colSq[k]);
        return sum;
    }

    /// <summary>
    /// R (n×n, upper triangular, row-major) of the Householder QR factorisation Aᵀ = Q·R of the n×d matrix A (n ≤ d).
    /// Column j of Aᵀ is row j of A, so every reflection works on contiguous rows.
    /// </summary>
    internal static double[] TriangularFactor(Matrix a)
    {
        int n = a.Rows, d = a.Cols;
        var cols = (double[])a.Values.Clone(); // row j = column j of Aᵀ
        var r = new double[n * n];
        var v = new double[d];
        for (int j = 0; j < n; j++)
        {
            var x = cols.AsSpan(j * d + j, d - j);
            double norm = Math.Sqrt(TensorPrimitives.Dot<double>(x, x));
            if (norm == 0.0)
            {
                for (int l = j; l < n; l++) r[j * n + l] = cols[l * d + j];
                continue;
            }
            double alpha = x[0] > 0 ? -norm : norm;
            var vj = v.AsSpan(0, d - j);
            x.CopyTo(vj);
            vj[0] -= alpha;
            double vv = TensorPrimitives.Dot<double>(vj, vj);
            r[j * n + j] = alpha;
            for (int l = j + 1; l < n; l++)
            {
                var cl = cols.AsSpan(l * d + j, d - j);
                double f = 2.0 * TensorPrimitives.Dot<double>(vj, cl) / vv;
                TensorPrimitives.MultiplyAdd(vj, -f, cl, cl);
                r[j * n + l] = cl[0];
            }
        }
        return r;
    }
}
