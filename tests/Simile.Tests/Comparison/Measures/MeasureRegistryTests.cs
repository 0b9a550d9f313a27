using Simile.Comparison.Measures;
using Simile.Data;
using Xunit;

namespace Simile.Tests.Comparison.Measures;

public class MeasureRegistryTests
{
    [Fact]
    public void EveryMeasureHasItsMetadata()
    {
        Assert.Equal(MeasureRegistry.All.Count, MeasureRegistry.Names.Distinct().Count());
        foreach (var m in MeasureRegistry.All)
        {
            Assert.False(string.IsNullOrWhiteSpace(m.Reference), m.Name);
            Assert.False(string.IsNullOrWhiteSpace(m.Scale), m.Name);
            if (m.Direction == MeasureDirection.Distance) Assert.Equal(0.0, m.IdentityValue);
        }
        foreach (var legacy in MeasureRegistry.Legacy) Assert.True(MeasureRegistry.TryGet(legacy, out _), legacy);
        Assert.Equal("mutual_knn", MeasureRegistry.Get("Mutual-KNN").Name);
    }

    [Theory]
    [InlineData("cka_rbf")]
    [InlineData("rsm_norm_difference")]
    [InlineData("distance_correlation")]
    public void QuadraticMeasuresRefuseTooManyItemsWithAClearError(string name)
    {
        int n = ResiMeasures.QuadraticLimit + 1;
        var x = new Matrix(n, 2);
        for (int i = 0; i < n; i++) { x[i, 0] = i; x[i, 1] = i % 7; }
        var e = Assert.Throws<SimileException>(() => MeasureRegistry.Compute(name, x, x));
        Assert.Contains("8,000", e.Message);
        Assert.Contains("mutual_knn", e.Fix);
    }

    [Fact]
    public void UnknownNameAndBadOptionsAreUserErrors()
    {
        var x = new Matrix(5, 2, [1, 2, 3, 4, 5, 6, 7, 8, 9, 1]);
        Assert.Throws<SimileException>(() => MeasureRegistry.Get("nope"));
        Assert.Throws<SimileException>(() => MeasureRegistry.Compute("mutual_knn", x, x, new MeasureParameters { K = 5 }));
        Assert.Throws<SimileException>(() => MeasureRegistry.Compute("shape_metric", x, x, new MeasureParameters { Alpha = 1.5 }));
        Assert.Throws<SimileException>(() => MeasureRegistry.Compute("cka_rbf", x, x, new MeasureParameters { RbfThreshold = 0 }));
        Assert.Throws<SimileException>(() => MeasureParameters.ParseScore("manhattan"));
    }
}
