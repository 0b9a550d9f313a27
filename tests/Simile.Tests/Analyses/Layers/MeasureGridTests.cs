using Simile.Analyses.Layers;
using Simile.Comparison.Measures;
using Simile.Data;
using Simile.Inference;
using Xunit;

namespace Simile.Tests.Analyses.Layers;

/// <summary>layers --measure: grids of any registered measure with the max-calibrated permutation p.</summary>
public class MeasureGridTests
{
    private static Matrix Random(int n, int d, int seed)
    {
        var r = new Random(seed);
        var m = new Matrix(n, d);
        for (int i = 0; i < m.Values.Length; i++) m.Values[i] = r.NextDouble() * 2 - 1;
        return m;
    }

    private static Matrix Rotated(Matrix x)
    {
        // a plane rotation of the first two features and a sign flip of the third: orthogonal
        var y = x.Clone();
        double c = Math.Cos(0.7), s = Math.Sin(0.7);
        for (int i = 0; i < x.Rows; i++)
        {
            y[i, 0] = c * x[i, 0] - s * x[i, 1];
            y[i, 1] = s * x[i, 0] + c * x[i, 1];
            y[i, 2] = -x[i, 2];
        }
        return y;
    }

    [Theory]
    [InlineData("cka")]
    [InlineData("procrustes")]    // a distance: the best pair is the smallest
    [InlineData("mutual_knn")]
    public void FindsTheMatchingPairWithTheSmallestPossibleP(string measure)
    {
        var rows = new[] { Random(30, 6, 1), Random(30, 6, 2), Random(30, 6, 3) };
        var cols = new[] { Random(30, 5, 4), Rotated(rows[1]), Random(30, 7, 5) };
        var g = MeasureGrid.Grid(measure, new MeasureParameters { K = 3 }, "a", "b", ["0", "1", "2"], ["0", "1", "2"], rows, cols,
            within: false, permutations: 49, seed: 7);
        Assert.Equal((1, 1), (g.BestRow, g.BestColumn));
        double identity = MeasureRegistry.Get(measure).IdentityValue!.Value;
        Assert.Equal(identity, g.BestValue, 9);
        Assert.Equal(1.0 / 50, g.MaxPValue, 12);
    }

    [Fact]
    public void MaxCalibratedPMatchesANaiveRecomputation()
    {
        var rows = new[] { Random(25, 4, 11), Random(25, 4, 12) };
        var cols = new[] { Random(25, 3, 13), Random(25, 5, 14), Random(25, 4, 15) };
        var p = new MeasureParameters { K = 4 };
        const int n = 40;
        var g = MeasureGrid.Grid("mutual_knn", p, "a", "b", ["0", "1"], ["0", "1", "2"], rows, cols, within: false, permutations: n, seed: 5);
        // naive: for each permutation (the documented stream), recompute every cell and take the maximum
        int k = 0;
        var perm = new int[25];
        for (int q = 0; q < n; q++)
        {
            Permutations.Fill(5, q, perm);
            double mx = double.NegativeInfinity;
            foreach (var r in rows)
                foreach (var c in cols)
                    mx = Math.Max(mx, MeasureRegistry.Compute("mutual_knn", r, c.SelectRows(perm), p));
            if (mx >= g.BestValue - 1e-12) k++;
        }
        Assert.Equal((k + 1.0) / (n + 1.0), g.MaxPValue, 12);
        Assert.True(g.MaxPValue > 0.05, $"unrelated data should not look significant: p = {g.MaxPValue}");
    }

    [Fact]
    public void WithinGridSkipsTheDiagonal()
    {
        var reps = new[] { Random(20, 4, 21), Random(20, 4, 22), Random(20, 4, 23) };
        var g = MeasureGrid.Grid("cka", new MeasureParameters(), "m", "m", ["0", "1", "2"], ["0", "1", "2"], reps, reps, within: true, permutations: 0, seed: 0);
        Assert.NotEqual(g.BestRow, g.BestColumn);
        Assert.Equal(1.0, g[0, 0], 12);
    }
}
