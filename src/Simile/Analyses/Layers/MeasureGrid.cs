using Simile.Comparison.Measures;
using Simile.Data;
using Simile.Inference;

namespace Simile.Analyses.Layers;

/// <summary>
/// Representation × representation grids filled with any registered measure (<c>layers --measure NAME</c>), with the
/// same max-calibrated permutation p as the RSA grids: permutation p shuffles the items with
/// SeededRandom.ForBlock(seed, p) (Fisher–Yates on the identity), permutes the rows of every column representation,
/// recomputes the whole grid and keeps its best cell (largest for similarities, smallest for distances). The best
/// observed pair's p is (k + 1)/(N + 1), k = permutations whose best cell is at least as extreme — the platonic-rep
/// "best layer pair" workflow without its upward bias. Within one model the diagonal (f(X, X)) is not a candidate.
/// </summary>
public static class MeasureGrid
{
    public static RsaGrid Grid(string measure, MeasureParameters parameters, string rowModel, string columnModel,
        IReadOnlyList<string> rowLabels, IReadOnlyList<string> columnLabels, IReadOnlyList<Matrix> rows, IReadOnlyList<Matrix> columns,
        bool within, int permutations, ulong seed, IProgress<double>? progress = null)
    {
        var info = MeasureRegistry.Get(measure);
        int ra = rows.Count, rb = columns.Count, n = rows[0].Rows;
        bool larger = info.Direction == MeasureDirection.Similarity;
        bool Counts(int r, int c) => !within || r != c;
        double More(double v) => larger ? v : -v; // "more extreme" is larger on this scale

        var observed = new double[ra * rb];
        Fill(info, parameters, rows, columns, observed, within, includeDiagonal: true);
        int bestR = -1, bestC = -1;
        double best = double.NegativeInfinity;
        for (int r = 0; r < ra; r++)
            for (int c = 0; c < rb; c++)
                if (Counts(r, c) && More(observed[r * rb + c]) > best) { best = More(observed[r * rb + c]); bestR = r; bestC = c; }
        double bestValue = bestR < 0 ? double.NaN : observed[bestR * rb + bestC];
        if (bestR < 0) { bestR = 0; bestC = within && rb > 1 ? 1 : 0; }

        var cellP = new double[ra * rb];
        var adjP = new double[ra * rb];
        double maxP = double.NaN;
        if (permutations > 0)
        {
            var nullBest = new double[permutations];
            var cellCounts = new int[permutations, ra * rb];
            int done = 0;
            Parallel.For(0, permutations, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, p =>
            {
                var perm = new int[n];
                Permutations.Fill(seed, p, perm);
                var permuted = columns.Select(m => m.SelectRows(perm)).ToList();
                var g = new double[ra * rb];
                Fill(info, parameters, rows, permuted, g, within, includeDiagonal: false);
                double mx = double.NegativeInfinity;
                for (int r = 0; r < ra; r++)
                    for (int c = 0; c < rb; c++)
                    {
                        if (!Counts(r, c)) continue;
                        double v = More(g[r * rb + c]);
                        if (v > mx) mx = v;
                        if (Permutations.AtLeast(v, More(observed[r * rb + c]))) cellCounts[p, r * rb + c] = 1;
                    }
                nullBest[p] = mx;
                progress?.Report(Interlocked.Increment(ref done) / (double)permutations);
            });
            for (int r = 0; r < ra; r++)
                for (int c = 0; c < rb; c++)
                {
                    int i = r * rb + c;
                    if (!Counts(r, c)) { cellP[i] = double.NaN; adjP[i] = double.NaN; continue; }
                    int kc = 0;
                    for (int p = 0; p < permutations; p++) kc += cellCounts[p, i];
                    cellP[i] = Permutations.PValue(kc, permutations);
                    double o = More(observed[i]);
                    int k = nullBest.Count(x => Permutations.AtLeast(x, o));
                    adjP[i] = Permutations.PValue(k, permutations);
                }
            maxP = double.IsNaN(bestValue) ? double.NaN : adjP[bestR * rb + bestC];
        }
        else
        {
            Array.Fill(cellP, double.NaN);
            Array.Fill(adjP, double.NaN);
        }
        return new RsaGrid(rowModel, columnModel, rowLabels.ToList(), columnLabels.ToList(), within, observed,
            bestR, bestC, bestValue, permutations, seed, maxP, cellP, adjP);
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
