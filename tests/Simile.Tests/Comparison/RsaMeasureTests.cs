using Simile.Tests.Similarity;
using Simile.Comparison;
using Simile.Data;
using Simile.Inference;
using Simile.Similarity;
using Xunit;

namespace Simile.Tests.Comparison;

public class RsaMeasureTests
{
    /// <summary>rsatoolbox compare() method name → Simile measure.</summary>
    private static readonly (string Rsatoolbox, RsaMeasure Measure)[] Methods =
    [
        ("cosine", RsaMeasure.Cosine), ("spearman", RsaMeasure.Spearman), ("corr", RsaMeasure.Pearson),
        ("kendall", RsaMeasure.KendallTauB), ("tau-b", RsaMeasure.KendallTauB), ("tau-a", RsaMeasure.TauA),
        ("rho-a", RsaMeasure.RhoA),
    ];

    private static void AssertCompare(string caseName, string key, double[] a, double[] b)
    {
        var expected = ReferenceData.Get(caseName, key);
        foreach (var (name, measure) in Methods)
        {
            if (!expected.TryGetProperty(name, out var value)) continue;
            ReferenceData.Close(ReferenceData.Number(value), RsaMeasures.Compute(measure, a, b), what: $"{caseName} {key} {name}");
        }
    }

    private static double[] Rdm(string c, DissimilarityKind kind) => Dissimilarity.Compute(ReferenceData.Case(c), kind).Condensed;

    [Theory]
    [InlineData("c1")]
    [InlineData("c2")]
    [InlineData("c3")]
    public void EuclideanVersusCorrelationRdmsMatchRsatoolbox(string c)
        => AssertCompare(c, "rsatoolbox_compare_euclidean_vs_correlation",
            Rdm(c, DissimilarityKind.SqEuclideanPerFeature), Rdm(c, DissimilarityKind.Correlation));

    private static double[] CategoricalRdm()
    {
        var labels = ReferenceData.C2Labels();
        int n = labels.Length;
        var v = new double[CondensedIndex.Length(n)];
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                v[CondensedIndex.Of(n, i, j)] = labels[i] == labels[j] ? 0.0 : 1.0;
        return v;
    }

    [Fact]
    public void CategoricalRdmWithManyTiesMatchesRsatoolbox()
    {
        var cat = CategoricalRdm();
        Assert.Equal(ReferenceData.Vector("c2", "rsatoolbox_categorical_rdm"), cat);
        AssertCompare("c2", "rsatoolbox_compare_euclidean_rdm_vs_categorical", Rdm("c2", DissimilarityKind.SqEuclideanPerFeature), cat);
        AssertCompare("c2", "rsatoolbox_compare_correlation_rdm_vs_categorical", Rdm("c2", DissimilarityKind.Correlation), cat);
        // With ties, tau-a < tau-b and rho-a < spearman.
        var e = Rdm("c2", DissimilarityKind.SqEuclideanPerFeature);
        Assert.True(RsaMeasures.TauA(e, cat) < RsaMeasures.KendallTauB(e, cat) - 0.1);
        Assert.True(RsaMeasures.RhoA(e, cat) < RsaMeasures.Spearman(e, cat) - 0.1);
    }

    [Fact]
    public void PairC2C3MatchesRsatoolbox()
    {
        AssertCompare("c2-c3", "rsatoolbox_compare_euclidean_rdms",
            Rdm("c2", DissimilarityKind.SqEuclideanPerFeature), Rdm("c3", DissimilarityKind.SqEuclideanPerFeature));
        AssertCompare("c2-c3", "rsatoolbox_compare_correlation_rdms",
            Rdm("c2", DissimilarityKind.Correlation), Rdm("c3", DissimilarityKind.Correlation));
        AssertCompare("c2-c3", "rsatoolbox_compare_cosine_distance_rdms",
            Rdm("c2", DissimilarityKind.Cosine), Rdm("c3", DissimilarityKind.Cosine));
    }

    [Fact]
    public void SeedRecipeMatchesScipy()
    {
        var sx = Dissimilarity.CosineSimilarity(ReferenceData.Case("c2"));
        var sy = Dissimilarity.CosineSimilarity(ReferenceData.Case("c3"));
        ReferenceData.Close(ReferenceData.Scalar("c2-c3", "seed_rsa_cosine_sim_pearson_r"), RsaMeasures.Pearson(sx, sy));
        ReferenceData.Close(ReferenceData.Scalar("c2-c3", "seed_rsa_cosine_sim_spearman_rho"), RsaMeasures.Spearman(sx, sy));
        ReferenceData.Close(ReferenceData.Scalar("c2-c3", "seed_rsa_cosine_sim_kendall_tau_b"), RsaMeasures.KendallTauB(sx, sy));
    }

    private static double[] RandomWithTies(SeededRandom rng, int m, int levels)
    {
        var v = new double[m];
        for (int k = 0; k < m; k++) v[k] = levels > 0 ? rng.NextInt(levels) : rng.NextGaussian();
        return v;
    }

    private static (double TauB, double TauA) NaiveKendall(double[] x, double[] y)
    {
        long con = 0, dis = 0, xt = 0, yt = 0;
        int m = x.Length;
        for (int i = 0; i < m; i++)
            for (int j = i + 1; j < m; j++)
            {
                int sx = Math.Sign(x[i] - x[j]), sy = Math.Sign(y[i] - y[j]);
                if (sx == 0) xt++;
                if (sy == 0) yt++;
                if (sx * sy > 0) con++;
                else if (sx * sy < 0) dis++;
            }
        long tot = (long)m * (m - 1) / 2;
        return ((con - dis) / Math.Sqrt(tot - xt) / Math.Sqrt(tot - yt), (double)(con - dis) / tot);
    }

    [Theory]
    [InlineData(200, 5, 7, 1UL)]
    [InlineData(1000, 0, 30, 2UL)]
    [InlineData(3000, 40, 3, 3UL)]   // ≥ 2048: radix-sort path
    [InlineData(2500, 0, 0, 4UL)]    // no ties
    public void KendallEqualsNaiveQuadraticCount(int m, int levelsX, int levelsY, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var x = RandomWithTies(rng, m, levelsX);
        var y = RandomWithTies(rng, m, levelsY);
        // make y depend on x a little so tau is not ~0
        for (int k = 0; k < m; k++) y[k] += levelsY > 0 ? Math.Round(0.3 * x[k] * levelsY / Math.Max(levelsX, 1)) : 0.5 * x[k];
        var (tauB, tauA) = NaiveKendall(x, y);
        Assert.Equal(tauB, RsaMeasures.KendallTauB(x, y), 1e-12);
        Assert.Equal(tauA, RsaMeasures.TauA(x, y), 1e-12);
        Assert.True(Math.Abs(tauB) > 0.05);
    }

    [Fact]
    public void KendallOnLongVectorsUsesParallelMergeLevelsCorrectly()
    {
        // m ≥ 65536 takes the chunked parallel merge path; compare with the same data reversed in y (tau flips sign).
        var rng = new SeededRandom(12);
        int m = 70_001;
        var x = RandomWithTies(rng, m, 500);
        var y = x.Select(v => v + 300 * rng.NextGaussian()).ToArray();
        var negY = y.Select(v => -v).ToArray();
        double t = RsaMeasures.KendallTauB(x, y);
        Assert.Equal(-t, RsaMeasures.KendallTauB(x, negY), 1e-12);
        // Subsample check against the naive count on a prefix is not the same statistic, so check symmetry in x/y instead.
        Assert.Equal(t, RsaMeasures.KendallTauB(y, x), 1e-12);
        Assert.InRange(t, 0.2, 0.9);
    }

    [Theory]
    [InlineData(100_003, 1000)]   // many ties
    [InlineData(70_000, 70_000)]
    [InlineData(5_000, 10)]
    [InlineData(262_143, 5_000)]  // just below a parallel group (2^18)
    [InlineData(262_144, 300_000)]  // a parallel group of chunks of 2^16
    [InlineData(393_217, 50)]     // parallel, a last chunk of one element, parts of ~8,000 equal values
    [InlineData(600_001, 1)]      // all equal
    public void InversionCountEqualsFenwickTreeCount(int m, int distinct)
    {
        var rng = new SeededRandom((ulong)m);
        var a = new int[m];
        for (int k = 0; k < m; k++) a[k] = rng.NextInt(distinct);
        // Independent count: for each element, earlier elements strictly greater (Fenwick tree over values).
        var tree = new long[distinct + 1];
        long expected = 0;
        for (int k = 0; k < m; k++)
        {
            long notGreater = 0;
            for (int i = a[k] + 1; i > 0; i -= i & -i) notGreater += tree[i];
            expected += k - notGreater;
            for (int i = a[k] + 1; i <= distinct; i += i & -i) tree[i]++;
        }
        Assert.Equal(expected, Inversions.Count(a.Select(v => (uint)v).ToArray()));
        var counts = new long[distinct];
        foreach (var v in a) counts[v]++;
        Assert.Equal(expected, Inversions.Count(a.Select(v => (uint)v).ToArray(), null, out long ties));
        Assert.Equal(counts.Sum(c => c * (c - 1) / 2), ties);
    }

    [Fact]
    public void InversionCountOfASkewedLargeInputEqualsFenwickTreeCount()
    {
        // 3/4 of the values share one top digit, so a part of the first split is itself a parallel group.
        const int m = 900_001, range = 1 << 20;
        var rng = new SeededRandom(11);
        var a = new uint[m];
        for (int k = 0; k < m; k++) a[k] = (uint)(rng.NextInt(4) < 3 ? rng.NextInt(range / 16) : rng.NextInt(range));
        var tree = new long[range + 1];
        long expected = 0;
        for (int k = 0; k < m; k++)
        {
            long notGreater = 0;
            for (int i = (int)a[k] + 1; i > 0; i -= i & -i) notGreater += tree[i];
            expected += k - notGreater;
            for (int i = (int)a[k] + 1; i <= range; i += i & -i) tree[i]++;
        }
        var counts = new long[range];
        foreach (var v in a) counts[v]++;
        Assert.Equal(expected, Inversions.Count(a, null, out long ties));
        Assert.Equal(counts.Sum(c => c * (c - 1) / 2), ties);
    }

    [Theory]
    [InlineData(300_001, 5)]    // 27-bit values (like float32 keys less their minimum), parallel groups
    [InlineData(530_000, 0)]    // full 32-bit values
    public void InversionCountOfWideValuesEqualsFenwickTreeCount(int m, int dropBits)
    {
        var rng = new SeededRandom((ulong)(m + dropBits));
        var pool = new uint[1000];
        for (int i = 0; i < pool.Length; i++) pool[i] = (uint)(rng.NextULong() >> (32 + dropBits));
        var a = new uint[m];
        for (int k = 0; k < m; k++)   // 30 % drawn from a small pool: many ties among wide values
            a[k] = rng.NextInt(10) < 3 ? pool[rng.NextInt(pool.Length)] : (uint)(rng.NextULong() >> (32 + dropBits));
        // Independent count: dense ranks by sorting, then a Fenwick tree over them.
        var distinct = a.Distinct().OrderBy(v => v).ToArray();
        var tree = new long[distinct.Length + 1];
        long expected = 0, expectedTies = 0;
        var seen = new Dictionary<uint, long>();
        for (int k = 0; k < m; k++)
        {
            int r = Array.BinarySearch(distinct, a[k]) + 1;
            long notGreater = 0;
            for (int i = r; i > 0; i -= i & -i) notGreater += tree[i];
            expected += k - notGreater;
            for (int i = r; i < tree.Length; i += i & -i) tree[i]++;
            expectedTies += seen.TryGetValue(a[k], out long c) ? c : 0;
            seen[a[k]] = c + 1;
        }
        Assert.Equal(expected, Inversions.Count((uint[])a.Clone(), null, out long ties));
        Assert.Equal(expectedTies, ties);
    }

    /// <summary>Textbook O(m²) count: pairs i &lt; j with a[i] &gt; a[j].</summary>
    private static long NaiveInversions(uint[] a)
    {
        long count = 0;
        for (int i = 0; i < a.Length; i++)
            for (int j = i + 1; j < a.Length; j++)
                if (a[i] > a[j]) count++;
        return count;
    }

    [Theory]
    [InlineData(0, 1u, 0u)]
    [InlineData(1, 5u, 0u)]
    [InlineData(2, 2u, 0u)]          // 2 elements: 0 or 1 inversion, or a tie
    [InlineData(3, 3u, 0u)]
    [InlineData(31, 4u, 0u)]         // around the insertion-sort leaf (32)
    [InlineData(32, 40u, 0u)]
    [InlineData(33, 40u, 0u)]
    [InlineData(34, 2u, 0u)]
    [InlineData(65, 16u, 0u)]        // one digit's worth of distinct values
    [InlineData(257, 17u, 0u)]
    [InlineData(1000, 1u, 0u)]       // all equal
    [InlineData(1000, 3u, 0u)]
    [InlineData(3000, 3000u, 0u)]
    [InlineData(4099, 700u, 0xABC00000u)]   // common high bits: digits with one value are skipped
    [InlineData(2500, uint.MaxValue, 0u)]   // full 32-bit values
    [InlineData(2500, 6u, 0xFFFFFFF0u)]     // values at the top of the range, many ties
    public void InversionCountEqualsNaiveCount(int m, uint distinct, uint offset)
    {
        for (ulong seed = 1; seed <= 3; seed++)
        {
            var rng = new SeededRandom(seed * 7919 + (ulong)m);
            var a = new uint[m];
            for (int k = 0; k < m; k++)
                a[k] = offset + (distinct == uint.MaxValue ? (uint)rng.NextULong() : (uint)(rng.NextULong() % distinct));
            long expected = NaiveInversions(a);
            Assert.Equal(expected, Inversions.Count((uint[])a.Clone()));
            Assert.Equal(expected, Inversions.Count((uint[])a.Clone(), new uint[m + 5]));   // longer scratch
            long naiveTies = 0;
            for (int i = 0; i < m; i++)
                for (int j = i + 1; j < m; j++)
                    if (a[i] == a[j]) naiveTies++;
            Assert.Equal(expected, Inversions.Count((uint[])a.Clone(), null, out long ties));
            Assert.Equal(naiveTies, ties);
        }
        // Sorted ascending: none; descending without ties: all pairs.
        var up = Enumerable.Range(0, m).Select(v => (uint)v).ToArray();
        Assert.Equal(0, Inversions.Count(up));
        var down = Enumerable.Range(0, m).Select(v => (uint)(m - v)).ToArray();
        Assert.Equal((long)m * (m - 1) / 2, Inversions.Count(down));
    }

    [Fact]
    public void AverageRanksMatchRankdataConvention()
    {
        Assert.Equal([3.0, 1.5, 1.5, 4.0, 6.0, 6.0, 6.0], Ranks.Average([2.0, -1.0, -1.0, 5.0, 7.0, 7.0, 7.0]));
        Assert.Equal([1.5, 1.5, 3.0], Ranks.Average([-0.0, 0.0, 1.0])); // -0 ties +0
        Assert.Equal([2.0, 1.0, 3.0], Ranks.Average([0.0, double.NegativeInfinity, double.PositiveInfinity]));
        Assert.Equal([2.0, 1.0], Ranks.Average([1f, 0.5f]));
        Assert.Throws<SimileException>(() => Ranks.Average([1.0, double.NaN]));
    }

    [Fact]
    public void RadixRanksEqualNaiveRanks()
    {
        var rng = new SeededRandom(21);
        int m = 5000;
        var v = new double[m];
        for (int k = 0; k < m; k++)
            v[k] = (k % 3) switch { 0 => rng.NextInt(50) - 25.0, 1 => rng.NextGaussian() * 1e-300, _ => rng.NextGaussian() * 1e30 };
        var r = Ranks.Average(v);
        for (int k = 0; k < m; k += 7)
        {
            int less = 0, equal = 0;
            foreach (double w in v) { if (w < v[k]) less++; else if (w == v[k]) equal++; }
            Assert.Equal(less + (equal + 1) / 2.0, r[k]);
        }
    }

    [Fact]
    public void SpearmanMatchesClosedFormAndRhoAWithoutTies()
    {
        var rng = new SeededRandom(3);
        var a = RandomWithTies(rng, 400, 0);
        var b = a.Select(v => Math.Exp(v) + rng.NextGaussian()).ToArray();
        double s = RsaMeasures.Spearman(a, b);
        Assert.Equal(NaiveReference.SpearmanWithoutTies(a, b), s, 1e-12);
        Assert.Equal(s, RsaMeasures.RhoA(a, b), 1e-12);
        // Spearman is invariant to monotone transforms, Pearson is not.
        var expA = a.Select(Math.Exp).ToArray();
        Assert.Equal(s, RsaMeasures.Spearman(expA, b), 1e-15);
        Assert.NotEqual(RsaMeasures.Pearson(a, b), RsaMeasures.Pearson(expA, b), 1e-3);
    }

    [Fact]
    public void ConstantVectorConventions()
    {
        double[] c = [2, 2, 2, 2];
        double[] v = [1, 3, 2, 5];
        Assert.True(double.IsNaN(RsaMeasures.Pearson(c, v)));
        Assert.True(double.IsNaN(RsaMeasures.Spearman(v, c)));
        Assert.True(double.IsNaN(RsaMeasures.KendallTauB(c, v)));
        Assert.Equal(0.0, RsaMeasures.TauA(c, v));
        Assert.Equal(0.0, RsaMeasures.RhoA(c, v));
        Assert.True(double.IsNaN(RsaMeasures.Cosine([0, 0, 0, 0], v)));
        Assert.Equal(1.0, RsaMeasures.Cosine(c, c), 1e-15);
    }

    [Fact]
    public void LengthMismatchAndNaNAreUserErrors()
    {
        foreach (var m in Enum.GetValues<RsaMeasure>())
        {
            var e = Assert.Throws<SimileException>(() => RsaMeasures.Compute(m, [1.0, 2, 3], [1.0, 2]));
            Assert.Contains("different lengths", e.Message);
            var n = Assert.Throws<SimileException>(() => RsaMeasures.Compute(m, [1.0, 2, 3], [1.0, double.NaN, 3]));
            Assert.Contains("position 1", n.Message);
        }
    }

    [Fact]
    public void FloatOverloadWidensExactly()
    {
        float[] a = [0.1f, 0.7f, 0.3f, 0.9f];
        float[] b = [1f, 3f, 2f, 2.5f];
        foreach (var m in Enum.GetValues<RsaMeasure>())
            Assert.Equal(RsaMeasures.Compute(m, a.Select(x => (double)x).ToArray(), b.Select(x => (double)x).ToArray()),
                RsaMeasures.Compute(m, a, b));
    }

    [Fact]
    public void NamesRoundTrip()
    {
        foreach (var m in Enum.GetValues<RsaMeasure>()) Assert.Equal(m, RsaMeasures.Parse(m.Name()));
        Assert.Throws<SimileException>(() => RsaMeasures.Parse("bures"));
    }
}
