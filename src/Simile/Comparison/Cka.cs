using System.Numerics.Tensors;
using Simile.Data;
using Simile.Engine;

namespace Simile.Comparison;

/// <summary>
/// Linear CKA (Kornblith 2019) and debiased linear CKA (unbiased HSIC, Song et al. 2012) on the raw n×d matrices
/// (rows = the same items in both). Columns are centred first. Both are computed from three traces —
/// ‖XcᵀYc‖²_F, ‖XcᵀXc‖²_F, ‖YcᵀYc‖²_F — and the row norms, through whichever of the feature-space products
/// (cost n·(dx+dy)²) or the n×n Gram matrices (cost n²·(dx+dy)) is cheaper; float64 throughout.
/// NaN when a matrix has no variance (every row the same).
/// </summary>
public static class Cka
{
    /// <summary>‖YcᵀXc‖²_F / (‖XcᵀXc‖_F ‖YcᵀYc‖_F).</summary>
    public static double Linear(Matrix x, Matrix y)
    {
        var t = Traces.Of(x, y, "linear CKA");
        return t.Xy / (Math.Sqrt(t.Xx) * Math.Sqrt(t.Yy));
    }

    /// <summary>
    /// HSIC_u(K,L)/sqrt(HSIC_u(K,K)·HSIC_u(L,L)) with K = XcXcᵀ, L = YcYcᵀ, diagonals zeroed (K̃, L̃) and
    /// HSIC_u = [tr(K̃L̃) + (1ᵀK̃1)(1ᵀL̃1)/((n−1)(n−2)) − 2/(n−2)·1ᵀK̃L̃1] / (n(n−3)). Because the columns are centred,
    /// K1 = 0, so 1ᵀK̃1 = −Σkᵢᵢ and K̃1 = −diag(K): every term follows from tr(KL) and the diagonals, without n×n
    /// matrices. Needs n ≥ 4.
    /// </summary>
    public static double LinearDebiased(Matrix x, Matrix y)
    {
        if (x.Rows < 4)
            throw new SimileException($"debiased CKA needs at least 4 items, got {x.Rows}", "give at least 4 words/items");
        var t = Traces.Of(x, y, "debiased CKA");
        double hxy = UnbiasedHsic(t.Xy, t.Kx, t.Ky);
        double hxx = UnbiasedHsic(t.Xx, t.Kx, t.Kx);
        double hyy = UnbiasedHsic(t.Yy, t.Ky, t.Ky);
        return hxy / Math.Sqrt(hxx * hyy);
    }

    /// <summary>
    /// <see cref="Linear"/> and <see cref="LinearDebiased"/> from one computation of the products (they share
    /// ‖XcᵀYc‖², ‖XcᵀXc‖² and ‖YcᵀYc‖², the costly part at large n). Needs n ≥ 4.
    /// </summary>
    public static (double Linear, double LinearDebiased) LinearAndDebiased(Matrix x, Matrix y)
    {
        if (x.Rows < 4)
            throw new SimileException($"debiased CKA needs at least 4 items, got {x.Rows}", "give at least 4 words/items");
        var t = Traces.Of(x, y, "linear CKA");
        double linear = t.Xy / (Math.Sqrt(t.Xx) * Math.Sqrt(t.Yy));
        double hxy = UnbiasedHsic(t.Xy, t.Kx, t.Ky);
        double hxx = UnbiasedHsic(t.Xx, t.Kx, t.Kx);
        double hyy = UnbiasedHsic(t.Yy, t.Ky, t.Ky);
        return (linear, hxy / Math.Sqrt(hxx * hyy));
    }

    /// <summary>Song et al. (2012) unbiased HSIC from tr(KL) and the diagonals k, l of K and L (centred data).</summary>
    private static double UnbiasedHsic(double traceKL, double[] k, double[] l)
    {
        int n = k.Length;
        double sumK = 0, sumL = 0, sumKL = 0;
        for (int i = 0; i < n; i++) { sumK += k[i]; sumL += l[i]; sumKL += k[i] * l[i]; }
        double traceTilde = traceKL - sumKL;                         // tr(K̃L̃)
        double ones = sumK * sumL / ((n - 1.0) * (n - 2.0));         // (1ᵀK̃1)(1ᵀL̃1)/((n−1)(n−2)), both factors negated
        double cross = 2.0 / (n - 2.0) * sumKL;                      // 2/(n−2)·1ᵀK̃L̃1
        return (traceTilde + ones - cross) / (n * (n - 3.0));
    }

    /// <summary>tr(KL), tr(KK), tr(LL) and diag K, diag L for column-centred X, Y.</summary>
    private readonly record struct Traces(double Xy, double Xx, double Yy, double[] Kx, double[] Ky)
    {
        public static Traces Of(Matrix x, Matrix y, string measure)
        {
            MatrixChecks.SameItems(x, y, measure);
            var xc = MatrixRows.CentreColumns(x);
            var yc = MatrixRows.CentreColumns(y);
            int n = x.Rows, dx = x.Cols, dy = y.Cols;
            double xy, xx, yy;
            double featureCost = (double)n * ((double)dx * dy + (double)dx * dx + (double)dy * dy);
            double gramCost = (double)n * n * (dx + dy);
            if (featureCost <= gramCost)
            {
                xy = SquaredFrobenius(Cross(xc, yc));
                xx = SquaredFrobenius(Cross(xc, xc));
                yy = SquaredFrobenius(Cross(yc, yc));
            }
            else
            {
                var kx = Gram(xc);
                var ky = Gram(yc);
                xy = TensorPrimitives.Dot<double>(kx, ky);
                xx = TensorPrimitives.Dot<double>(kx, kx);
                yy = TensorPrimitives.Dot<double>(ky, ky);
            }
            return new Traces(xy, xx, yy, MatrixRows.SquaredNorms(xc), MatrixRows.SquaredNorms(yc));
        }

        private static double SquaredFrobenius(double[] m) => TensorPrimitives.Dot<double>(m, m);
    }

    /// <summary>XᵀY (dx×dy) for n×dx X and n×dy Y.</summary>
    internal static double[] Cross(Matrix x, Matrix y)
    {
        var c = new double[x.Cols * y.Cols];
        Gemm.Multiply(x.Values, y.Values, c, x.Cols, y.Cols, x.Rows, transposeA: true);
        return c;
    }

    /// <summary>X·Xᵀ (n×n).</summary>
    internal static double[] Gram(Matrix x)
    {
        var g = new double[x.Rows * x.Rows];
        Gemm.Multiply(x.Values, x.Values, g, x.Rows, x.Rows, x.Cols, transposeB: true);
        return g;
    }
}
