using Simile.Data;
using Simile.Engine;
using Simile.Similarity;

namespace Simile.Comparison;

/// <summary>
/// Float64 dissimilarities of a matrix's rows, a block of rows at a time, through the GEMM: the block of rows
/// [i0, i1) against rows [i0, n) costs one product, (i1−i0)×(n−i0)×d. Shared by the rank route, the density grid
/// and the blockwise Pearson for plain euclidean distance. The rows and the pair values are those of
/// <see cref="DissimilarityRows"/> (the one definition of every kind); identical rows give bit-identical values
/// (exact ties).
/// </summary>
internal sealed class PairDissimilarities
{
    private readonly DissimilarityRows rows;
    private readonly double[] u;
    private readonly int n, d;

    public int N => n;
    public long Bytes => rows.Bytes;

    /// <summary>Rows per block so that one block of float64 products stays near 32 MB.</summary>
    public static int BlockRows(int n) => Math.Clamp((int)(4_000_000L / Math.Max(1, n)), 16, Math.Max(16, n));

    public PairDissimilarities(Matrix x, DissimilarityKind kind, string label, IReadOnlyList<string>? rowNames)
    {
        rows = DissimilarityRows.Prepare(x, kind, rowNames, label);
        u = rows.GramRows.Values;
        n = rows.N; d = rows.Dims;
    }

    /// <summary>block[(i−i0)·(n−i0) + (j−i0)] = u_i·u_j for i in [i0, i1), j in [i0, n).</summary>
    public void ComputeBlock(int i0, int i1, double[] block)
    {
        int cols = n - i0;
        Gemm.Multiply(u.AsSpan(i0 * d), d, u.AsSpan(i0 * d), d, block, cols, i1 - i0, cols, d, false, true);
    }

    /// <summary>Float32 values of the pairs (i, j) for j in (i, n), from a block computed at i0 (bit for bit those of <see cref="Value"/>).</summary>
    public void RowValues(double[] block, int i0, int i, Span<float> dst)
        => rows.RowValues(i, i + 1, block.AsSpan((int)((long)(i - i0) * (n - i0) + (i + 1 - i0)), n - i - 1), dst);

    /// <summary>The dissimilarity of pair (i, j), i &lt; j, from a block computed by <see cref="ComputeBlock"/> at i0.</summary>
    public double Value(double[] block, int i0, int i, int j)
        => rows.Value(i, j, block[(long)(i - i0) * (n - i0) + (j - i0)]);
}
