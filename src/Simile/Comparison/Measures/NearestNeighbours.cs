using System.Numerics.Tensors;
using Simile.Data;
using Simile.Engine;

namespace Simile.Comparison.Measures;

/// <summary>
/// The k nearest neighbours of every item, by inner product (platonic-rep) or cosine (ReSi), with the item itself
/// excluded and exact ties broken by the lower item index. <see cref="Index"/> and <see cref="Score"/> are n×k,
/// row-major, nearest first; Score holds the inner product (or cosine) of item i with its neighbour.
/// </summary>
public sealed record NeighbourLists(int Items, int K, int[] Index, double[] Score)
{
    public ReadOnlySpan<int> Of(int i) => Index.AsSpan(i * K, K);
    public ReadOnlySpan<double> ScoresOf(int i) => Score.AsSpan(i * K, K);
}

/// <summary>
/// Exact top-k neighbour search through the blocked GEMM: a block of rows against all items at a time (S_block =
/// X_block·Xᵀ, at most ~64 MB), then a running top-k per row, so memory is O(n·k + block) and no n×n matrix is held.
/// Cost n²·d multiply-adds. Identical rows give bit-identical scores (the GEMM's guarantee), so duplicated items tie
/// exactly and the lower index wins.
/// </summary>
public static class NearestNeighbours
{
    /// <summary>Bytes of the similarity block held at once.</summary>
    public const long BlockBytes = 64L << 20;

    /// <summary>Neighbours by raw inner product xᵢ·xⱼ.</summary>
    public static NeighbourLists ByInnerProduct(Matrix x, int k) => Search(x, k);

    /// <summary>Neighbours by cosine similarity (rows scaled to unit length; all-zero rows stay zero, as sklearn's normalize).</summary>
    public static NeighbourLists ByCosine(Matrix x, int k) => Search(UnitRows(x), k);

    public static Matrix UnitRows(Matrix x)
    {
        var u = x.Clone();
        for (int i = 0; i < x.Rows; i++)
        {
            var r = u.Row(i);
            double norm = Math.Sqrt(TensorPrimitives.Dot<double>(r, r));
            if (norm > 0) TensorPrimitives.Divide(r, norm, r);
        }
        return u;
    }

    public static void CheckK(int n, int k, string measure)
    {
        if (k < 1)
            throw new SimileException($"{measure}: --k is {k}", "give a neighbour count k of at least 1 (default 10)");
        if (k > n - 1)
            throw new SimileException($"{measure}: k = {k} neighbours but only {n} items ({n - 1} neighbours each)",
                $"give --k at most {n - 1}");
    }

    private static NeighbourLists Search(Matrix x, int k)
    {
        int n = x.Rows, d = x.Cols;
        CheckK(n, k, "nearest neighbours");
        var index = new int[(long)n * k];
        var score = new double[(long)n * k];
        int block = (int)Math.Clamp(BlockBytes / 8 / Math.Max(1, n), 1, n);
        var s = new double[(long)block * n];
        for (int r0 = 0; r0 < n; r0 += block)
        {
            int rows = Math.Min(block, n - r0);
            Gemm.Multiply(x.Values.AsSpan(r0 * d, rows * d), d, x.Values, d, s, n, rows, n, d, transposeB: true);
            Parallel.For(0, rows, r =>
            {
                int i = r0 + r;
                var row = s.AsSpan(r * n, n);
                var idx = index.AsSpan(i * k, k);
                var val = score.AsSpan(i * k, k);
                SelectTop(row, i, idx, val);
            });
        }
        return new NeighbourLists(n, k, index, score);
    }

    /// <summary>
    /// Fills idx/val with the k largest entries of row (excluding column <paramref name="self"/>), descending; among
    /// equal values the lower column comes first. Insertion into a sorted buffer: columns are visited in increasing
    /// order, so a later column never displaces an equal earlier one.
    /// </summary>
    internal static void SelectTop(ReadOnlySpan<double> row, int self, Span<int> idx, Span<double> val)
    {
        int k = idx.Length, filled = 0;
        for (int j = 0; j < row.Length; j++)
        {
            if (j == self) continue;
            double v = row[j];
            if (filled == k && !(v > val[k - 1])) continue;
            int pos = filled == k ? k - 1 : filled;
            // shift down entries with a smaller value (strictly): equal values stay ahead
            while (pos > 0 && val[pos - 1] < v)
            {
                if (pos < k) { val[pos] = val[pos - 1]; idx[pos] = idx[pos - 1]; }
                pos--;
            }
            val[pos] = v; idx[pos] = j;
            if (filled < k) filled++;
        }
    }
}
