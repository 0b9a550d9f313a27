using Simile.Data;
using Simile.Inference;
using Xunit;

namespace Simile.Tests.Data;

public class SymmetricEigenTests
{
    private static double[] RandomSymmetric(int n, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
                a[i * n + j] = a[j * n + i] = rng.NextGaussian();
        return a;
    }

    private static void AssertDecomposition(double[] a, int n, SymmetricEigenDecomposition r, double tol)
    {
        double norm = 0;
        foreach (double x in a) norm = Math.Max(norm, Math.Abs(x));
        norm = Math.Max(norm, 1.0);
        for (int k = 1; k < n; k++) Assert.True(r.Values[k - 1] <= r.Values[k], "eigenvalues must be ascending");
        for (int k = 0; k < n; k++)
        {
            // A v = λ v
            for (int i = 0; i < n; i++)
            {
                double av = 0;
                for (int j = 0; j < n; j++) av += a[i * n + j] * r.Vector(j, k);
                if (!(Math.Abs(av - r.Values[k] * r.Vector(i, k)) < tol * norm * n))
                    Assert.Fail($"A v != lambda v at component {i} of vector {k}");
            }
            // orthonormal columns
            for (int l = 0; l <= k; l++)
            {
                double dot = 0;
                for (int i = 0; i < n; i++) dot += r.Vector(i, k) * r.Vector(i, l);
                if (!(Math.Abs(dot - (k == l ? 1.0 : 0.0)) < tol * n)) Assert.Fail($"columns {k},{l} dot = {dot}");
            }
        }
    }

    [Theory]
    [InlineData(3, 1UL)]
    [InlineData(10, 2UL)]
    [InlineData(57, 3UL)]
    [InlineData(120, 4UL)]
    [InlineData(301, 5UL)]
    public void RandomSymmetricMatricesDecompose(int n, ulong seed)
    {
        var a = RandomSymmetric(n, seed);
        var copy = (double[])a.Clone();
        var r = SymmetricEigen.Decompose(a, n);
        Assert.Equal(copy, a); // input untouched
        AssertDecomposition(a, n, r, 1e-12);
        var only = SymmetricEigen.EigenvaluesOnly(a, n);
        for (int k = 0; k < n; k++) Assert.Equal(r.Values[k], only[k], 1e-11);
        // trace = sum of eigenvalues
        double trace = 0;
        for (int i = 0; i < n; i++) trace += a[i * n + i];
        Assert.Equal(trace, r.Values.Sum(), 1e-10);
    }

    [Fact]
    public void OnlyLowerTriangleIsRead()
    {
        int n = 6;
        var a = RandomSymmetric(n, 9);
        var garbage = (double[])a.Clone();
        for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) garbage[i * n + j] = 1e6 * (i + j);
        var r1 = SymmetricEigen.EigenvaluesOnly(a, n);
        var r2 = SymmetricEigen.EigenvaluesOnly(garbage, n);
        for (int k = 0; k < n; k++) Assert.Equal(r1[k], r2[k], 1e-12);
    }

    [Fact]
    public void DiagonalMatrixGivesSortedDiagonal()
    {
        double[] diag = [3, -1, 7, 0, 2.5];
        int n = diag.Length;
        var a = new double[n * n];
        for (int i = 0; i < n; i++) a[i * n + i] = diag[i];
        var r = SymmetricEigen.Decompose(a, n);
        Assert.Equal(diag.OrderBy(x => x).ToArray(), r.Values);
        AssertDecomposition(a, n, r, 1e-14);
        // eigenvector of 7 is ±e_2
        Assert.Equal(1.0, Math.Abs(r.Vector(2, n - 1)), 1e-14);
    }

    [Fact]
    public void RepeatedEigenvaluesGiveOrthonormalBasis()
    {
        // A = Q diag(2,2,2,5,5,-1) Qᵀ with a random orthogonal Q (from a decomposition of a random matrix).
        int n = 6;
        var q = SymmetricEigen.Decompose(RandomSymmetric(n, 11), n).Vectors!;
        double[] lam = [2, 2, 2, 5, 5, -1];
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int k = 0; k < n; k++) s += q[i * n + k] * lam[k] * q[j * n + k];
                a[i * n + j] = s;
            }
        for (int i = 0; i < n; i++) for (int j = 0; j < i; j++) a[j * n + i] = a[i * n + j]; // exact symmetry
        var r = SymmetricEigen.Decompose(a, n);
        double[] expected = [-1, 2, 2, 2, 5, 5];
        for (int k = 0; k < n; k++) Assert.Equal(expected[k], r.Values[k], 1e-12);
        AssertDecomposition(a, n, r, 1e-12);
    }

    [Fact]
    public void OneByOne()
    {
        var r = SymmetricEigen.Decompose([-4.5], 1);
        Assert.Equal([-4.5], r.Values);
        Assert.Equal([1.0], r.Vectors!);
    }

    [Fact]
    public void TwoByTwo()
    {
        // [[2,1],[1,2]]: eigenvalues 1, 3 with vectors (1,-1)/√2, (1,1)/√2.
        double[] a = [2, 1, 1, 2];
        var r = SymmetricEigen.Decompose(a, 2);
        Assert.Equal(1.0, r.Values[0], 1e-15);
        Assert.Equal(3.0, r.Values[1], 1e-15);
        Assert.Equal(0.0, r.Vector(0, 0) + r.Vector(1, 0), 1e-15);
        Assert.Equal(0.0, r.Vector(0, 1) - r.Vector(1, 1), 1e-15);
        AssertDecomposition(a, 2, r, 1e-15);
    }

    [Fact]
    public void ZeroMatrixAndNonFinite()
    {
        var r = SymmetricEigen.Decompose(new double[9], 3);
        Assert.All(r.Values, v => Assert.Equal(0.0, v));
        AssertDecomposition(new double[9], 3, r, 1e-15);
        Assert.Throws<ArgumentException>(() => SymmetricEigen.Decompose([1, double.NaN, double.NaN, 1], 2));
    }
}
