using Simile.Data;
using Simile.Inference;
using Simile.Similarity;
using Xunit;

namespace Simile.Tests.Similarity;

public class DissimilarityTests
{
    public static TheoryData<string> Cases => new() { "c1", "c2", "c3" };

    [Theory]
    [MemberData(nameof(Cases))]
    public void SqEuclideanPerFeatureMatchesRsatoolboxEuclidean(string c)
    {
        var x = ReferenceData.Case(c);
        var rdm = Dissimilarity.Compute(x, DissimilarityKind.SqEuclideanPerFeature);
        ReferenceData.Close(ReferenceData.Vector(c, "rsatoolbox_rdm_euclidean"), rdm.Condensed, what: c);
        ReferenceData.Close(ReferenceData.Vector(c, "scipy_pdist_sqeuclidean_div_nfeatures"), rdm.Condensed, what: c);
        Assert.Equal(x.Rows, rdm.N);
        Assert.Equal(DissimilarityKind.SqEuclideanPerFeature, rdm.Kind);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void CorrelationMatchesRsatoolboxAndScipy(string c)
    {
        var rdm = Dissimilarity.Compute(ReferenceData.Case(c), DissimilarityKind.Correlation);
        ReferenceData.Close(ReferenceData.Vector(c, "rsatoolbox_rdm_correlation"), rdm.Condensed, what: c);
        ReferenceData.Close(ReferenceData.Vector(c, "scipy_pdist_correlation"), rdm.Condensed, what: c);
    }

    /// <summary>Integer features: every product is exact, so scipy's cosine formula gives one exact value per pair, and
    /// mathematically equal cosines tie exactly. Every route must give those values bit for bit, so the rank measures
    /// (which see the ties) equal scipy's too.</summary>
    [Fact]
    public void CosineOfIntegerFeaturesEqualsScipyBitForBitTiesIncluded()
    {
        var rng = new SeededRandom(11);
        Matrix Integers(int n, int d)
        {
            var m = new Matrix(n, d);
            for (int i = 0; i < n; i++)
                for (int k = 0; k < d; k++) m[i, k] = (k == 0 ? 1 : 0) + rng.NextInt(4);   // column 0 ≥ 1: no zero row
            return m;
        }
        var a = Integers(60, 5);
        var b = Integers(60, 4);
        var expectedA = NaiveReference.ScipyCosineDistance(a);
        var expectedB = NaiveReference.ScipyCosineDistance(b);
        Assert.True(expectedA.Length - expectedA.Distinct().Count() > 500, "the case must have many exact ties");

        var explicitA = Dissimilarity.Compute(a, DissimilarityKind.Cosine).Condensed;
        Assert.Equal(expectedA, explicitA);
        var streamed = new double[expectedA.Length];
        Dissimilarity.ForEachRowBlock(a, DissimilarityKind.Cosine, 7, (i0, rows, block) =>
        {
            for (int r = 0; r < rows; r++)
                for (int j = i0 + r + 1; j < a.Rows; j++)
                    streamed[CondensedIndex.Of(a.Rows, i0 + r, j)] = block[(long)r * a.Rows + j];
        });
        Assert.Equal(expectedA, streamed);

        var explicitB = Dissimilarity.Compute(b, DissimilarityKind.Cosine).Condensed;
        Assert.Equal(expectedB, explicitB);
        Assert.Equal(NaiveReference.KendallTauB(expectedA, expectedB), Simile.Comparison.RsaMeasures.KendallTauB(explicitA, explicitB), 1e-14);
    }

    /// <summary>Integer features: scipy's euclidean √Σ(x−y)² and rsatoolbox's euclidean (qᵢ + qⱼ − 2xᵢ·xⱼ)/d are exact
    /// sums, so both kinds must give them bit for bit (ties included), through every route.</summary>
    [Fact]
    public void EuclideanKindsOfIntegerFeaturesEqualScipyAndRsatoolboxBitForBit()
    {
        var rng = new SeededRandom(12);
        var x = new Matrix(50, 6);
        for (int i = 0; i < x.Rows; i++)
            for (int k = 0; k < x.Cols; k++) x[i, k] = 1000 + rng.NextInt(5);   // far from the origin: centring would round
        var scipy = new List<double>();
        var rsatoolbox = new List<double>();
        for (int i = 0; i < x.Rows; i++)
            for (int j = i + 1; j < x.Rows; j++)
            {
                double s = 0, qi = 0, qj = 0, g = 0;
                for (int k = 0; k < x.Cols; k++)
                {
                    s += (x[i, k] - x[j, k]) * (x[i, k] - x[j, k]);
                    qi += x[i, k] * x[i, k]; qj += x[j, k] * x[j, k]; g += x[i, k] * x[j, k];
                }
                scipy.Add(Math.Sqrt(s));
                rsatoolbox.Add((qi + qj - 2 * g) / x.Cols);
            }
        Assert.True(scipy.Count - scipy.Distinct().Count() > 500, "the case must have many exact ties");
        Assert.Equal(scipy.ToArray(), Dissimilarity.Compute(x, DissimilarityKind.Euclidean).Condensed);
        Assert.Equal(rsatoolbox.ToArray(), Dissimilarity.Compute(x, DissimilarityKind.SqEuclideanPerFeature).Condensed);
        var streamed = new double[scipy.Count];
        Dissimilarity.ForEachRowBlock(x, DissimilarityKind.Euclidean, 9, (i0, rows, block) =>
        {
            for (int r = 0; r < rows; r++)
                for (int j = i0 + r + 1; j < x.Rows; j++)
                    streamed[CondensedIndex.Of(x.Rows, i0 + r, j)] = block[(long)r * x.Rows + j];
        });
        Assert.Equal(scipy.ToArray(), streamed);
        Assert.False(DissimilarityRows.ExactIntegers(new Matrix(1, 2, [0.5, 1])));
        Assert.False(DissimilarityRows.ExactIntegers(new Matrix(1, 2, [1e8, 1])));   // 4·d·max² > 2⁵³
        Assert.True(DissimilarityRows.ExactIntegers(new Matrix(1, 2, [-3, 7])));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EuclideanMatchesScipyPdist(string c)
    {
        var rdm = Dissimilarity.Compute(ReferenceData.Case(c), DissimilarityKind.Euclidean);
        ReferenceData.Close(ReferenceData.Vector(c, "scipy_pdist_euclidean"), rdm.Condensed, what: c);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void CosineMatchesScipy(string c)
    {
        var x = ReferenceData.Case(c);
        var sim = ReferenceData.Vector(c, "scipy_cosine_similarity_triu");
        ReferenceData.Close(sim, Dissimilarity.CosineSimilarity(x), what: c);
        var rdm = Dissimilarity.Compute(x, DissimilarityKind.Cosine);
        ReferenceData.Close(sim.Select(s => 1 - s).ToArray(), rdm.Condensed, what: c);
    }

    [Fact]
    public void EuclideanIsExactForNearlyIdenticalRowsFarFromTheOrigin()
    {
        // Rows at distance ~1e-6 from each other, ~1e3 from the origin: the Gram form would lose ~all digits.
        var rng = new SeededRandom(5);
        int n = 5, d = 40;
        var x = new Matrix(n, d);
        var centre = Enumerable.Range(0, d).Select(_ => 1000 * rng.NextGaussian()).ToArray();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                x[i, j] = centre[j] + 1e-6 * rng.NextGaussian();
        var rdm = Dissimilarity.Compute(x, DissimilarityKind.Euclidean);
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double s = 0;
                for (int k = 0; k < d; k++) s += (x[i, k] - x[j, k]) * (x[i, k] - x[j, k]);
                ReferenceData.Close(Math.Sqrt(s), rdm[i, j], 1e-12, $"({i},{j})");
            }
    }

    [Fact]
    public void BlocksCoverLargeNExactlyOnce()
    {
        // n spans several row blocks; compare every pair with the direct formula.
        var rng = new SeededRandom(8);
        int n = 150, d = 7;
        var x = new Matrix(n, d);
        for (int k = 0; k < x.Values.Length; k++) x.Values[k] = rng.NextGaussian();
        var rdm = Dissimilarity.Compute(x, DissimilarityKind.SqEuclideanPerFeature);
        var sim = Dissimilarity.CosineSimilarity(x);
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double s = 0, dot = 0, ni = 0, nj = 0;
                for (int k = 0; k < d; k++)
                {
                    s += (x[i, k] - x[j, k]) * (x[i, k] - x[j, k]);
                    dot += x[i, k] * x[j, k]; ni += x[i, k] * x[i, k]; nj += x[j, k] * x[j, k];
                }
                Assert.Equal(s / d, rdm[i, j], 1e-12);
                Assert.Equal(dot / Math.Sqrt(ni * nj), sim[CondensedIndex.Of(n, i, j)], 1e-12);
            }
    }

    [Fact]
    public void ZeroRowWithCosineNamesTheWord()
    {
        var x = Matrix.FromArray(new double[,] { { 1, 2 }, { 0, 0 }, { 3, 1 } });
        var e = Assert.Throws<SimileException>(() => Dissimilarity.Compute(x, DissimilarityKind.Cosine, ["a", "void", "c"]));
        Assert.Contains("row 2 ('void')", e.Message);
        Assert.Contains("all zeros", e.Message);
        Assert.Throws<SimileException>(() => Dissimilarity.CosineSimilarity(x));
        // euclidean is fine with a zero row
        Assert.Equal(Math.Sqrt(5), Dissimilarity.Compute(x, DissimilarityKind.Euclidean)[0, 1], 1e-15);
    }

    [Fact]
    public void ConstantRowWithCorrelationNamesTheRow()
    {
        var x = Matrix.FromArray(new double[,] { { 1, 2, 3 }, { 4, 1, 0 }, { 3, 1, 1 }, { 7, 7, 7 } });
        var e = Assert.Throws<SimileException>(() => Dissimilarity.Compute(x, DissimilarityKind.Correlation));
        Assert.Contains("row 4", e.Message);
        Assert.Contains("constant", e.Message);
        Assert.False(string.IsNullOrWhiteSpace(e.Fix));
        Assert.Equal(7, x[3, 0]); // input untouched
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void NonFiniteValuesAreRejectedWithRowAndColumn(double bad)
    {
        var x = Matrix.FromArray(new double[,] { { 1, 2, 3 }, { 4, 1, 0 }, { 3, bad, 1 } });
        foreach (var kind in Enum.GetValues<DissimilarityKind>())
        {
            var e = Assert.Throws<SimileException>(() => Dissimilarity.Compute(x, kind, ["a", "b", "cat"]));
            Assert.Contains("row 3 ('cat'), column 2", e.Message);
        }
    }

    [Fact]
    public void FewerThanThreeRowsIsAnError()
    {
        var x = Matrix.FromArray(new double[,] { { 1, 2 }, { 3, 4 } });
        var e = Assert.Throws<SimileException>(() => Dissimilarity.Compute(x, DissimilarityKind.Euclidean));
        Assert.Contains("at least 3", e.Message);
    }

    [Fact]
    public void IdenticalRowsGiveZeroEuclideanAndTinyCorrelation()
    {
        var x = Matrix.FromArray(new double[,] { { 1, 2, 4 }, { 1, 2, 4 }, { 3, 1, 1 } });
        Assert.Equal(0.0, Dissimilarity.Compute(x, DissimilarityKind.Euclidean)[0, 1]);
        Assert.Equal(0.0, Dissimilarity.Compute(x, DissimilarityKind.SqEuclideanPerFeature)[0, 1]);
        Assert.True(Math.Abs(Dissimilarity.Compute(x, DissimilarityKind.Correlation)[0, 1]) < 1e-15);
    }
}
