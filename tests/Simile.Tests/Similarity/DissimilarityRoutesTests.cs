using Simile.Comparison;
using Simile.Data;
using Simile.Inference;
using Simile.Similarity;
using Xunit;

namespace Simile.Tests.Similarity;

/// <summary>
/// The explicit (condensed), streaming (square blocks) and large-scale (GEMM blocks of the rank/blockwise routes)
/// dissimilarity routes against scipy's references and, for euclidean rows that nearly coincide far from the origin,
/// against the direct differences written out here (the case where the Gram form cancels).
/// </summary>
public class DissimilarityRoutesTests
{
    public static TheoryData<string, string> Cases => new()
    {
        { "c1", "euclidean" }, { "c2", "euclidean" }, { "c3", "euclidean" },
        { "c1", "correlation" }, { "c2", "correlation" }, { "c3", "correlation" },
        { "c1", "sqeuclidean-per-feature" }, { "c2", "sqeuclidean-per-feature" },
    };

    private static string ScipyKey(DissimilarityKind kind) => kind switch
    {
        DissimilarityKind.Euclidean => "scipy_pdist_euclidean",
        DissimilarityKind.Correlation => "scipy_pdist_correlation",
        _ => "scipy_pdist_sqeuclidean_div_nfeatures",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryRouteMatchesScipy(string c, string kindName)
    {
        var kind = DissimilarityKinds.Parse(kindName);
        var x = ReferenceData.Case(c);
        var want = ReferenceData.Vector(c, ScipyKey(kind));
        ReferenceData.Close(want, Dissimilarity.Compute(x, kind).Condensed, what: c + " explicit");
        ReferenceData.Close(want, Streamed(x, kind), what: c + " streaming");
        ReferenceData.Close(want, LargeScale(x, kind), what: c + " large-scale");
    }

    [Fact]
    public void CosineRoutesMatchScipy()
    {
        var x = ReferenceData.Case("c2");
        var want = ReferenceData.Vector("c2", "scipy_cosine_similarity_triu").Select(s => 1 - s).ToArray();
        ReferenceData.Close(want, Streamed(x, DissimilarityKind.Cosine), what: "streaming");
        ReferenceData.Close(want, LargeScale(x, DissimilarityKind.Cosine), what: "large-scale");
    }

    [Fact]
    public void EuclideanNearDuplicatesAreExactInEveryRoute()
    {
        // Rows ~1e-6 apart, ~1e3 from the origin, plus an exact duplicate: the Gram form alone loses all digits.
        var rng = new SeededRandom(11);
        int n = 7, d = 33;
        var x = new Matrix(n, d);
        var centre = Enumerable.Range(0, d).Select(_ => 1000 * rng.NextGaussian()).ToArray();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                x[i, j] = centre[j] + 1e-6 * rng.NextGaussian();
        for (int j = 0; j < d; j++) x[n - 1, j] = x[0, j];
        var direct = new double[CondensedIndex.Length(n)];
        for (int i = 0, k = 0; i < n; i++)
            for (int j = i + 1; j < n; j++, k++)
            {
                double s = 0;
                for (int f = 0; f < d; f++) s += (x[i, f] - x[j, f]) * (x[i, f] - x[j, f]);
                direct[k] = Math.Sqrt(s);
            }
        foreach (var (route, got) in new[]
                 {
                     ("explicit", Dissimilarity.Compute(x, DissimilarityKind.Euclidean).Condensed),
                     ("streaming", Streamed(x, DissimilarityKind.Euclidean)),
                     ("large-scale", LargeScale(x, DissimilarityKind.Euclidean)),
                 })
        {
            ReferenceData.Close(direct, got, 1e-12, route);
            Assert.Equal(0.0, got[CondensedIndex.Of(n, 0, n - 1)]); // the exact duplicate: an exact tie at 0
        }
    }

    private static double[] Streamed(Matrix x, DissimilarityKind kind)
    {
        int n = x.Rows;
        var c = new double[CondensedIndex.Length(n)];
        Dissimilarity.ForEachRowBlock(x, kind, 2, (i0, rows, block) =>
        {
            for (int r = 0; r < rows; r++)
                for (int j = i0 + r + 1; j < n; j++) c[CondensedIndex.Of(n, i0 + r, j)] = block[(long)r * n + j];
        });
        return c;
    }

    private static double[] LargeScale(Matrix x, DissimilarityKind kind)
    {
        int n = x.Rows;
        var pairs = new PairDissimilarities(x, kind, "first", null);
        var block = new double[(long)n * n];
        var c = new double[CondensedIndex.Length(n)];
        pairs.ComputeBlock(0, n, block);
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) c[CondensedIndex.Of(n, i, j)] = pairs.Value(block, 0, i, j);
        return c;
    }
}
