using Simile.Tests.Comparison;
using Simile.Analyses;
using Simile.Comparison;
using Simile.Similarity;
using Xunit;

namespace Simile.Tests.Analyses;

/// <summary>
/// The whole-vocabulary (scale) route against an independent oracle: the dissimilarities by their formulas in plain loops
/// (<see cref="ExplicitRoute.Condensed"/>) and every RSA measure from its definition (<see cref="NaiveReference.Rsa"/>).
/// </summary>
public class ExplicitLibraryRouteTests
{
    [Theory]
    [InlineData(DissimilarityKind.Cosine, 50, 12, 30)]
    [InlineData(DissimilarityKind.Correlation, 25, 40, 8)]
    [InlineData(DissimilarityKind.SqEuclideanPerFeature, 44, 6, 6)]
    [InlineData(DissimilarityKind.Euclidean, 31, 9, 17)]
    public void WholeVocabularyEqualsExplicitRoute(DissimilarityKind kind, int n, int da, int db)
    {
        var (a, b) = ExplicitRoute.RandomPair(n, da, db, (ulong)(7 * n + db), 0.4);
        var ra = ExplicitRoute.Condensed(a, kind);
        var rb = ExplicitRoute.Condensed(b, kind);
        var r = WholeVocabularyRsa.Run(a, b, kind, Enum.GetValues<RsaMeasure>());
        foreach (var m in Enum.GetValues<RsaMeasure>())
            Assert.Equal(NaiveReference.Rsa(m, ra, rb), r.Measures[m], 1e-11);
    }
}
