namespace Simile.Inference;

/// <summary>
/// The max-calibrated permutation test of a rows × columns grid of one measure (representation × representation RSA,
/// or any registered measure), and the grid's best cell.
/// <list type="bullet">
/// <item>Candidates: every cell, or within one model (<c>within</c>) every off-diagonal cell (f(X, X) is no finding).</item>
/// <item>"More extreme" is larger for a similarity and smaller for a distance (<c>larger</c> false); the best cell is the
///   most extreme candidate, the first in row-major order on a tie.</item>
/// <item>Permutation p (<see cref="Permutations.Fill"/>(seed, p), <see cref="Permutations.Run{TLocal}"/>) relabels the
///   items of the column side and the caller recomputes the whole grid; the grid's null maximum is its most extreme
///   candidate. A cell's uncorrected p counts the permutations whose same cell is at least as extreme as observed; its
///   max-adjusted p (single-step max-T) counts those whose null maximum is; p = (k + 1)/(N + 1) with
///   <see cref="Permutations.TieTolerance"/>. The best cell's max-adjusted p corrects for having picked the best of
///   many cells.</item>
/// <item>Memory: per worker, one permuted grid and two counts per cell — O(cells), whatever the permutation count.</item>
/// <item>A cell whose observed value is undefined (NaN) has p NaN; undefined permuted cells are never at least as extreme.</item>
/// </list>
/// </summary>
public static class MaxCalibratedGrid
{
    /// <summary>The best cell and the p-values of a grid (row-major, rows × columns; NaN on the diagonal within one model).</summary>
    public sealed record Result(int BestRow, int BestColumn, double BestValue, double MaxPValue, double[] CellPValues, double[] MaxAdjustedPValues);

    /// <summary>
    /// Tests <paramref name="observed"/> (rows × columns, row-major). <paramref name="permutedGrid"/>(π, grid, local) fills
    /// grid with the measure after relabelling the column side's items by π (the diagonal within one model may be left
    /// NaN); <paramref name="init"/> makes each worker's scratch. <paramref name="candidates"/>, when given, narrows the
    /// cells the best cell is chosen from (e.g. the upper triangle of a symmetric grid); p-values cover every candidate
    /// cell of the rule above. No permutations (N = 0): the best cell, every p NaN.
    /// </summary>
    public static Result Run<TLocal>(double[] observed, int rows, int columns, bool within, bool larger, int items,
        int permutations, ulong seed, Func<TLocal> init, Action<int[], double[], TLocal> permutedGrid,
        Func<int, int, bool>? candidates = null, int blockSize = 8, ParallelOptions? parallel = null, IProgress<double>? progress = null)
    {
        int cells = rows * columns;
        if (observed.Length != cells) throw new ArgumentException($"the grid has {observed.Length} values, not {rows} × {columns}", nameof(observed));
        bool Counts(int r, int c) => !within || r != c;
        double More(double v) => larger ? v : -v;   // "more extreme" is larger on this scale

        int bestR = -1, bestC = -1;
        double best = double.NegativeInfinity;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                if (Counts(r, c) && (candidates?.Invoke(r, c) ?? true) && More(observed[r * columns + c]) > best)
                {
                    best = More(observed[r * columns + c]);
                    bestR = r;
                    bestC = c;
                }
        double bestValue = bestR < 0 ? double.NaN : observed[bestR * columns + bestC];
        if (bestR < 0) { bestR = 0; bestC = within && columns > 1 ? 1 : 0; }

        var cellP = new double[cells];
        var adjP = new double[cells];
        Array.Fill(cellP, double.NaN);
        Array.Fill(adjP, double.NaN);
        if (permutations <= 0)
            return new Result(bestR, bestC, bestValue, double.NaN, cellP, adjP);

        var target = new double[cells];   // observed on the "more extreme is larger" scale
        for (int i = 0; i < cells; i++) target[i] = More(observed[i]);
        var cellCounts = new int[cells];
        var maxCounts = new int[cells];
        Permutations.Run(items, permutations, seed,
            () => (Grid: new double[cells], Cell: new int[cells], Max: new int[cells], Local: init()),
            (_, perm, w) =>
            {
                permutedGrid(perm, w.Grid, w.Local);
                double nullMax = double.NegativeInfinity;
                for (int r = 0; r < rows; r++)
                    for (int c = 0; c < columns; c++)
                    {
                        if (!Counts(r, c)) continue;
                        int i = r * columns + c;
                        double v = More(w.Grid[i]);
                        if (v > nullMax) nullMax = v;
                        if (Permutations.AtLeast(v, target[i])) w.Cell[i]++;
                    }
                for (int i = 0; i < cells; i++)
                    if (Permutations.AtLeast(nullMax, target[i])) w.Max[i]++;
            },
            w =>
            {
                for (int i = 0; i < cells; i++) { cellCounts[i] += w.Cell[i]; maxCounts[i] += w.Max[i]; }
            },
            blockSize, parallel, progress);

        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
            {
                int i = r * columns + c;
                if (!Counts(r, c)) continue;
                cellP[i] = Permutations.PValue(cellCounts[i], permutations, observed[i]);
                adjP[i] = Permutations.PValue(maxCounts[i], permutations, observed[i]);
            }
        double maxP = double.IsNaN(bestValue) ? double.NaN : adjP[bestR * columns + bestC];
        return new Result(bestR, bestC, bestValue, maxP, cellP, adjP);
    }
}
