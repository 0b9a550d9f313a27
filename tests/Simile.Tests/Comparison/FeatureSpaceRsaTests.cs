using System.Globalization;
using System.Text.Json;
using Simile.Comparison;
using Simile.Data;
using Simile.Inference;
using Simile.Similarity;
using Xunit;

namespace Simile.Tests.Comparison;

/// <summary>Explicit n×n reference computations written out plainly, for checking the scale routes.</summary>
internal static class ExplicitRoute
{
    public static double[] Condensed(Matrix x, DissimilarityKind kind)
    {
        int n = x.Rows, d = x.Cols;
        var r = new double[n * (n - 1) / 2];
        long k = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++, k++)
            {
                var a = x.RowReadOnly(i);
                var b = x.RowReadOnly(j);
                double ma = 0, mb = 0;
                if (kind == DissimilarityKind.Correlation)
                {
                    for (int c = 0; c < d; c++) { ma += a[c]; mb += b[c]; }
                    ma /= d; mb /= d;
                }
                double ab = 0, aa = 0, bb = 0, sq = 0;
                for (int c = 0; c < d; c++)
                {
                    double u = a[c] - ma, v = b[c] - mb;
                    ab += u * v; aa += u * u; bb += v * v;
                    sq += (a[c] - b[c]) * (a[c] - b[c]);
                }
                r[k] = kind switch
                {
                    DissimilarityKind.Cosine or DissimilarityKind.Correlation => 1 - ab / Math.Sqrt(aa * bb),
                    DissimilarityKind.SqEuclideanPerFeature => sq / d,
                    _ => Math.Sqrt(sq),
                };
            }
        return r;
    }


    public static double Cosine(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
        return ab / Math.Sqrt(aa * bb);
    }

    /// <summary>Random matrix with a shared structure so that RSA values are far from 0.</summary>
    public static (Matrix A, Matrix B) RandomPair(int n, int da, int db, ulong seed, double offset = 0)
    {
        var rng = new SeededRandom(seed);
        var latent = new double[n, 4];
        for (int i = 0; i < n; i++) for (int c = 0; c < 4; c++) latent[i, c] = rng.NextGaussian();
        Matrix Make(int d)
        {
            var m = new Matrix(n, d);
            var w = new double[4, d];
            for (int c = 0; c < 4; c++) for (int j = 0; j < d; j++) w[c, j] = rng.NextGaussian();
            for (int i = 0; i < n; i++)
                for (int j = 0; j < d; j++)
                {
                    double v = offset + 0.7 * rng.NextGaussian();
                    for (int c = 0; c < 4; c++) v += latent[i, c] * w[c, j];
                    m[i, j] = v;
                }
            return m;
        }
        return (Make(da), Make(db));
    }

    public static Matrix ReadCsv(string path)
    {
        var rows = File.ReadAllLines(path).Where(l => l.Trim().Length > 0)
            .Select(l => l.Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray()).ToList();
        return Matrix.FromRows(rows);
    }

    public static JsonElement Expected(string key, string sub)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Reference, "expected.json")));
        return doc.RootElement.GetProperty(key).GetProperty(sub).Clone();
    }
}

public class FeatureSpaceRsaTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (var kind in new[] { DissimilarityKind.Cosine, DissimilarityKind.Correlation, DissimilarityKind.SqEuclideanPerFeature })
        {
            yield return [kind, 40, 7, 5, 0.0];      // n > d
            yield return [kind, 12, 50, 33, 0.0];    // n < d
            yield return [kind, 60, 20, 20, 3.0];    // offset (non-centred features)
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SumsMatchTheExplicitRoute(DissimilarityKind kind, int n, int da, int db, double offset)
    {
        var (a, b) = ExplicitRoute.RandomPair(n, da, db, (ulong)(n * 31 + da), offset);
        var va = ExplicitRoute.Condensed(a, kind);
        var vb = ExplicitRoute.Condensed(b, kind);
        var sums = FeatureSpaceRsa.Sums(a, b, kind);
        Assert.Equal(va.Length, sums.Pairs);
        Assert.Equal(va.Sum(), sums.SumA, 1e-10 * va.Length);
        Assert.Equal(va.Zip(vb, (x, y) => x * y).Sum(), sums.SumAB, 1e-9 * Math.Max(1, Math.Abs(sums.SumAB)));
        Assert.Equal(NaiveReference.Pearson(va, vb), sums.Pearson, 1e-12);
        Assert.Equal(ExplicitRoute.Cosine(va, vb), sums.Cosine, 1e-12);
        Assert.Equal(NaiveReference.Pearson(va, vb), FeatureSpaceRsa.Pearson(a, b, kind), 1e-12);
    }

    [Fact]
    public void ReferenceValuesForC2C3()
    {
        var x = ExplicitRoute.ReadCsv(Path.Combine(TestPaths.Reference, "cases", "c2.csv"));
        var y = ExplicitRoute.ReadCsv(Path.Combine(TestPaths.Reference, "cases", "c3.csv"));
        var pair = ExplicitRoute.Expected("c2-c3", "seed_rsa_cosine_sim_pearson_r");
        Assert.Equal(pair.GetDouble(), FeatureSpaceRsa.Pearson(x, y, DissimilarityKind.Cosine), 1e-12);

        var euc = ExplicitRoute.Expected("c2-c3", "rsatoolbox_compare_euclidean_rdms");
        var s = FeatureSpaceRsa.Sums(x, y, DissimilarityKind.SqEuclideanPerFeature);
        Assert.Equal(euc.GetProperty("corr").GetDouble(), s.Pearson, 1e-12);
        Assert.Equal(euc.GetProperty("cosine").GetDouble(), s.Cosine, 1e-12);

        var cor = ExplicitRoute.Expected("c2-c3", "rsatoolbox_compare_correlation_rdms");
        s = FeatureSpaceRsa.Sums(x, y, DissimilarityKind.Correlation);
        Assert.Equal(cor.GetProperty("corr").GetDouble(), s.Pearson, 1e-12);
        Assert.Equal(cor.GetProperty("cosine").GetDouble(), s.Cosine, 1e-12);

        Assert.Equal(ExplicitRoute.Expected("c2-c3", "numpy_formula_linear_cka").GetDouble(), Cka.Linear(x, y), 1e-12);
        Assert.Equal(ExplicitRoute.Expected("c2-c3", "numpy_formula_debiased_linear_cka_song2012").GetDouble(),
            Cka.LinearDebiased(x, y), 1e-12);
        // For 'euclidean' RDMs rsatoolbox cosine_cov equals linear CKA.
        Assert.Equal(euc.GetProperty("cosine_cov").GetDouble(), Cka.Linear(x, y), 1e-12);
    }

    [Theory]
    [InlineData(9, 3, 4)]
    [InlineData(30, 50, 20)]
    public void CkaMatchesTheGramMatrixFormulas(int n, int da, int db)
    {
        var (a, b) = ExplicitRoute.RandomPair(n, da, db, 77, 1.5);
        double[,] Gram(Matrix m)
        {
            var mean = new double[m.Cols];
            for (int i = 0; i < n; i++) for (int c = 0; c < m.Cols; c++) mean[c] += m[i, c] / n;
            var g = new double[n, n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    for (int c = 0; c < m.Cols; c++) g[i, j] += (m[i, c] - mean[c]) * (m[j, c] - mean[c]);
            return g;
        }
        var k = Gram(a); var l = Gram(b);
        double F(double[,] p, double[,] q) { double s = 0; for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) s += p[i, j] * q[i, j]; return s; }
        Assert.Equal(F(k, l) / Math.Sqrt(F(k, k) * F(l, l)), Cka.Linear(a, b), 1e-12);

        double Hsic(double[,] p, double[,] q)
        {
            var pt = (double[,])p.Clone(); var qt = (double[,])q.Clone();
            for (int i = 0; i < n; i++) { pt[i, i] = 0; qt[i, i] = 0; }
            double tr = F(pt, qt), sp = 0, sq = 0, mid = 0;
            var rp = new double[n]; var rq = new double[n];
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) { sp += pt[i, j]; sq += qt[i, j]; rp[i] += pt[i, j]; rq[i] += qt[i, j]; }
            for (int i = 0; i < n; i++) mid += rp[i] * rq[i];
            return (tr + sp * sq / ((n - 1.0) * (n - 2.0)) - 2.0 / (n - 2.0) * mid) / (n * (n - 3.0));
        }
        Assert.Equal(Hsic(k, l) / Math.Sqrt(Hsic(k, k) * Hsic(l, l)), Cka.LinearDebiased(a, b), 1e-12);
    }

    [Theory]
    [InlineData(DissimilarityKind.Cosine)]
    [InlineData(DissimilarityKind.SqEuclideanPerFeature)]
    public void PermutationTestMatchesExplicitPermutations(DissimilarityKind kind)
    {
        int n = 15;
        var (a, b) = ExplicitRoute.RandomPair(n, 6, 9, 3);
        // Add noise to b so the null distribution overlaps the observed value a little.
        var rng = new SeededRandom(99);
        for (int i = 0; i < b.Values.Length; i++) b.Values[i] += 12 * rng.NextGaussian();
        int perms = 200;
        ulong seed = 1234;
        var result = FeatureSpacePermutationTest.Pearson(a, b, kind, perms, seed);

        var va = ExplicitRoute.Condensed(a, kind);
        double observed = NaiveReference.Pearson(va, ExplicitRoute.Condensed(b, kind));
        int atLeast = 0;
        for (int p = 0; p < perms; p++)
        {
            var perm = Enumerable.Range(0, n).ToArray();
            SeededRandom.ForBlock(seed, p).Shuffle(perm);
            var vb = ExplicitRoute.Condensed(b.SelectRows(perm), kind);
            if (NaiveReference.Pearson(va, vb) >= observed) atLeast++;
        }
        Assert.Equal(observed, result.Observed, 1e-12);
        Assert.Equal(atLeast, result.AtLeastAsExtreme);
        Assert.Equal((atLeast + 1.0) / (perms + 1.0), result.PValue);
        Assert.True(atLeast > 0 && atLeast < perms, $"test data should give a p-value strictly inside (0,1), got k={atLeast}");

        var again = FeatureSpacePermutationTest.Pearson(a, b, kind, perms, seed);
        Assert.Equal(result, again);
    }

    [Fact]
    public void UndefinedRowsAndEuclideanAreUserErrors()
    {
        var (a, b) = ExplicitRoute.RandomPair(10, 4, 4, 8);
        for (int c = 0; c < 4; c++) a[3, c] = 0;
        var e = Assert.Throws<SimileException>(() => FeatureSpaceRsa.Pearson(a, b, DissimilarityKind.Cosine));
        Assert.Contains("row 4", e.Message);
        for (int c = 0; c < 4; c++) b[5, c] = 2.5;
        e = Assert.Throws<SimileException>(() => FeatureSpaceRsa.Pearson(b, b, DissimilarityKind.Correlation));
        Assert.Contains("row 6", e.Message);
        Assert.Throws<SimileException>(() => FeatureSpaceRsa.Pearson(b, b, DissimilarityKind.Euclidean));
    }

    [Fact]
    public void PermutationTestDoesNotDependOnGemmThreadCount()
    {
        var (a, b) = ExplicitRoute.RandomPair(400, 64, 48, 17);
        var rng = new SeededRandom(4);
        for (int i = 0; i < b.Values.Length; i++) b.Values[i] += 6 * rng.NextGaussian();
        int saved = Simile.Engine.Gemm.MaxThreads;
        try
        {
            Simile.Engine.Gemm.MaxThreads = 1;
            var one = FeatureSpacePermutationTest.Pearson(a, b, DissimilarityKind.Cosine, 40, 99);
            Simile.Engine.Gemm.MaxThreads = Math.Max(2, Environment.ProcessorCount);
            var many = FeatureSpacePermutationTest.Pearson(a, b, DissimilarityKind.Cosine, 40, 99);
            Assert.Equal(one, many);
        }
        finally { Simile.Engine.Gemm.MaxThreads = saved; }
    }
}
