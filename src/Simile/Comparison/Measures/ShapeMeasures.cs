using System.Numerics.Tensors;
using Simile.Data;
using Simile.Engine;

namespace Simile.Comparison.Measures;

/// <summary>
/// Generalised shape metrics of Williams et al. (2021) as netrep computes them (ahwillia/netrep LinearMetric,
/// PermutationMetric): zero-pad the narrower matrix, centre columns, (partially) whiten, align, score.
/// Everything goes through d×d feature-space products (d = the wider width), so n is not limited.
/// </summary>
public static class ShapeMeasures
{
    /// <summary>netrep LinearMetric(alpha, center_columns=True, zero_pad=True, score_method).</summary>
    public static double LinearMetric(Matrix x, Matrix y, double alpha, ShapeScore score)
    {
        if (!(alpha >= 0 && alpha <= 1))
            throw new SimileException($"shape_metric: --alpha is {alpha}", "give a partial-whitening alpha between 0 (full whitening, CCA-like) and 1 (Procrustes)");
        int d = Math.Max(x.Cols, y.Cols);
        var xw = Whiten(MatrixRows.CentreColumns(DenseAlgebra.ZeroPad(x, d)), alpha);
        var yw = Whiten(MatrixRows.CentreColumns(DenseAlgebra.ZeroPad(y, d)), alpha);
        double nuclear = Procrustes.NuclearNormOf(DenseAlgebra.Cross(xw, yw), d, d);
        return Score(nuclear, DenseAlgebra.SquaredNorm(xw.Values), DenseAlgebra.SquaredNorm(yw.Values), score);
    }

    /// <summary>netrep PermutationMetric: zero-pad, centre, align columns by the best permutation (max Σ XᵀY), score.</summary>
    public static double PermutationMetric(Matrix x, Matrix y, ShapeScore score)
    {
        int d = Math.Max(x.Cols, y.Cols);
        var xc = MatrixRows.CentreColumns(DenseAlgebra.ZeroPad(x, d));
        var yc = MatrixRows.CentreColumns(DenseAlgebra.ZeroPad(y, d));
        double matched = Assignment.MaximumSum(DenseAlgebra.Cross(xc, yc), d, d);
        return Score(matched, DenseAlgebra.SquaredNorm(xc.Values), DenseAlgebra.SquaredNorm(yc.Values), score);
    }

    private static double Score(double inner, double xx, double yy, ShapeScore score) => score switch
    {
        ShapeScore.Angular => xx == 0 || yy == 0 ? double.NaN : Math.Acos(Math.Clamp(inner / (Math.Sqrt(xx) * Math.Sqrt(yy)), -1.0, 1.0)),
        _ => Math.Sqrt(Math.Max(0.0, xx + yy - 2.0 * inner)),
    };

    /// <summary>
    /// netrep's partial whitening of centred X: λ, V = eigh(XᵀX) (not divided by n), λ ← max(λ, 1e-7),
    /// d = α + (1−α)λ^(−1/2), scaled by sqrt(Σλ / Σ[α²λ + 2α(1−α)√λ + (1−α)²]); returns X·V·diag(d)·Vᵀ. α ≈ 1: X itself.
    /// </summary>
    internal static Matrix Whiten(Matrix xc, double alpha)
    {
        if (alpha > 1 - 1e-7) return xc;
        int d = xc.Cols;
        var eig = SymmetricEigen.Decompose(DenseAlgebra.Cross(xc, xc), d);
        var lam = eig.Values.Select(l => Math.Max(l, 1e-7)).ToArray();
        var w = new double[d];
        double total = 0, newVar = 0;
        for (int k = 0; k < d; k++)
        {
            w[k] = alpha + (1 - alpha) / Math.Sqrt(lam[k]);
            total += lam[k];
            newVar += alpha * alpha * lam[k] + 2 * alpha * (1 - alpha) * Math.Sqrt(lam[k]) + (1 - alpha) * (1 - alpha);
        }
        double scale = Math.Sqrt(total / newVar);
        var v = eig.Vectors!;
        var vd = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int k = 0; k < d; k++) vd[i * d + k] = v[i * d + k] * w[k] * scale;
        var z = DenseAlgebra.Multiply(vd, v, d, d, d, tb: true);   // V·diag(d)·Vᵀ
        var result = new Matrix(xc.Rows, d);
        Gemm.Multiply(xc.Values, z, result.Values, xc.Rows, d, d);
        return result;
    }
}
