using Simile.Comparison;
using Simile.Data;
using Simile.Similarity;
using Xunit;

namespace Simile.Tests.Comparison;

/// <summary>The vectorised float32 key conversion and row values of the rank route, against the scalar definitions.</summary>
public class SortKeysTests
{
    [Fact]
    public void OfInPlaceEqualsTheScalarKeyElementByElement()
    {
        var rng = new Random(5);
        var values = new float[1003];
        for (int i = 0; i < values.Length; i++) values[i] = (float)((rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-30, 30)));
        values[3] = -0.0f; values[4] = 0.0f; values[5] = float.Epsilon; values[6] = -float.Epsilon;
        values[7] = float.MaxValue; values[8] = float.MinValue; values[9] = float.PositiveInfinity; values[10] = float.NegativeInfinity;
        var bits = values.Select(BitConverter.SingleToUInt32Bits).ToArray();
        SortKeys.OfInPlace(bits);
        for (int i = 0; i < values.Length; i++) Assert.Equal(SortKeys.Of(values[i]), bits[i]);
        Assert.Equal(bits[3], bits[4]);   // −0 and +0: one tie group
    }

    [Theory]
    [InlineData(DissimilarityKind.Cosine)]
    [InlineData(DissimilarityKind.Correlation)]
    [InlineData(DissimilarityKind.Euclidean)]
    [InlineData(DissimilarityKind.SqEuclideanPerFeature)]
    public void RowValuesAreTheScalarPairValuesRoundedToFloat32(DissimilarityKind kind)
    {
        var rng = new Random(11);
        int n = 37, d = 9;
        var x = new Matrix(n, d);
        for (int k = 0; k < x.Values.Length; k++) x.Values[k] = rng.NextDouble() * 2 - 1;
        x.Row(5).CopyTo(x.Row(6));   // duplicate rows: exact ties
        var rows = DissimilarityRows.Prepare(x, kind);
        var u = rows.GramRows;
        for (int i = 0; i < n - 1; i++)
        {
            var g = new double[n - i - 1];
            for (int j = i + 1; j < n; j++) g[j - i - 1] = System.Numerics.Tensors.TensorPrimitives.Dot(u.RowReadOnly(i), u.RowReadOnly(j));
            var dst = new float[g.Length];
            rows.RowValues(i, i + 1, g, dst);
            for (int j = i + 1; j < n; j++) Assert.Equal((float)rows.Value(i, j, g[j - i - 1]), dst[j - i - 1]);
        }
    }
}
