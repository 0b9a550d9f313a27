using Simile.Tests.Comparison;
using Simile.Analyses;
using Simile.Comparison;
using Simile.Similarity;
using Xunit;

namespace Simile.Tests.Analyses;

public class WholeVocabularyRsaTests
{
    [Theory]
    [InlineData(DissimilarityKind.Cosine)]
    [InlineData(DissimilarityKind.Euclidean)]
    [InlineData(DissimilarityKind.SqEuclideanPerFeature)]
    public void AllMeasuresMatchTheExplicitRoute(DissimilarityKind kind)
    {
        var (a, b) = ExplicitRoute.RandomPair(36, 10, 6, 5, 0.2);
        var va = ExplicitRoute.Condensed(a, kind);
        var vb = ExplicitRoute.Condensed(b, kind);
        var all = Enum.GetValues<RsaMeasure>();
        var reports = new List<double>();
        var r = WholeVocabularyRsa.Run(a, b, kind, all, progress: new SyncProgress(reports.Add));
        Assert.Equal(36, r.Items);
        Assert.Equal(va.Length, r.Pairs);
        Assert.Equal(NaiveReference.Pearson(va, vb), r.Measures[RsaMeasure.Pearson], 1e-12);
        Assert.Equal(ExplicitRoute.Cosine(va, vb), r.Measures[RsaMeasure.Cosine], 1e-12);
        foreach (var m in LargeScaleRankRsa.RankMeasures) Assert.Equal(NaiveReference.Rsa(m, va, vb), r.Measures[m], 1e-11);   // ranks from their definition
        Assert.Equal(kind == DissimilarityKind.Euclidean ? "blockwise" : "feature-space", r.Routes[RsaMeasure.Pearson]);
        Assert.True(r.PeakBytes > 0);
        Assert.Equal(1.0, reports[^1]);
        for (int i = 1; i < reports.Count; i++) Assert.True(reports[i] >= reports[i - 1] - 1e-12, "progress goes forward");
    }

    [Fact]
    public void PermutationTestIsSeededAndReported()
    {
        var (a, b) = ExplicitRoute.RandomPair(20, 5, 5, 9);
        var r1 = WholeVocabularyRsa.Run(a, b, DissimilarityKind.Correlation, [RsaMeasure.Pearson], permutations: 99, seed: 7);
        var r2 = WholeVocabularyRsa.Run(a, b, DissimilarityKind.Correlation, [RsaMeasure.Pearson], permutations: 99, seed: 7);
        Assert.NotNull(r1.PearsonPermutation);
        Assert.Equal(r1.PearsonPermutation, r2.PearsonPermutation);
        Assert.Equal(r1.Measures[RsaMeasure.Pearson], r1.PearsonPermutation!.Observed, 1e-15);
        Assert.Equal(99, r1.PearsonPermutation.Permutations);
    }

    [Fact]
    public void DensityGridCountsEveryPairInItsBin()
    {
        var (a, b) = ExplicitRoute.RandomPair(50, 8, 12, 21, 0.5);
        var kind = DissimilarityKind.Cosine;
        var g = WholeVocabularyRsa.Density(a, b, kind, bins: 7);
        var va = ExplicitRoute.Condensed(a, kind);
        var vb = ExplicitRoute.Condensed(b, kind);
        Assert.Equal(va.Length, g.Counts.Sum());
        Assert.Equal(va.Min(), g.MinA, 1e-12);
        Assert.Equal(vb.Max(), g.MaxB, 1e-12);
        var expected = new long[49];
        for (int k = 0; k < va.Length; k++)
        {
            int r = Math.Clamp((int)((va[k] - g.MinA) / ((g.MaxA - g.MinA) / 7)), 0, 6);
            int c = Math.Clamp((int)((vb[k] - g.MinB) / ((g.MaxB - g.MinB) / 7)), 0, 6);
            expected[r * 7 + c]++;
        }
        // Values within round-off of a bin edge may land on either side; allow a handful to move.
        long moved = expected.Zip(g.Counts, (x, y) => Math.Abs(x - y)).Sum();
        Assert.True(moved <= 4, $"{moved} pairs in a different bin");
        Assert.True(g[0, 0] + g[6, 6] > 0 || g.Counts.Count(c => c > 0) > 5);
    }

    [Fact]
    public void RankMeasuresOverBudgetFailBeforeWork()
    {
        var (a, b) = ExplicitRoute.RandomPair(20_000, 3, 3, 2);
        var e = Assert.Throws<SimileException>(() =>
            WholeVocabularyRsa.Run(a, b, DissimilarityKind.Cosine, [RsaMeasure.Pearson, RsaMeasure.Spearman], memoryBudget: 1L << 30));
        Assert.Contains("--limit", e.Fix);
    }
}
