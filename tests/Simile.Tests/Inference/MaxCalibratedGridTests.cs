using Simile.Inference;
using Xunit;

namespace Simile.Tests.Inference;

/// <summary>
/// The max-calibrated grid test against a plain re-computation: for each permutation the whole grid is recomputed with
/// the naive Pearson, its most extreme candidate taken, and the counts of the definitions (cell ≥ observed, maximum ≥
/// observed) turned into (k + 1)/(N + 1) by hand.
/// </summary>
public class MaxCalibratedGridTests
{
    private static double[][] Vectors(int count, int length, int seed)
    {
        var rng = new Random(seed);
        var shared = Enumerable.Range(0, length).Select(_ => rng.NextDouble()).ToArray();
        return Enumerable.Range(0, count).Select(r => shared.Select(v => v * (r % 2 == 0 ? 1 : 0.3) + rng.NextDouble()).ToArray()).ToArray();
    }

    /// <summary>Cell (r, c) = Pearson(rows[r], columns[c] with its items relabelled by π).</summary>
    private static void Grid(double[][] rows, double[][] columns, int[] perm, double[] grid, bool within)
    {
        for (int r = 0; r < rows.Length; r++)
            for (int c = 0; c < columns.Length; c++)
                grid[r * columns.Length + c] = within && r == c ? double.NaN
                    : NaiveReference.Pearson(rows[r], perm.Select(i => columns[c][i]).ToArray());
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, true)]
    [InlineData(false, false)]   // a distance: smaller is more extreme
    public void PValuesEqualTheirDefinitions(bool within, bool larger)
    {
        int items = 15, permutations = 60;
        ulong seed = 5;
        var rows = Vectors(3, items, 1);
        var columns = within ? rows : Vectors(4, items, 2);
        int nr = rows.Length, nc = columns.Length;
        var identity = Enumerable.Range(0, items).ToArray();
        var observed = new double[nr * nc];
        Grid(rows, columns, identity, observed, within: false);
        double More(double v) => larger ? v : -v;
        bool Candidate(int r, int c) => !within || r != c;

        var result = MaxCalibratedGrid.Run(observed, nr, nc, within, larger, items, permutations, seed, () => 0,
            (perm, grid, _) => Grid(rows, columns, perm, grid, within), blockSize: 7);

        var cellCount = new int[nr * nc];
        var maxCount = new int[nr * nc];
        var perm = new int[items];
        var g = new double[nr * nc];
        for (int p = 0; p < permutations; p++)
        {
            Permutations.Fill(seed, p, perm);
            Grid(rows, columns, perm, g, within);
            double max = double.NegativeInfinity;
            for (int r = 0; r < nr; r++)
                for (int c = 0; c < nc; c++)
                    if (Candidate(r, c)) max = Math.Max(max, More(g[r * nc + c]));
            for (int i = 0; i < nr * nc; i++)
            {
                if (More(g[i]) >= More(observed[i]) - 1e-12) cellCount[i]++;
                if (max >= More(observed[i]) - 1e-12) maxCount[i]++;
            }
        }
        int bestR = 0, bestC = within ? 1 : 0;
        for (int r = 0; r < nr; r++)
            for (int c = 0; c < nc; c++)
                if (Candidate(r, c) && More(observed[r * nc + c]) > More(observed[bestR * nc + bestC])) { bestR = r; bestC = c; }
        Assert.Equal((bestR, bestC), (result.BestRow, result.BestColumn));
        Assert.Equal(observed[bestR * nc + bestC], result.BestValue);
        for (int r = 0; r < nr; r++)
            for (int c = 0; c < nc; c++)
            {
                int i = r * nc + c;
                if (!Candidate(r, c)) { Assert.True(double.IsNaN(result.CellPValues[i]) && double.IsNaN(result.MaxAdjustedPValues[i])); continue; }
                Assert.Equal((cellCount[i] + 1.0) / (permutations + 1.0), result.CellPValues[i]);
                Assert.Equal((maxCount[i] + 1.0) / (permutations + 1.0), result.MaxAdjustedPValues[i]);
            }
        Assert.Equal(result.MaxAdjustedPValues[bestR * nc + bestC], result.MaxPValue);
    }

    [Fact]
    public void AnUndefinedCellHasAnUndefinedP()
    {
        var observed = new[] { 0.5, double.NaN, 0.2, 0.1 };
        var result = MaxCalibratedGrid.Run(observed, 2, 2, within: false, larger: true, items: 6, permutations: 20, seed: 1, () => 0,
            (perm, grid, _) => { for (int i = 0; i < 4; i++) grid[i] = perm[i] / 10.0; });
        Assert.True(double.IsNaN(result.CellPValues[1]));
        Assert.True(double.IsNaN(result.MaxAdjustedPValues[1]));
        Assert.False(double.IsNaN(result.CellPValues[0]));
        Assert.Equal((0, 0), (result.BestRow, result.BestColumn));
    }

    [Fact]
    public void NoPermutationsGiveTheBestCellAndNoP()
    {
        var result = MaxCalibratedGrid.Run([0.1, 0.9, 0.4, 0.3], 2, 2, within: true, larger: true, items: 5, permutations: 0, seed: 1, () => 0,
            (_, _, _) => throw new InvalidOperationException("not called"));
        Assert.Equal((0, 1), (result.BestRow, result.BestColumn));
        Assert.True(double.IsNaN(result.MaxPValue));
        Assert.All(result.CellPValues, p => Assert.True(double.IsNaN(p)));
    }
}
