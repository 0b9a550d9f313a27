using Simile.Engine;
using Xunit;

namespace Simile.Tests.Engine;

public class GemmTests
{
    /// <summary>op(A)·op(B) + beta·C by the textbook loop, in double, over the same strided storage.</summary>
    private static double[] Naive(double[] a, int lda, double[] b, int ldb, double[] c, int ldc,
        int m, int n, int k, bool ta, bool tb, double beta)
    {
        var r = (double[])c.Clone();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += (ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
                r[i * ldc + j] = beta == 0 ? s : s + beta * c[i * ldc + j];
            }
        return r;
    }

    private static double[] Random(Random rng, int len) =>
        Enumerable.Range(0, len).Select(_ => rng.NextDouble() * 2 - 1).ToArray();

    public static IEnumerable<object[]> Shapes()
    {
        int[][] shapes =
        [
            [1, 1, 1], [3, 5, 7], [17, 3, 65], [65, 129, 17], [129, 65, 300], [1, 300, 129], [300, 1, 33],
            [70, 70, 513], [8, 32, 256], [24, 48, 1], [5, 700, 600], [20, 1000, 300],
        ];
        foreach (var s in shapes)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    yield return [s[0], s[1], s[2], ta, tb];
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void DoubleMatchesNaiveLoopWithStridesAndBeta(int m, int n, int k, bool ta, bool tb)
    {
        var rng = new Random(m * 1000 + n * 10 + k);
        int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 5;
        var a = Random(rng, (ta ? k : m) * lda);
        var b = Random(rng, (tb ? n : k) * ldb);
        var c = Random(rng, m * ldc);
        foreach (double beta in new[] { 0.0, 1.0, -0.5 })
        {
            var expected = Naive(a, lda, b, ldb, c, ldc, m, n, k, ta, tb, beta);
            var got = (double[])c.Clone();
            Gemm.Multiply(a, lda, b, ldb, got, ldc, m, n, k, ta, tb, beta);
            for (int i = 0; i < got.Length; i++)
                Assert.True(Math.Abs(expected[i] - got[i]) <= 1e-12 * (1 + k), $"beta={beta} at {i}: {expected[i]} vs {got[i]}");
            // Padding between rows of C is never written.
            for (int i = 0; i < m; i++)
                for (int j = n; j < ldc; j++) Assert.Equal(c[i * ldc + j], got[i * ldc + j]);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void FloatMatchesNaiveLoopWithStridesAndBeta(int m, int n, int k, bool ta, bool tb)
    {
        var rng = new Random(m * 7 + n * 3 + k);
        int lda = (ta ? m : k) + 2, ldb = (tb ? k : n) + 7, ldc = n + 1;
        var a = Random(rng, (ta ? k : m) * lda);
        var b = Random(rng, (tb ? n : k) * ldb);
        var c = Random(rng, m * ldc);
        // Round inputs to float first so the double reference sees the same values.
        float[] af = a.Select(v => (float)v).ToArray(), bf = b.Select(v => (float)v).ToArray(), cf = c.Select(v => (float)v).ToArray();
        double[] ad = af.Select(v => (double)v).ToArray(), bd = bf.Select(v => (double)v).ToArray(), cd = cf.Select(v => (double)v).ToArray();
        foreach (float beta in new[] { 0f, 1f, 2.5f })
        {
            var expected = Naive(ad, lda, bd, ldb, cd, ldc, m, n, k, ta, tb, beta);
            var got = (float[])cf.Clone();
            Gemm.Multiply(af, lda, bf, ldb, got, ldc, m, n, k, ta, tb, beta);
            for (int i = 0; i < got.Length; i++)
                Assert.True(Math.Abs(expected[i] - got[i]) <= 2e-6 * (4 + Math.Sqrt(k) * 4), $"beta={beta} at {i}: {expected[i]} vs {got[i]}");
        }
    }

    [Fact]
    public void DenseOverloadAndBetaZeroIgnoresNaNInC()
    {
        var rng = new Random(5);
        int m = 37, n = 41, k = 19;
        var a = Random(rng, m * k);
        var b = Random(rng, n * k);   // stored n×k, used transposed
        var c = Enumerable.Repeat(double.NaN, m * n).ToArray();
        Gemm.Multiply(a, b, c, m, n, k, transposeB: true);
        var expected = Naive(a, k, b, k, new double[m * n], n, m, n, k, false, true, 0);
        for (int i = 0; i < c.Length; i++) Assert.Equal(expected[i], c[i], 12);
    }

    [Fact]
    public void ResultIsIdenticalForAnyThreadCount()
    {
        var rng = new Random(11);
        int m = 301, n = 257, k = 700;
        var a = Random(rng, m * k).Select(v => (float)v).ToArray();
        var b = Random(rng, k * n).Select(v => (float)v).ToArray();
        var c1 = new float[m * n];
        var c2 = new float[m * n];
        int saved = Gemm.MaxThreads;
        try
        {
            Gemm.MaxThreads = 1;
            Gemm.Multiply(a, b, c1, m, n, k);
            Gemm.MaxThreads = Math.Max(2, Environment.ProcessorCount);
            Gemm.Multiply(a, b, c2, m, n, k);
        }
        finally { Gemm.MaxThreads = saved; }
        Assert.Equal(c1, c2);
    }

    [Fact]
    public void ZeroInnerDimensionScalesC()
    {
        var c = new double[] { 1, 2, 3, 4 };
        Gemm.Multiply(ReadOnlySpan<double>.Empty, ReadOnlySpan<double>.Empty, c, 2, 2, 0, beta: 3.0);
        Assert.Equal(new double[] { 3, 6, 9, 12 }, c);
    }

    [Fact]
    public void TooShortOperandIsRejected()
    {
        var a = new double[5];
        var b = new double[6];
        var c = new double[4];
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(a, b, c, 2, 2, 3));
    }

    [Fact]
    public void ElementValueDoesNotDependOnCallShapeOrPosition()
    {
        var rng = new Random(3);
        int d = 300, n = 90;
        var x = Random(rng, n * d);
        // Row 7 duplicated at rows 40 and 89.
        Array.Copy(x, 7 * d, x, 40 * d, d);
        Array.Copy(x, 7 * d, x, 89 * d, d);
        var full = new double[n * n];
        Gemm.Multiply(x, x, full, n, n, d, transposeB: true);   // X·Xᵀ
        Assert.Equal(full[7 * n + 40], full[7 * n + 7]);
        Assert.Equal(full[40 * n + 89], full[89 * n + 89]);
        for (int j = 0; j < n; j++)
        {
            Assert.Equal(full[7 * n + j], full[40 * n + j]);
            Assert.Equal(full[7 * n + j], full[89 * n + j]);
        }
        // One element at a time (tiny-product path) gives the same bits as the blocked path.
        foreach (var (i, j) in new[] { (0, 0), (7, 40), (88, 3), (89, 89) })
        {
            var one = new double[1];
            Gemm.Multiply(x.AsSpan(i * d, d), d, x.AsSpan(j * d, d), d, one, 1, 1, 1, d, false, true);
            Assert.Equal(full[i * n + j], one[0]);
        }
    }
}
