using Simile.Comparison;
using Simile.Data;
using Simile.Inference;
using Simile.Similarity;
using Xunit;

namespace Simile.Tests.Inference;

public class InferenceTests
{
    private static Matrix Random(SeededRandom rng, int n, int d)
    {
        var m = new Matrix(n, d);
        for (int k = 0; k < m.Values.Length; k++) m.Values[k] = rng.NextGaussian();
        return m;
    }

    private static (DissimilarityMatrix A, DissimilarityMatrix B) Pair(ulong seed, int n, double coupling, int levels = 0)
    {
        var rng = new SeededRandom(seed);
        var x = Random(rng, n, 6);
        var y = Random(rng, n, 6);
        for (int k = 0; k < y.Values.Length; k++) y.Values[k] = coupling * x.Values[k] + y.Values[k];
        var a = Dissimilarity.Compute(x, DissimilarityKind.Euclidean);
        var b = Dissimilarity.Compute(y, DissimilarityKind.Euclidean);
        if (levels > 0) // coarse b with many ties
            b = new DissimilarityMatrix(n, b.Kind, b.Condensed.Select(v => Math.Floor(v * levels / 4.0)).ToArray());
        return (a, b);
    }

    private static double[] Permuted(DissimilarityMatrix b, int[] perm)
    {
        int n = b.N;
        var v = new double[b.Condensed.Length];
        long k = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++, k++)
                v[k] = b[perm[i], perm[j]];
        return v;
    }

    [Fact]
    public void KernelsCountExactlyWhatBruteForceCounts()
    {
        var (a, b) = Pair(3, 12, 0.3, levels: 6);
        var all = Enum.GetValues<RsaMeasure>();
        int perms = 150;
        ulong seed = 77;
        var results = PermutationTest.Run(a, b, all, perms, seed);
        var perm = new int[a.N];
        foreach (var r in results)
        {
            double observed = RsaMeasures.Compute(r.Measure, a.Condensed, b.Condensed);
            Assert.Equal(observed, r.Observed);
            int k = 0;
            for (int p = 0; p < perms; p++)
            {
                Permutations.Fill(seed, p, perm);
                if (RsaMeasures.Compute(r.Measure, a.Condensed, Permuted(b, perm)) >= observed - 1e-12) k++;
            }
            Assert.Equal(k, r.AtLeastAsExtreme);
            Assert.Equal((k + 1.0) / (perms + 1.0), r.PValue);
            Assert.Equal(perms, r.Permutations);
            Assert.Equal(seed, r.Seed);
        }
        // measures sharing a statistic share the count
        int Count(RsaMeasure m) => results.Single(r => r.Measure == m).AtLeastAsExtreme;
        Assert.Equal(Count(RsaMeasure.Pearson), Count(RsaMeasure.Cosine));
        Assert.Equal(Count(RsaMeasure.Spearman), Count(RsaMeasure.RhoA));
        Assert.Equal(Count(RsaMeasure.KendallTauB), Count(RsaMeasure.TauA));
    }

    [Fact]
    public void SimdAndScalarKernelsAgreeWithBruteForce()
    {
        var (a, b) = Pair(17, 61, 0.05, levels: 40);
        RsaMeasure[] measures = [RsaMeasure.Pearson, RsaMeasure.Spearman];
        int perms = 60;
        IReadOnlyList<PermutationResult> simd, scalar;
        try
        {
            PermutationTest.DisableSimd = true;
            scalar = PermutationTest.Run(a, b, measures, perms, 5);
        }
        finally { PermutationTest.DisableSimd = false; }
        simd = PermutationTest.Run(a, b, measures, perms, 5);
        Assert.Equal(scalar, simd);
        var perm = new int[a.N];
        foreach (var r in simd)
        {
            int k = 0;
            for (int p = 0; p < perms; p++)
            {
                Permutations.Fill(5, p, perm);
                if (RsaMeasures.Compute(r.Measure, a.Condensed, Permuted(b, perm)) >= r.Observed - 1e-12) k++;
            }
            Assert.Equal(k, r.AtLeastAsExtreme);
        }
        Assert.InRange(simd[0].PValue, 0.02, 1.0); // weak coupling: not all permutations beaten
    }

    [Fact]
    public void SameSeedSameResultForAnyThreadCount()
    {
        var (a, b) = Pair(5, 40, 0.2);
        RsaMeasure[] measures = [RsaMeasure.Pearson, RsaMeasure.Spearman, RsaMeasure.KendallTauB];
        var one = PermutationTest.Run(a, b, measures, 200, 9, new ParallelOptions { MaxDegreeOfParallelism = 1 });
        var many = PermutationTest.Run(a, b, measures, 200, 9, new ParallelOptions { MaxDegreeOfParallelism = 8 });
        var defaults = PermutationTest.Run(a, b, measures, 200, 9);
        Assert.Equal(one, many);
        Assert.Equal(one, defaults);
        var other = PermutationTest.Run(a, b, measures, 200, 10);
        Assert.NotEqual(one.Select(r => r.AtLeastAsExtreme), other.Select(r => r.AtLeastAsExtreme));

        var b1 = Bootstrap.Run(a, b, RsaMeasure.Spearman, 100, 4, new ParallelOptions { MaxDegreeOfParallelism = 1 });
        var b8 = Bootstrap.Run(a, b, RsaMeasure.Spearman, 100, 4, new ParallelOptions { MaxDegreeOfParallelism = 8 });
        Assert.Equal(b1, b8);
        Assert.Equal(Bootstrap.Distribution(a, b, RsaMeasure.Spearman, 100, 4, new ParallelOptions { MaxDegreeOfParallelism = 1 }),
            Bootstrap.Distribution(a, b, RsaMeasure.Spearman, 100, 4, new ParallelOptions { MaxDegreeOfParallelism = 3 }));
    }

    [Fact]
    public void PValuesOfIndependentDataAreUniform()
    {
        // 300 independent data sets, 99 permutations each: p ∈ {1/100, …, 1} should be ~uniform.
        int sets = 300, perms = 99;
        var pPearson = new double[sets];
        var pSpearman = new double[sets];
        for (int s = 0; s < sets; s++)
        {
            var (a, b) = Pair(1000 + (ulong)s, 9, 0.0);
            var r = PermutationTest.Run(a, b, [RsaMeasure.Pearson, RsaMeasure.Spearman], perms, (ulong)s);
            pPearson[s] = r[0].PValue;
            pSpearman[s] = r[1].PValue;
        }
        foreach (var p in new[] { pPearson, pSpearman })
        {
            Assert.All(p, v => Assert.InRange(v, 1.0 / (perms + 1), 1.0));
            Array.Sort(p);
            // Kolmogorov–Smirnov distance to U(0,1); 1% critical value ≈ 1.63/√300 = 0.094 (+ discreteness 0.01)
            double dMax = 0;
            for (int i = 0; i < sets; i++)
                dMax = Math.Max(dMax, Math.Max(Math.Abs(p[i] - (i + 1.0) / sets), Math.Abs(p[i] - (double)i / sets)));
            Assert.True(dMax < 0.105, $"KS distance {dMax}");
            Assert.InRange(p.Average(), 0.42, 0.58);
        }
    }

    [Fact]
    public void RelatedDataGiveTheSmallestPossiblePValue()
    {
        var (a, b) = Pair(8, 25, 3.0);
        var reports = new List<double>();
        var progress = new SyncProgress(reports.Add);
        var r = PermutationTest.Run(a, b, [RsaMeasure.Pearson, RsaMeasure.Spearman], 199, 1, progress);
        Assert.All(r, x => Assert.Equal(1.0 / 200, x.PValue));
        Assert.All(r, x => Assert.Equal(0, x.AtLeastAsExtreme));
        Assert.NotEmpty(reports);
        Assert.Equal(1.0, reports.Max());
        Assert.All(reports, v => Assert.InRange(v, 0.0, 1.0));
    }

    [Fact]
    public void BootstrapIntervalCoversTheEstimateAndNarrowsWithMoreItems()
    {
        var (a, b) = Pair(21, 30, 1.0);
        var ci = Bootstrap.Run(a, b, RsaMeasure.Pearson, 200, 3);
        Assert.Equal(RsaMeasures.Pearson(a.Condensed, b.Condensed), ci.Estimate);
        Assert.True(ci.Lower < ci.Estimate && ci.Estimate < ci.Upper, $"{ci}");
        Assert.Equal(0.95, ci.Level);
        var (a2, b2) = Pair(21, 120, 1.0);
        var wide = ci.Upper - ci.Lower;
        var ci2 = Bootstrap.Run(a2, b2, RsaMeasure.Pearson, 200, 3);
        Assert.True(ci2.Upper - ci2.Lower < wide, $"{ci2} vs {ci}");
        // 99% interval contains the 90% one
        var c90 = Bootstrap.Run(a, b, RsaMeasure.Pearson, 200, 3, level: 0.90);
        var c99 = Bootstrap.Run(a, b, RsaMeasure.Pearson, 200, 3, level: 0.99);
        Assert.True(c99.Lower <= c90.Lower && c90.Upper <= c99.Upper);
    }

    [Fact]
    public void BootstrapDropsPairsOfAnItemWithItsOwnCopy()
    {
        var (a, b) = Pair(2, 5, 0.5);
        var (va, vb) = Bootstrap.Resample(a, b, [0, 0, 3, 1, 3]);
        // pairs: (0,0) drop, (0,3), (0,1), (0,3) | (0,3), (0,1), (0,3) | (3,1), (3,3) drop | (1,3) → 8 pairs
        Assert.Equal(8, va.Length);
        Assert.Equal(a[0, 3], va[0]);
        Assert.Equal(b[0, 1], vb[1]);
        Assert.Equal(a[3, 1], va[6]);
        Assert.Equal(a[1, 3], va[7]);
    }

    [Theory]
    [InlineData(RsaMeasure.Pearson)]
    [InlineData(RsaMeasure.Cosine)]
    public void WeightedResampleEqualsMaterialisedResample(RsaMeasure measure)
    {
        var (a, b) = Pair(31, 23, 0.7);
        for (int r = 0; r < 20; r++)
        {
            var items = Bootstrap.Draw(99, r, a.N);
            var (va, vb) = Bootstrap.Resample(a, b, items);
            var c = new double[a.N];
            foreach (int s in items) c[s]++;
            double expected = RsaMeasures.Compute(measure, va, vb);
            Assert.Equal(expected, Bootstrap.WeightedLinear(a, b, c, measure == RsaMeasure.Pearson), 1e-12);
        }
        var dist = Bootstrap.Distribution(a, b, measure, 20, 99, new ParallelOptions());
        for (int r = 0; r < 20; r++)
        {
            var (va, vb) = Bootstrap.Resample(a, b, Bootstrap.Draw(99, r, a.N));
            Assert.Equal(RsaMeasures.Compute(measure, va, vb), dist[r], 1e-12);
        }
    }

    [Fact]
    public void PercentileFollowsNumpyLinear()
    {
        double[] v = [1, 2, 3, 4];
        Assert.Equal(1.075, PercentileInterval.Percentile(v, 2.5), 1e-15);  // np.percentile([1,2,3,4], 2.5)
        Assert.Equal(3.925, PercentileInterval.Percentile(v, 97.5), 1e-15);
        Assert.Equal(2.5, PercentileInterval.Percentile(v, 50), 1e-15);
        Assert.Equal(1.0, PercentileInterval.Percentile(v, 0));
        Assert.Equal(4.0, PercentileInterval.Percentile(v, 100));
        Assert.Equal(7.0, PercentileInterval.Percentile([7.0], 30));
        Assert.True(double.IsNaN(PercentileInterval.Percentile([], 50)));
    }

    [Fact]
    public void InputErrorsAreUserErrors()
    {
        var (a, _) = Pair(1, 6, 0);
        var (c, _) = Pair(1, 7, 0);
        Assert.Contains("different numbers of items",
            Assert.Throws<SimileException>(() => PermutationTest.Run(a, c, [RsaMeasure.Pearson], 10, 1)).Message);
        Assert.Throws<SimileException>(() => PermutationTest.Run(a, a, [RsaMeasure.Pearson], 0, 1));
        Assert.Throws<SimileException>(() => Bootstrap.Run(a, c, RsaMeasure.Pearson, 10, 1));
        Assert.Throws<SimileException>(() => Bootstrap.Run(a, a, RsaMeasure.Pearson, 10, 1, level: 1.5));
    }
}
