using Simile.Comparison;
using Simile.Data;
using Simile.Inference;
using Simile.Similarity;
using Xunit;

namespace Simile.Tests.Comparison;

public class LargeScaleRankRsaTests
{
    private static double[] AverageRanks(double[] v)
    {
        var idx = Enumerable.Range(0, v.Length).OrderBy(i => v[i]).ToArray();
        var r = new double[v.Length];
        for (int s = 0; s < idx.Length;)
        {
            int e = s + 1;
            while (e < idx.Length && v[idx[e]] == v[idx[s]]) e++;
            for (int z = s; z < e; z++) r[idx[z]] = (s + 1 + e) / 2.0;
            s = e;
        }
        return r;
    }

    /// <summary>Textbook O(m²) definitions: (spearman, tau-b, tau-a, rho-a).</summary>
    private static (double, double, double, double) Naive(double[] a, double[] b)
    {
        var ra = AverageRanks(a); var rb = AverageRanks(b);
        long m = a.Length;
        double c = (m + 1) / 2.0, dot = 0;
        for (int i = 0; i < m; i++) dot += (ra[i] - c) * (rb[i] - c);
        double rhoA = 12 * dot / ((double)m * m * m - m);
        long con = 0, dis = 0, tieA = 0, tieB = 0;
        for (int i = 0; i < m; i++)
            for (int j = i + 1; j < m; j++)
            {
                int sa = Math.Sign(a[i] - a[j]), sb = Math.Sign(b[i] - b[j]);
                if (sa == 0 && sb == 0) continue;
                if (sa == 0) { tieA++; continue; }
                if (sb == 0) { tieB++; continue; }
                if (sa == sb) con++; else dis++;
            }
        double tauB = (con - dis) / Math.Sqrt((double)(con + dis + tieA) * (con + dis + tieB));
        double tauA = (con - dis) / (m * (m - 1) / 2.0);
        return (NaiveReference.Pearson(ra, rb), tauB, tauA, rhoA);
    }

    private static void AssertAllMeasures(Matrix a, Matrix b, DissimilarityKind kind, double tol = 1e-12)
    {
        var va = ExplicitRoute.Condensed(a, kind);
        var vb = ExplicitRoute.Condensed(b, kind);
        var (sp, tb, ta, ra) = Naive(va, vb);
        var r = LargeScaleRankRsa.Compute(a, b, kind, LargeScaleRankRsa.RankMeasures);
        Assert.Equal(va.Length, r.Pairs);
        Assert.Equal(sp, r.Values[RsaMeasure.Spearman], tol);
        Assert.Equal(tb, r.Values[RsaMeasure.KendallTauB], tol);
        Assert.Equal(ta, r.Values[RsaMeasure.TauA], tol);
        Assert.Equal(ra, r.Values[RsaMeasure.RhoA], tol);
        Assert.True(r.PeakBytes > 0 && r.PeakBytes <= r.EstimatedBytes, $"peak {r.PeakBytes} vs estimate {r.EstimatedBytes}");
    }

    [Theory]
    [InlineData(DissimilarityKind.Cosine, 40, 7, 5)]
    [InlineData(DissimilarityKind.Correlation, 33, 20, 64)]
    [InlineData(DissimilarityKind.SqEuclideanPerFeature, 45, 3, 9)]
    [InlineData(DissimilarityKind.Euclidean, 38, 12, 12)]
    public void RandomInputsMatchTheExplicitRoute(DissimilarityKind kind, int n, int da, int db)
    {
        var (a, b) = ExplicitRoute.RandomPair(n, da, db, (ulong)(n + da), 0.5);
        AssertAllMeasures(a, b, kind);
    }

    [Theory]
    [InlineData(DissimilarityKind.Cosine)]
    [InlineData(DissimilarityKind.SqEuclideanPerFeature)]
    [InlineData(DissimilarityKind.Correlation)]
    public void DuplicateWordsGiveExactTies(DissimilarityKind kind)
    {
        var (a, b) = ExplicitRoute.RandomPair(30, 16, 10, 42, 0.3);
        // Words 3, 11 and 25 are copies of word 0 in model A; 5 and 6 coincide in model B.
        int[] rowsA = Enumerable.Range(0, 30).Select(i => i is 3 or 11 or 25 ? 0 : i).ToArray();
        int[] rowsB = Enumerable.Range(0, 30).Select(i => i == 6 ? 5 : i).ToArray();
        a = a.SelectRows(rowsA);
        b = b.SelectRows(rowsB);
        var r = LargeScaleRankRsa.Compute(a, b, kind, LargeScaleRankRsa.RankMeasures);
        // 4 copies of word 0: 6 pairs among them tie at 0, and each other word j has 4 tied pairs with them.
        Assert.True(r.TiedPairsA >= 15 + 26 * 6, $"ties in A: {r.TiedPairsA}");
        Assert.True(r.TiedPairsB >= 28, $"ties in B: {r.TiedPairsB}");
        AssertAllMeasures(a, b, kind);
    }

    [Theory]
    [InlineData(DissimilarityKind.Cosine)]
    [InlineData(DissimilarityKind.SqEuclideanPerFeature)]
    public void EachMeasureAloneEqualsTheTextbookDefinition(DissimilarityKind kind)
    {
        // Alone, Spearman and rho-a take the route without Knight's sequence, Kendall's measures the one without sums.
        var (a, b) = ExplicitRoute.RandomPair(36, 9, 7, 5, 0.4);
        a = a.SelectRows(Enumerable.Range(0, 36).Select(i => i is 4 or 20 ? 1 : i).ToArray());   // ties in A
        b = b.SelectRows(Enumerable.Range(0, 36).Select(i => i is 9 or 30 ? 2 : i).ToArray());   // ties in B
        var va = ExplicitRoute.Condensed(a, kind);
        var vb = ExplicitRoute.Condensed(b, kind);
        var (sp, tb, ta, ra) = Naive(va, vb);
        long naiveTiesB = 0;
        for (int i = 0; i < vb.Length; i++)
            for (int j = i + 1; j < vb.Length; j++)
                if ((float)vb[i] == (float)vb[j]) naiveTiesB++;   // the route's ties are those of float32 keys
        foreach (var (measure, expected) in new[] { (RsaMeasure.Spearman, sp), (RsaMeasure.KendallTauB, tb), (RsaMeasure.TauA, ta), (RsaMeasure.RhoA, ra) })
        {
            var r = LargeScaleRankRsa.Compute(a, b, kind, [measure]);
            Assert.Single(r.Values);
            Assert.Equal(expected, r.Values[measure], 1e-12);
            Assert.True(r.TiedPairsA > 0);
            Assert.Equal(naiveTiesB, r.TiedPairsB);   // Kendall alone counts them with the inversions
        }
    }

    [Fact]
    public void ReferenceValuesForCategoricalTies()
    {
        var x = ExplicitRoute.ReadCsv(Path.Combine(TestPaths.Reference, "cases", "c2.csv"));
        var labels = File.ReadAllLines(Path.Combine(TestPaths.Reference, "cases", "c2_labels.txt"))
            .Where(l => l.Trim().Length > 0).Select(l => l.Trim()).ToArray();
        var names = labels.Distinct().ToArray();
        // One-hot categories: squared distance 0 within a category and 2/3 across, a scaled categorical RDM.
        var onehot = new Matrix(labels.Length, names.Length);
        for (int i = 0; i < labels.Length; i++) onehot[i, Array.IndexOf(names, labels[i])] = 1;
        var expected = ExplicitRoute.Expected("c2", "rsatoolbox_compare_euclidean_rdm_vs_categorical");
        var r = LargeScaleRankRsa.Compute(x, onehot, DissimilarityKind.SqEuclideanPerFeature, LargeScaleRankRsa.RankMeasures);
        Assert.Equal(expected.GetProperty("spearman").GetDouble(), r.Values[RsaMeasure.Spearman], 1e-12);
        Assert.Equal(expected.GetProperty("tau-b").GetDouble(), r.Values[RsaMeasure.KendallTauB], 1e-12);
        Assert.Equal(expected.GetProperty("tau-a").GetDouble(), r.Values[RsaMeasure.TauA], 1e-12);
        Assert.Equal(expected.GetProperty("rho-a").GetDouble(), r.Values[RsaMeasure.RhoA], 1e-12);
        Assert.Equal(expected.GetProperty("corr").GetDouble(),
            FeatureSpaceRsa.Pearson(x, onehot, DissimilarityKind.SqEuclideanPerFeature), 1e-12);
    }

    [Fact]
    public void ReferenceValuesForC2C3()
    {
        var x = ExplicitRoute.ReadCsv(Path.Combine(TestPaths.Reference, "cases", "c2.csv"));
        var y = ExplicitRoute.ReadCsv(Path.Combine(TestPaths.Reference, "cases", "c3.csv"));
        var r = LargeScaleRankRsa.Compute(x, y, DissimilarityKind.Cosine, LargeScaleRankRsa.RankMeasures);
        Assert.Equal(ExplicitRoute.Expected("c2-c3", "seed_rsa_cosine_sim_spearman_rho").GetDouble(), r.Values[RsaMeasure.Spearman], 1e-12);
        Assert.Equal(ExplicitRoute.Expected("c2-c3", "seed_rsa_cosine_sim_kendall_tau_b").GetDouble(), r.Values[RsaMeasure.KendallTauB], 1e-12);
        foreach (var (kind, key) in new[] { (DissimilarityKind.SqEuclideanPerFeature, "rsatoolbox_compare_euclidean_rdms"),
                                            (DissimilarityKind.Correlation, "rsatoolbox_compare_correlation_rdms") })
        {
            var e = ExplicitRoute.Expected("c2-c3", key);
            r = LargeScaleRankRsa.Compute(x, y, kind, LargeScaleRankRsa.RankMeasures);
            Assert.Equal(e.GetProperty("spearman").GetDouble(), r.Values[RsaMeasure.Spearman], 1e-12);
            Assert.Equal(e.GetProperty("tau-b").GetDouble(), r.Values[RsaMeasure.KendallTauB], 1e-12);
            Assert.Equal(e.GetProperty("tau-a").GetDouble(), r.Values[RsaMeasure.TauA], 1e-12);
            Assert.Equal(e.GetProperty("rho-a").GetDouble(), r.Values[RsaMeasure.RhoA], 1e-12);
        }
    }

    [Fact]
    public void OverBudgetIsAUserErrorWithTheOptions()
    {
        var (a, b) = ExplicitRoute.RandomPair(20_000, 4, 4, 1);
        var e = Assert.Throws<SimileException>(() =>
            LargeScaleRankRsa.Compute(a, b, DissimilarityKind.Cosine, [RsaMeasure.Spearman], memoryBudget: 100_000_000));
        Assert.Contains("--limit", e.Fix);
        Assert.Contains("pearson", e.Fix);
        Assert.Contains("GB", e.Message);
        int fit = LargeScaleRankRsa.MaxItemsWithin(100_000_000, 4, 4);
        Assert.True(fit > 2 && fit < 20_000);
        Assert.True(LargeScaleRankRsa.EstimateBytes(fit, 4, 4, LargeScaleRankRsa.RankMeasures) <= 100_000_000);
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(1_000, 50)]
    [InlineData(70_001, 70_001)]
    [InlineData(300_007, 1_000)]
    public void DoubledRanksEqualCountedRanks(int m, int distinct)
    {
        var rng = new SeededRandom((ulong)(m + distinct));
        var keys = new uint[m];
        for (int i = 0; i < m; i++) keys[i] = 1000 + (uint)rng.NextInt(distinct);
        // Doubled average rank from counts: 2·(values smaller) + (values equal) + 1.
        var count = new long[distinct];
        foreach (var k in keys) count[k - 1000]++;
        var smaller = new long[distinct];
        for (int v = 1; v < distinct; v++) smaller[v] = smaller[v - 1] + count[v - 1];
        var expected = keys.Select(k => (uint)(2 * smaller[k - 1000] + count[k - 1000] + 1)).ToArray();
        Assert.Equal(count.Sum(c => c * (c - 1) / 2), LargeScaleRankRsa.RanksInPlace(keys));
        Assert.Equal(expected, keys);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1000)]
    [InlineData(70_001)]
    public void InversionCountMatchesAFenwickTree(int length)
    {
        var rng = new SeededRandom((ulong)length);
        var a = new uint[length];
        for (int i = 0; i < length; i++) a[i] = (uint)rng.NextInt(length / 3 + 1);   // with ties
        var copy = (uint[])a.Clone();
        long expected = 0;
        var tree = new long[length / 3 + 3];
        for (int i = length - 1; i >= 0; i--)
        {
            // count later elements strictly smaller than a[i]
            for (int k = (int)a[i]; k > 0; k -= k & -k) expected += tree[k];
            for (int k = (int)a[i] + 1; k < tree.Length; k += k & -k) tree[k]++;
        }
        Assert.Equal(expected, Inversions.Count(copy, new uint[length]));
    }
}
