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
    /// Symmetric PSD s (d×d) → (V_r, λ_r): the eigenvectors (d×r, row-major) and eigenvalues above λ_max·max(n, d)·ε,
    /// the accuracy of a Gram matrix's eigenvalues (numpy pinv of s with rcond = max(n, d)·ε). A threshold on √λ would
    /// keep the rounding-level eigenvalues of s's null space (~ε·λ_max, √ ≈ 1e-8·√λ_max) and amplify them by 1/√λ.
    /// </summary>
    public static (double[] Vectors, double[] Values, int Rank) Range(double[] s, int d, double n)
    {
        var eig = SymmetricEigen.Decompose(s, d);
        double max = Math.Max(0, eig.Values[d - 1]);
        double tol = max * Math.Max(n, d) * 2.220446049250313e-16;
        var keep = new List<int>();
        for (int k = d - 1; k >= 0; k--)
            if (eig.Values[k] > tol) keep.Add(k);
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
    /// An orthonormal basis of the column space of X expressed through features: B = V_r·diag(1/σ_r) (d×r), so that
    /// X·B has orthonormal columns. V from the eigenvectors of XᵀX (feature space, cost n·d²); the singular values are
    /// measured as σₖ = ‖X·vₖ‖ (streamed over row blocks), not √λₖ: the Gram's eigenvalues carry an absolute error of
    /// ~ε·λ_max, so for n &lt; d (or any rank-deficient X) √λ of a null direction is ~1e-8·σ_max and would pass numpy's
    /// rank tolerance σ_max·max(n, d)·ε, adding spurious, non-orthonormal basis columns (cca_r2 and eigenspace_overlap
    /// then exceeded 1). ‖X·vₖ‖ of a null direction is at rounding level, so the rank is numpy matrix_rank's.
    /// </summary>
    public static (double[] B, int Rank) ColumnSpaceBasis(Matrix x)
    {
        int n = x.Rows, d = x.Cols;
        var eig = SymmetricEigen.Decompose(Cross(x, x), d);
        var v = eig.Vectors!;                                   // d×d, column k = v_k (ascending λ)
        var sq = new double[d];
        int block = (int)Math.Clamp((8L << 20) / 8 / Math.Max(1, d), 1, Math.Max(1, n));
        var w = new double[(long)block * d];
        for (int r0 = 0; r0 < n; r0 += block)
        {
            int rows = Math.Min(block, n - r0);
            Gemm.Multiply(x.Values.AsSpan(r0 * d, rows * d), v, w.AsSpan(0, rows * d), rows, d, d);
            for (int i = 0; i < rows; i++)
            {
                var wr = w.AsSpan(i * d, d);
                for (int k = 0; k < d; k++) sq[k] += wr[k] * wr[k];
            }
        }
        double max = 0;
        for (int k = 0; k < d; k++) max = Math.Max(max, Math.Sqrt(sq[k]));
        double tol = max * Math.Max(n, d) * 2.220446049250313e-16;
        var keep = new List<int>();
        for (int k = d - 1; k >= 0; k--)
            if (Math.Sqrt(sq[k]) > tol) keep.Add(k);
        int r = keep.Count;
        var b = new double[d * r];
        for (int c = 0; c < r; c++)
        {
            double s = Math.Sqrt(sq[keep[c]]);
            for (int i = 0; i < d; i++) b[i * r + c] = v[i * d + keep[c]] / s;
        }
        return (b, r);
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
