using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Simile.Inference;
using Simile.Similarity;

namespace Simile.Analyses.Layers;

/// <summary>
/// A representation × representation grid of Pearson RSA values (rows: <see cref="RowModel"/>'s representations,
/// columns: <see cref="ColumnModel"/>'s; Values is RowLabels.Count × ColumnLabels.Count, row-major).
/// Within one model the best pair is the best off-diagonal pair (the diagonal is 1 by construction).
/// <see cref="MaxPValue"/> is the permutation p-value of the best value against the null distribution of the
/// grid's maximum (items permuted once per permutation, whole grid recomputed, maximum taken), which corrects for
/// having picked the best of many cells. <see cref="MaxAdjustedPValues"/> applies the same null maximum to every
/// cell (single-step max-T); <see cref="CellPValues"/> are uncorrected per-cell p-values from the same permutations.
/// </summary>
public sealed record RsaGrid(
    string RowModel,
    string ColumnModel,
    IReadOnlyList<string> RowLabels,
    IReadOnlyList<string> ColumnLabels,
    bool Within,
    double[] Values,
    int BestRow,
    int BestColumn,
    double BestValue,
    int Permutations,
    ulong Seed,
    double MaxPValue,
    double[] CellPValues,
    double[] MaxAdjustedPValues)
{
    public int Rows => RowLabels.Count;
    public int Columns => ColumnLabels.Count;
    public double this[int r, int c] => Values[r * Columns + c];

    /// <summary>The grid as jagged rows (JSON).</summary>
    public double[][] ToRows() => Enumerable.Range(0, Rows).Select(r => Values.AsSpan(r * Columns, Columns).ToArray()).ToArray();
}

/// <summary>
/// Layer-by-layer RSA: the second-order Pearson correlation between the cosine-similarity matrices of every pair of
/// representations, within one model or across two (the widths may differ; only the words must be the same).
/// </summary>
public static class LayerRsa
{
    /// <summary>Permutations per parallel block (the permutation for index p always comes from SeededRandom.ForBlock(seed, p)).</summary>
    private const int PermutationsPerBlock = 16;

    /// <summary>The condensed cosine similarity of each representation, standardised (centred, unit length) for Pearson-by-dot-product.</summary>
    public static double[][] StandardizedSimilarities(RepresentationStack stack)
        => stack.Sets.Select((s, r) => LayerMath.Standardize(
            LayerMath.CosineSimilarityCondensed(s.Vectors, stack.Words, $"{stack.Model} representation {stack.Labels[r]}"))).ToArray();

    /// <summary>The representation × representation grid of one model, with the max-calibrated p-value.</summary>
    public static RsaGrid Within(RepresentationStack stack, int permutations = 1000, ulong seed = 1, IProgress<double>? progress = null)
    {
        var z = StandardizedSimilarities(stack);
        return Grid(stack.Model, stack.Model, stack.Labels, stack.Labels, z, z, stack.WordCount, within: true, permutations, seed, progress);
    }

    /// <summary>The grid of <paramref name="a"/>'s representations (rows) × <paramref name="b"/>'s (columns).</summary>
    public static RsaGrid Across(RepresentationStack a, RepresentationStack b, int permutations = 1000, ulong seed = 1, IProgress<double>? progress = null)
    {
        CheckSameWords(a, b);
        return Grid(a.Model, b.Model, a.Labels, b.Labels, StandardizedSimilarities(a), StandardizedSimilarities(b),
            a.WordCount, within: false, permutations, seed, progress);
    }

    internal static void CheckSameWords(RepresentationStack a, RepresentationStack b)
    {
        if (a.WordCount != b.WordCount)
            throw new SimileException($"models '{a.Model}' and '{b.Model}' have {a.WordCount} and {b.WordCount} words", "compare stacks built from the same word list");
        for (int i = 0; i < a.WordCount; i++)
            if (a.Words[i] != b.Words[i])
                throw new SimileException($"word {i + 1} is '{a.Words[i]}' for '{a.Model}' but '{b.Words[i]}' for '{b.Model}'", "compare stacks built from the same word list, in the same order");
    }

    /// <summary>
    /// The grid from standardised condensed vectors (rowZ[r], colZ[c]: length n(n−1)/2, centred, unit length).
    /// Permutation p shuffles the items 0..n−1 with SeededRandom.ForBlock(seed, p).Shuffle (Fisher–Yates on the identity)
    /// and applies π to the column side: the permuted value of pair (i, j) is colZ at pair (π(i), π(j)).
    /// p = (k + 1)/(N + 1), k = permutations whose statistic is ≥ the observed one.
    /// </summary>
    public static RsaGrid Grid(string rowModel, string columnModel, IReadOnlyList<string> rowLabels, IReadOnlyList<string> columnLabels,
        double[][] rowZ, double[][] colZ, int n, bool within, int permutations, ulong seed, IProgress<double>? progress = null)
    {
        int ra = rowZ.Length, rb = colZ.Length;
        long m = CondensedIndex.Length(n);
        if (m < 2) throw new SimileException($"RSA needs at least 3 words; got {n}", "use a longer word list");
        var kernel = new PermutedGridKernel(rowZ, colZ, n);
        var observed = new double[ra * rb];
        var identity = Enumerable.Range(0, n).ToArray();
        kernel.Compute(identity, observed, kernel.NewAccumulator());
        bool Counts(int r, int c) => !within || r != c;

        int bestR = -1, bestC = -1;
        double best = double.NegativeInfinity;
        for (int r = 0; r < ra; r++)
            for (int c = 0; c < rb; c++)
                if ((!within || r < c) && observed[r * rb + c] > best) { best = observed[r * rb + c]; bestR = r; bestC = c; }
        if (bestR < 0) { best = double.NaN; bestR = 0; bestC = within && rb > 1 ? 1 : 0; }

        var cellP = new double[ra * rb];
        var adjP = new double[ra * rb];
        double maxP = double.NaN;
        if (permutations > 0)
        {
            var nullMax = new double[permutations];
            var cellCounts = new int[ra * rb];
            int blocks = (permutations + PermutationsPerBlock - 1) / PermutationsPerBlock;
            int done = 0;
            var gate = new object();
            Parallel.For(0, blocks,
                () => (Acc: kernel.NewAccumulator(), G: new double[ra * rb], Perm: new int[n], Counts: new int[ra * rb]),
                (block, _, local) =>
                {
                    int p0 = block * PermutationsPerBlock, p1 = Math.Min(permutations, p0 + PermutationsPerBlock);
                    for (int p = p0; p < p1; p++)
                    {
                        var perm = local.Perm;
                        for (int i = 0; i < n; i++) perm[i] = i;
                        SeededRandom.ForBlock(seed, p).Shuffle(perm);
                        kernel.Compute(perm, local.G, local.Acc);
                        double mx = double.NegativeInfinity;
                        for (int r = 0; r < ra; r++)
                            for (int c = 0; c < rb; c++)
                            {
                                if (!Counts(r, c)) continue;
                                double g = local.G[r * rb + c];
                                if (g > mx) mx = g;
                                if (g >= observed[r * rb + c] - 1e-12) local.Counts[r * rb + c]++;
                            }
                        nullMax[p] = mx;
                    }
                    if (progress is not null)
                        lock (gate) { done += p1 - p0; progress.Report(done / (double)permutations); }
                    return local;
                },
                local => { lock (gate) for (int i = 0; i < cellCounts.Length; i++) cellCounts[i] += local.Counts[i]; });

            for (int r = 0; r < ra; r++)
                for (int c = 0; c < rb; c++)
                {
                    int i = r * rb + c;
                    if (!Counts(r, c)) { cellP[i] = double.NaN; adjP[i] = double.NaN; continue; }
                    double o = observed[i];
                    cellP[i] = (cellCounts[i] + 1.0) / (permutations + 1.0);
                    int k = 0;
                    foreach (double x in nullMax) if (x >= o - 1e-12) k++;
                    adjP[i] = (k + 1.0) / (permutations + 1.0);
                }
            maxP = adjP[bestR * rb + bestC];
        }
        else
        {
            Array.Fill(cellP, double.NaN);
            Array.Fill(adjP, double.NaN);
        }
        if (within) for (int r = 0; r < Math.Min(ra, rb); r++) observed[r * rb + r] = 1.0;
        return new RsaGrid(rowModel, columnModel, rowLabels.ToList(), columnLabels.ToList(), within, observed,
            bestR, bestC, best, permutations, seed, maxP, cellP, adjP);
    }
}

/// <summary>
/// The grid of Σ_k rowZ[r][k] · colZ[c][k(π)] for a permutation π of the items, all cells at once. The column
/// vectors are stored as a full n×n square, pair-major (pair (p, q) holds its rb values together, padded to whole
/// 4-double SIMD vectors), so for row i every gathered pair (π i, π j) lies in one square row — a few kilobytes that
/// stay in cache. Per permutation the gathered square offsets are computed once; then for every row representation
/// (and every two column vectors) one streaming pass accumulates in registers with fused multiply-adds.
/// </summary>
internal sealed class PermutedGridKernel
{
    private readonly int _n, _ra, _rb, _vectors;
    private readonly long _m;
    private readonly double[] _rows;    // ra × m, representation-major (pdist order)
    private readonly double[] _square;  // n × n × (vectors·4), pair (p, q) at (p·n + q)·stride; diagonal zero

    public PermutedGridKernel(double[][] rowZ, double[][] colZ, int n)
    {
        _n = n; _ra = rowZ.Length; _rb = colZ.Length;
        _vectors = (_rb + 3) / 4;
        _m = CondensedIndex.Length(n);
        if ((long)n * n > int.MaxValue)
            throw new SimileException($"{n} words are too many for the permutation grid", "use fewer words, or --permutations 0");
        _rows = new double[_m * _ra];
        for (int r = 0; r < _ra; r++) rowZ[r].CopyTo(_rows, r * _m);
        int stride = _vectors * 4;
        long squareLength = (long)n * n * stride;
        if (squareLength > Array.MaxLength)
            throw new SimileException($"{n} words × {_rb} representations are too many for the permutation grid",
                "use fewer words, or --permutations 0");
        _square = new double[squareLength];
        long kk = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++, kk++)
                for (int c = 0; c < _rb; c++)
                {
                    double v = colZ[c][kk];
                    _square[((long)i * n + j) * stride + c] = v;
                    _square[((long)j * n + i) * stride + c] = v;
                }
    }

    /// <summary>Scratch for one thread: the gathered square offsets of every pair.</summary>
    public int[] NewAccumulator() => new int[_m];

    /// <summary>grid[r·rb + c] = Σ_{i&lt;j} rowZ[r](i,j) · colZ[c](π i, π j).</summary>
    public void Compute(int[] perm, double[] grid, int[] pairs)
    {
        int n = _n, nv = _vectors, stride = nv * 4;
        long k = 0;
        for (int i = 0; i < n; i++)
        {
            int rowBase = perm[i] * n;
            for (int j = i + 1; j < n; j++, k++) pairs[k] = rowBase + perm[j];
        }
        ref double square = ref MemoryMarshal.GetArrayDataReference(_square);
        ref int pair0 = ref MemoryMarshal.GetArrayDataReference(pairs);
        Span<double> lanes = stackalloc double[8];
        for (int r = 0; r < _ra; r++)
        {
            ref double a = ref MemoryMarshal.GetArrayDataReference(_rows);
            a = ref Unsafe.Add(ref a, (nint)(r * _m));
            for (int v = 0; v < nv; v += 2)
            {
                bool two = v + 1 < nv;
                var acc0 = Vector256<double>.Zero;
                var acc1 = Vector256<double>.Zero;
                for (nint q = 0; q < (nint)_m; q++)
                {
                    var av = Vector256.Create(Unsafe.Add(ref a, q));
                    ref double b = ref Unsafe.Add(ref square, (nint)Unsafe.Add(ref pair0, q) * stride + v * 4);
                    acc0 = Vector256.FusedMultiplyAdd(av, Vector256.LoadUnsafe(ref b), acc0);
                    if (two) acc1 = Vector256.FusedMultiplyAdd(av, Vector256.LoadUnsafe(ref b, 4), acc1);
                }
                acc0.CopyTo(lanes);
                acc1.CopyTo(lanes[4..]);
                for (int c = v * 4; c < Math.Min(_rb, v * 4 + 8); c++) grid[r * _rb + c] = lanes[c - v * 4];
            }
        }
    }
}
