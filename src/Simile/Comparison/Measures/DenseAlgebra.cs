using System.Numerics.Tensors;
using Simile.Data;
using Simile.Engine;

namespace Simile.Comparison.Measures;

/// <summary>Small dense helpers for the registry's feature-space measures (float64, row-major).</summary>
internal static class DenseAlgebra
{
    /// <summary>XᵀY (dx×dy).</summary>
    public static double[] Cross(Matrix x, Matrix y) => Cka.Cross(x, y);

    public static double SquaredNorm(ReadOnlySpan<double> v) => TensorPrimitives.Dot(v, v);

    /// <summary>Column means of X.</summary>
    public static double[] ColumnMeans(Matrix x)
    {
        var mean = new double[x.Cols];
        for (int i = 0; i < x.Rows; i++) TensorPrimitives.Add(mean, x.RowReadOnly(i), mean);
        TensorPrimitives.Divide(mean, x.Rows, mean);
        return mean;
    }

    /// <summary>X with zero columns appended on the right up to <paramref name="width"/>.</summary>
    public static Matrix ZeroPad(Matrix x, int width)
    {
        if (x.Cols == width) return x;
        var m = new Matrix(x.Rows, width);
        for (int i = 0; i < x.Rows; i++) x.RowReadOnly(i).CopyTo(m.Row(i));
        return m;
    }

    /// <summary>A·B for row-major a (m×k), b (k×n).</summary>
    public static double[] Multiply(double[] a, double[] b, int m, int n, int k, bool ta = false, bool tb = false)
    {
        var c = new double[m * n];
        Gemm.Multiply(a, b, c, m, n, k, ta, tb);
        return c;
    }

    /// <summary>
    /// Singular values (descending) and left singular vectors of the p×q matrix m, from the eigenvectors u of m·mᵀ
    /// (σ = ‖mᵀu‖, accurate for small σ). Returns min(p, q) values; <c>U</c> is p×p row-major, column k ↔ σ_k
    /// (columns beyond min(p,q) span the left null space).
    /// </summary>
    public static (double[] Sigma, double[] U) LeftSvd(double[] m, int p, int q)
    {
        var s = new double[p * p];
        Gemm.Multiply(m, m, s, p, p, q, transposeB: true);
        var eig = SymmetricEigen.Decompose(s, p);
        // descending order
        var u = new double[p * p];
        for (int k = 0; k < p; k++)
            for (int i = 0; i < p; i++) u[i * p + k] = eig.Vectors![i * p + (p - 1 - k)];
        var w = new double[q * p]; // mᵀU
        Gemm.Multiply(m, u, w, q, p, p, transposeA: true);
        int r = Math.Min(p, q);
        var sigma = new double[r];
        for (int i = 0; i < q; i++)
            for (int k = 0; k < r; k++) sigma[k] += w[i * p + k] * w[i * p + k];
        for (int k = 0; k < r; k++) sigma[k] = Math.Sqrt(sigma[k]);
        return (sigma, u);
    }

    /// <summary>Singular values (descending) of the p×q matrix m, from its smaller Gram form.</summary>
    public static double[] SingularValues(double[] m, int p, int q)
    {
        if (p <= q) return LeftSvd(m, p, q).Sigma;
        return LeftSvd(Transpose(m, p, q), q, p).Sigma;
    }

    public static double[] Transpose(double[] m, int p, int q)
    {
        var t = new double[q * p];
        for (int i = 0; i < p; i++)
            for (int j = 0; j < q; j++) t[j * p + i] = m[i * q + j];
        return t;
    }

    /// <summary>
    /// Symmetric PSD s (d×d) → (V_r, λ_r): the eigenvectors (d×r, row-major) and eigenvalues of the r eigenvalues above
    /// √max(λ)·max(n, d)·ε in singular-value terms (numpy matrix_rank's tolerance).
    /// </summary>
    public static (double[] Vectors, double[] Values, int Rank) Range(double[] s, int d, double n)
    {
        var eig = SymmetricEigen.Decompose(s, d);
        double max = Math.Max(0, eig.Values[d - 1]);
        // singular values σ = √λ; numpy's rank tolerance σ_max·max(n, d)·ε.
        double tolSigma = Math.Sqrt(max) * Math.Max(n, d) * 2.220446049250313e-16;
        var keep = new List<int>();
        for (int k = d - 1; k >= 0; k--)
            if (eig.Values[k] > 0 && Math.Sqrt(eig.Values[k]) > tolSigma) keep.Add(k);
        int r = keep.Count;
        var v = new double[d * r];
        var lam = new double[r];
        for (int c = 0; c < r; c++)
        {
            lam[c] = eig.Values[keep[c]];
            for (int i = 0; i < d; i++) v[i * r + c] = eig.Vectors![i * d + keep[c]];
        }
        return (v, lam, r);
    }

    /// <summary>
    /// An orthonormal basis of the column space of X expressed through features: B = V_r·diag(λ^(-1/2)) (d×r), so that
    /// X·B has orthonormal columns. Uses XᵀX (feature space, cost n·d²).
    /// </summary>
    public static (double[] B, int Rank) ColumnSpaceBasis(Matrix x)
    {
        int d = x.Cols;
        var g = Cross(x, x);
        var (v, lam, r) = Range(g, d, x.Rows);
        for (int i = 0; i < d; i++)
            for (int c = 0; c < r; c++) v[i * r + c] /= Math.Sqrt(lam[c]);
        return (v, r);
    }

    /// <summary>
    /// The r_x×r_y matrix Q_xᵀQ_y between orthonormal bases of the column spaces of X and Y
    /// (singular values = canonical correlations when X, Y are column-centred).
    /// </summary>
    public static (double[] M, int Rx, int Ry) BasisCross(Matrix x, Matrix y)
    {
        var (bx, rx) = ColumnSpaceBasis(x);
        var (by, ry) = ColumnSpaceBasis(y);
        var xy = Cross(x, y);                                    // dx×dy
        var t = Multiply(bx, xy, rx, y.Cols, x.Cols, ta: true);  // rx×dy
        var m = Multiply(t, by, rx, ry, y.Cols);                 // rx×ry
        return (m, rx, ry);
    }

    /// <summary>Frobenius norm squared of a vector of values.</summary>
    public static double SumSquares(double[] m) => TensorPrimitives.Dot<double>(m, m);
}
