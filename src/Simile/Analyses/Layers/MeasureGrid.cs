using Simile.Comparison.Measures;
using Simile.Data;
using Simile.Inference;

namespace Simile.Analyses.Layers;

/// <summary>
/// Representation × representation grids filled with any registered measure (<c>layers --measure NAME</c>), with the
/// same max-calibrated permutation p as the RSA grids: permutation p shuffles the items with
/// SeededRandom.ForBlock(seed, p) (Fisher–Yates on the identity), permutes the rows of every column representation,
/// recomputes the whole grid and keeps its best cell (largest for similarities, smallest for distances): the test is
/// <see cref="MaxCalibratedGrid"/> — the platonic-rep "best layer pair" workflow without its upward bias. Within one
/// model the diagonal (f(X, X)) is not a candidate.
/// </summary>
public static class MeasureGrid
{
    public static RsaGrid Grid(string measure, MeasureParameters parameters, string rowModel, string columnModel,
        IReadOnlyList<string> rowLabels, IReadOnlyList<string> columnLabels, IReadOnlyList<Matrix> rows, IReadOnlyList<Matrix> columns,
        bool within, int permutations, ulong seed, IProgress<double>? progress = null)
    {
        var info = MeasureRegistry.Get(measure);
        int ra = rows.Count, rb = columns.Count, n = rows[0].Rows;
        var observed = new double[ra * rb];
        Fill(info, parameters, rows, columns, observed, within, includeDiagonal: true);
        var test = MaxCalibratedGrid.Run(observed, ra, rb, within, larger: info.Direction == MeasureDirection.Similarity, n,
            permutations, seed, () => 0,
            (perm, grid, _) => Fill(info, parameters, rows, columns.Select(m => m.SelectRows(perm)).ToList(), grid, within, includeDiagonal: false),
            blockSize: 1, parallel: new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, progress: progress);
        return new RsaGrid(rowModel, columnModel, rowLabels.ToList(), columnLabels.ToList(), within, observed,
            test.BestRow, test.BestColumn, test.BestValue, permutations, seed, test.MaxPValue, test.CellPValues, test.MaxAdjustedPValues);
    }

    private static void Fill(MeasureInfo info, MeasureParameters parameters, IReadOnlyList<Matrix> rows, IReadOnlyList<Matrix> columns,
        double[] grid, bool within, bool includeDiagonal)
    {
        int rb = columns.Count;
        for (int r = 0; r < rows.Count; r++)
            for (int c = 0; c < rb; c++)
            {
                if (within && r == c && !includeDiagonal) { grid[r * rb + c] = double.NaN; continue; }
                try { grid[r * rb + c] = MeasureRegistry.Compute(info, new MeasureInputs(rows[r], columns[c], parameters)); }
                catch (MeasureUndefinedException) { grid[r * rb + c] = double.NaN; }
            }
    }
}
