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

/// <summary>Per-item Pearson correlation between the two models' vectors of the same item (needs equal widths).</summary>
/// <param name="Mean">Mean of the per-item correlations that are defined (NaN if none is).</param>
/// <param name="PerItem">r for each item; NaN for an item whose vector is constant in either model.</param>
public sealed record DirectCorrelationResult(double Mean, double[] PerItem);

public static class DirectCorrelation
{
    /// <summary>Throws <see cref="SimileException"/> when the widths differ (the correlation is undefined then).</summary>
    public static DirectCorrelationResult Compute(Matrix x, Matrix y)
    {
        MatrixChecks.SameItems(x, y, "direct correlation");
        if (x.Cols != y.Cols)
            throw new SimileException(
                $"direct correlation needs vectors of the same width, got {x.Cols} and {y.Cols} features",
                "compare two representations of the same width (or use RSA, CKA or Procrustes, which do not need it)");
        var r = new double[x.Rows];
        double sum = 0;
        int defined = 0;
        for (int i = 0; i < x.Rows; i++)
        {
            r[i] = x.Cols < 2 ? double.NaN : RsaMeasures.PearsonUnchecked(x.RowReadOnly(i), y.RowReadOnly(i));
            if (!double.IsNaN(r[i])) { sum += r[i]; defined++; }
        }
        return new DirectCorrelationResult(defined == 0 ? double.NaN : sum / defined, r);
    }
}

internal static class MatrixChecks
{
    public static void SameItems(Matrix x, Matrix y, string measure)
    {
        if (x.Rows != y.Rows)
            throw new SimileException($"{measure}: the two matrices have different numbers of items ({x.Rows} and {y.Rows} rows)",
                "compare representations of the same items (same word list, same order)");
        if (x.Rows < 2)
            throw new SimileException($"{measure} needs at least 2 items, got {x.Rows}", "give more words/items");
        CheckFinite(x, "first");
        CheckFinite(y, "second");
    }

    private static void CheckFinite(Matrix m, string which)
    {
        var v = m.Values;
        for (int k = 0; k < v.Length; k++)
            if (!double.IsFinite(v[k]))
                throw new SimileException($"row {k / m.Cols + 1}, column {k % m.Cols + 1} of the {which} matrix is {v[k]}",
                    "check the source vectors for overflow or missing values; every value must be finite");
    }
}
