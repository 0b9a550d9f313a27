using Simile.Comparison.Measures;
using Simile.Data;
using Xunit;

namespace Simile.Tests.Comparison.Measures;

/// <summary>
/// The registry's claims, measure by measure: each invariance it lists (X rotated, scaled, multiplied by an invertible
/// matrix, columns permuted, a constant row added) leaves f(X, Y) unchanged, and f(X, X) is its identity value.
/// Transformations are built here from a seeded generator (not by the code under test).
/// </summary>
public class MeasurePropertyTests
{
    private const int N = 40, Dx = 8, Dy = 6;

    public static TheoryData<string> Names()
    {
        var d = new TheoryData<string>();
        foreach (var m in MeasureRegistry.All) d.Add(m.Name);
        return d;
    }

    private static Matrix Gaussian(int n, int d, int seed)
    {
        var r = new Random(seed);
        var m = new Matrix(n, d);
        for (int i = 0; i < m.Values.Length; i++)
            m.Values[i] = Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());
        return m;
    }

    private static Matrix Multiply(Matrix a, double[,] b)
    {
        int p = b.GetLength(1);
        var c = new Matrix(a.Rows, p);
        for (int i = 0; i < a.Rows; i++)
            for (int j = 0; j < p; j++)
            {
                double s = 0;
                for (int k = 0; k < a.Cols; k++) s += a[i, k] * b[k, j];
                c[i, j] = s;
            }
        return c;
    }

    /// <summary>A random orthogonal d×d matrix (Gram–Schmidt on Gaussian columns).</summary>
    private static double[,] Orthogonal(int d, int seed)
    {
        var g = Gaussian(d, d, seed);
        var q = new double[d, d];
        for (int j = 0; j < d; j++)
        {
            var v = new double[d];
            for (int i = 0; i < d; i++) v[i] = g[i, j];
            for (int pass = 0; pass < 2; pass++)
                for (int k = 0; k < j; k++)
                {
                    double dot = 0;
                    for (int i = 0; i < d; i++) dot += q[i, k] * v[i];
                    for (int i = 0; i < d; i++) v[i] -= dot * q[i, k];
                }
            double norm = Math.Sqrt(v.Sum(t => t * t));
            for (int i = 0; i < d; i++) q[i, j] = v[i] / norm;
        }
        return q;
    }

    private static (Matrix X, Matrix Y) Pair()
    {
        var x = Gaussian(N, Dx, 1);
        var w = Gaussian(Dx, Dy, 2);
        var y = Multiply(x, To2D(w));
        var noise = Gaussian(N, Dy, 3);
        for (int i = 0; i < y.Values.Length; i++) y.Values[i] += 1.5 * noise.Values[i];
        return (x, y);
    }

    private static double[,] To2D(Matrix m)
    {
        var a = new double[m.Rows, m.Cols];
        for (int i = 0; i < m.Rows; i++) for (int j = 0; j < m.Cols; j++) a[i, j] = m[i, j];
        return a;
    }

    private static Matrix Transform(Matrix x, Invariance kind)
    {
        switch (kind)
        {
            case Invariance.Rotation: return Multiply(x, Orthogonal(x.Cols, 11));
            case Invariance.IsotropicScaling:
                {
                    var s = x.Clone();
                    for (int i = 0; i < s.Values.Length; i++) s.Values[i] *= 3.7;
                    return s;
                }
            case Invariance.InvertibleLinear:
                {
                    var a = To2D(Gaussian(x.Cols, x.Cols, 12));
                    for (int i = 0; i < x.Cols; i++) a[i, i] += 3; // well conditioned
                    return Multiply(x, a);
                }
            case Invariance.Permutation:
                {
                    var perm = Enumerable.Range(0, x.Cols).Reverse().ToArray();
                    (perm[0], perm[2]) = (perm[2], perm[0]);
                    var p = new Matrix(x.Rows, x.Cols);
                    for (int i = 0; i < x.Rows; i++) for (int j = 0; j < x.Cols; j++) p[i, j] = x[i, perm[j]];
                    return p;
                }
            case Invariance.Translation:
                {
                    var t = x.Clone();
                    var b = Gaussian(1, x.Cols, 13);
                    for (int i = 0; i < x.Rows; i++) for (int j = 0; j < x.Cols; j++) t[i, j] += 2.5 * b[0, j] + 1.0;
                    return t;
                }
            default: throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    private static MeasureInputs Inputs(string name, Matrix x, Matrix y) => new(x, y, new MeasureParameters { K = 5 });

    [Theory]
    [MemberData(nameof(Names))]
    public void ClaimedInvariancesHold(string name)
    {
        var info = MeasureRegistry.Get(name);
        var (x, y) = Pair();
        if (name == "direct") y = Gaussian(N, Dx, 4);              // needs equal widths
        if (name == "pwcca") (x, y) = (y, x);                       // defined for width(X) ≤ width(Y)
        double baseline = MeasureRegistry.Compute(info, Inputs(name, x, y));
        Assert.True(double.IsFinite(baseline), $"{name}: {baseline}");
        foreach (var kind in Enum.GetValues<Invariance>().Where(k => k != Invariance.None && info.Invariances.HasFlag(k)))
        {
            double v = MeasureRegistry.Compute(info, Inputs(name, Transform(x, kind), y));
            double tol = 1e-7 * Math.Max(1, Math.Abs(baseline));
            Assert.True(Math.Abs(v - baseline) <= tol, $"{name} under {kind}: {baseline:R} became {v:R}");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void IdentityValueOnXVersusX(string name)
    {
        var info = MeasureRegistry.Get(name);
        var (x, _) = Pair();
        double v = MeasureRegistry.Compute(info, Inputs(name, x, x));
        if (info.IdentityValue is null) { Assert.True(v >= 0 && v <= 1, $"{name}: {v}"); return; }
        double expected = name == "lcs_knn" ? 5 : info.IdentityValue.Value; // identity of lcs_knn is k (5 here)
        Assert.True(Math.Abs(v - expected) <= 1e-6, $"{name}: f(X, X) = {v:R}, expected {expected}");
    }

    [Fact]
    public void SomeClaimIsFalsifiable()
    {
        // the invariance test can fail: permutation_metric is not rotation-invariant and does not claim it
        var (x, y) = Pair();
        var info = MeasureRegistry.Get("permutation_metric");
        Assert.False(info.Invariances.HasFlag(Invariance.Rotation));
        double a = MeasureRegistry.Compute(info, Inputs("permutation_metric", x, y));
        double b = MeasureRegistry.Compute(info, Inputs("permutation_metric", Transform(x, Invariance.Rotation), y));
        Assert.True(Math.Abs(a - b) > 1e-3);
    }
}
