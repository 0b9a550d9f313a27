using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
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
    /// The grid from standardised condensed vectors (rowZ[r], colZ[c]: length n(n−1)/2, centred, unit length), tested by
    /// <see cref="MaxCalibratedGrid"/>: permutation p relabels the items of the column side, the permuted value of pair
    /// (i, j) being colZ at pair (π(i), π(j)). Within one model the grid is symmetric, so the best pair is taken from
    /// the upper triangle (r &lt; c) and the diagonal is reported as 1.
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
        var test = MaxCalibratedGrid.Run(observed, ra, rb, within, larger: true, n, permutations, seed,
            kernel.NewAccumulator, kernel.Compute, candidates: within ? (r, c) => r < c : null,
            blockSize: PermutationsPerBlock, progress: progress);
        if (within) for (int r = 0; r < Math.Min(ra, rb); r++) observed[r * rb + r] = 1.0;
        return new RsaGrid(rowModel, columnModel, rowLabels.ToList(), columnLabels.ToList(), within, observed,
            test.BestRow, test.BestColumn, test.BestValue, permutations, seed, test.MaxPValue, test.CellPValues, test.MaxAdjustedPValues);
    }
}

/// <summary>
/// The grid of Σ_k rowZ[r][k] · colZ[c][k(π)] for a permutation π of the items, all cells at once.
/// The column vectors are stored as a full n×n square, pair-major (pair (p, q) holds its values for up to 8
/// representations in one 64-byte line), so each gathered pair (π i, π j) costs one cache line; the row vectors are
/// stored pair-major in groups (8 representations with AVX-512, 4 otherwise) and streamed. Per permutation the
/// gathered square offsets are computed once; each pass over the pairs then updates a group × 8 block of the grid
/// with every accumulator in a register. The gather is the memory-bound part, so one pass serves a whole block.
/// </summary>
internal sealed class PermutedGridKernel
{
    private const int Chunk = 8;                // column representations per square line
    private const int PrefetchDistance = 32;    // pairs ahead
    private readonly int _n, _ra, _rb, _chunks, _group, _groups;
    private readonly long _m;
    private readonly bool _wide;
    private readonly double[] _rows;    // groups × m × group, pair-major within a group, zero-padded
    private readonly double[] _square;  // n × n × chunks·8, pair (p, q) at (p·n + q)·stride; diagonal zero

    /// <param name="wide">Use the AVX-512 pass (default: when the hardware has it); false forces the 256-bit pass.</param>
    public PermutedGridKernel(double[][] rowZ, double[][] colZ, int n, bool? wide = null)
    {
        _wide = (wide ?? true) && Vector512.IsHardwareAccelerated;
        _n = n; _ra = rowZ.Length; _rb = colZ.Length;
        _m = CondensedIndex.Length(n);
        _group = _wide ? 8 : 4;
        _groups = (_ra + _group - 1) / _group;
        _chunks = (_rb + Chunk - 1) / Chunk;
        int stride = _chunks * Chunk;
        long squareLength = (long)n * n * stride;
        if ((long)n * n > int.MaxValue || squareLength > Array.MaxLength)
            throw new SimileException($"{n} words × {_rb} representations are too many for the permutation grid",
                "use fewer words, or --permutations 0");
        _rows = new double[_groups * _m * _group];
        for (int r = 0; r < _ra; r++)
        {
            long baseOffset = (r / _group) * _m * _group + r % _group;
            var z = rowZ[r];
            for (long k = 0; k < _m; k++) _rows[baseOffset + k * _group] = z[k];
        }
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
        int n = _n;
        long k = 0;
        for (int i = 0; i < n; i++)
        {
            int rowBase = perm[i] * n;
            for (int j = i + 1; j < n; j++, k++) pairs[k] = rowBase + perm[j];
        }
        Span<double> block = stackalloc double[8 * Chunk];
        for (int g = 0; g < _groups; g++)
            for (int ch = 0; ch < _chunks; ch++)
            {
                if (_wide) Pass512(g, ch, pairs, block); else Pass256(g, ch, pairs, block);
                for (int rr = 0; rr < _group; rr++)
                {
                    int r = g * _group + rr;
                    if (r >= _ra) break;
                    for (int cc = 0; cc < Chunk; cc++)
                    {
                        int c = ch * Chunk + cc;
                        if (c >= _rb) break;
                        grid[r * _rb + c] = block[rr * Chunk + cc];
                    }
                }
            }
    }

    private unsafe void Pass512(int g, int ch, int[] pairs, Span<double> block)
    {
        int stride = _chunks * Chunk;
        nint m = (nint)_m;
        ref double a = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_rows), (nint)(g * _m * 8));
        ref double sq = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_square), ch * Chunk);
        ref int p0 = ref MemoryMarshal.GetArrayDataReference(pairs);
        Vector512<double> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        bool prefetch = Sse.IsSupported;
        for (nint q = 0; q < m; q++)
        {
            if (prefetch && q + PrefetchDistance < m)
                Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref sq, (nint)Unsafe.Add(ref p0, q + PrefetchDistance) * stride)));
            var b = Vector512.LoadUnsafe(ref Unsafe.Add(ref sq, (nint)Unsafe.Add(ref p0, q) * stride));
            ref double ar = ref Unsafe.Add(ref a, q * 8);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(ar), b, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ar, 1)), b, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ar, 2)), b, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ar, 3)), b, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ar, 4)), b, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ar, 5)), b, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ar, 6)), b, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ar, 7)), b, c7);
        }
        c0.CopyTo(block); c1.CopyTo(block[8..]); c2.CopyTo(block[16..]); c3.CopyTo(block[24..]);
        c4.CopyTo(block[32..]); c5.CopyTo(block[40..]); c6.CopyTo(block[48..]); c7.CopyTo(block[56..]);
    }

    private unsafe void Pass256(int g, int ch, int[] pairs, Span<double> block)
    {
        int stride = _chunks * Chunk;
        nint m = (nint)_m;
        ref double a = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_rows), (nint)(g * _m * 4));
        ref double sq = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_square), ch * Chunk);
        ref int p0 = ref MemoryMarshal.GetArrayDataReference(pairs);
        Vector256<double> c0 = default, c1 = default, c2 = default, c3 = default, d0 = default, d1 = default, d2 = default, d3 = default;
        bool prefetch = Sse.IsSupported;
        for (nint q = 0; q < m; q++)
        {
            if (prefetch && q + PrefetchDistance < m)
                Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref sq, (nint)Unsafe.Add(ref p0, q + PrefetchDistance) * stride)));
            ref double bp = ref Unsafe.Add(ref sq, (nint)Unsafe.Add(ref p0, q) * stride);
            var lo = Vector256.LoadUnsafe(ref bp);
            var hi = Vector256.LoadUnsafe(ref bp, 4);
            ref double ar = ref Unsafe.Add(ref a, q * 4);
            var a0 = Vector256.Create(ar); var a1 = Vector256.Create(Unsafe.Add(ref ar, 1));
            var a2 = Vector256.Create(Unsafe.Add(ref ar, 2)); var a3 = Vector256.Create(Unsafe.Add(ref ar, 3));
            c0 = Vector256.FusedMultiplyAdd(a0, lo, c0); d0 = Vector256.FusedMultiplyAdd(a0, hi, d0);
            c1 = Vector256.FusedMultiplyAdd(a1, lo, c1); d1 = Vector256.FusedMultiplyAdd(a1, hi, d1);
            c2 = Vector256.FusedMultiplyAdd(a2, lo, c2); d2 = Vector256.FusedMultiplyAdd(a2, hi, d2);
            c3 = Vector256.FusedMultiplyAdd(a3, lo, c3); d3 = Vector256.FusedMultiplyAdd(a3, hi, d3);
        }
        c0.CopyTo(block); d0.CopyTo(block[4..]); c1.CopyTo(block[8..]); d1.CopyTo(block[12..]);
        c2.CopyTo(block[16..]); d2.CopyTo(block[20..]); c3.CopyTo(block[24..]); d3.CopyTo(block[28..]);
    }
}
