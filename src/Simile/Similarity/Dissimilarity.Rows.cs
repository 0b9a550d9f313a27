using Simile.Data;
using Simile.Engine;

namespace Simile.Similarity;

public static partial class Dissimilarity
{
    /// <summary>
    /// The square n×n dissimilarity matrix of the rows of <paramref name="x"/>, a block of rows at a time, without
    /// holding it: for rows [i0, i0 + rows) one GEMM gives their products with every row, and
    /// <paramref name="consume"/>(i0, rows, block) receives block[r·n + j] = dissimilarity(i0 + r, j) (diagonal 0).
    /// The formulas are those of <see cref="Compute(Matrix, DissimilarityKind, IReadOnlyList{string}?)"/> (same
    /// errors), so the values equal the condensed route's to round-off. The block array is reused between calls.
    /// Memory: two blocks of <paramref name="blockRows"/>·n doubles (plus a centred copy of x for correlation).
    /// </summary>
    public static void ForEachRowBlock(Matrix x, DissimilarityKind kind, int blockRows, Action<int, int, double[]> consume,
        IReadOnlyList<string>? rowNames = null)
    {
        Validate(x, rowNames);
        if (blockRows < 1) throw new ArgumentOutOfRangeException(nameof(blockRows));
        var rows = DissimilarityRows.Prepare(x, kind, rowNames);
        switch (kind)
        {
            case DissimilarityKind.Cosine: Stream(rows.GramRows, new CosineDistance(rows), blockRows, consume); break;
            case DissimilarityKind.Correlation: Stream(rows.GramRows, new OneMinusGram(), blockRows, consume); break;
            case DissimilarityKind.SqEuclideanPerFeature: Stream(rows.GramRows, new SquaredDistancePerFeature(rows), blockRows, consume); break;
            case DissimilarityKind.Euclidean: Stream(rows.GramRows, new EuclideanDistance(rows), blockRows, consume); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    /// <summary>Rows per block so that one block of n doubles per row stays near 32 MB.</summary>
    public static int SquareBlockRows(int n) => Math.Clamp((int)(4_000_000L / Math.Max(1, n)), 1, Math.Max(1, n));

    private static void Stream<TPair>(Matrix x, TPair f, int blockRows, Action<int, int, double[]> consume) where TPair : struct, IPairValue
    {
        int n = x.Rows, d = x.Cols;
        blockRows = Math.Min(blockRows, n);
        var g = new double[(long)blockRows * n];
        var block = new double[(long)blockRows * n];
        for (int i0 = 0; i0 < n; i0 += blockRows)
        {
            int rows = Math.Min(blockRows, n - i0);
            Gemm.Multiply(x.Values.AsSpan(i0 * d), d, x.Values, d, g, n, rows, n, d, transposeA: false, transposeB: true);
            int start = i0;
            Parallel.For(0, rows, r =>
            {
                int i = start + r;
                long o = (long)r * n;
                for (int j = 0; j < n; j++)
                    block[o + j] = j == i ? 0.0 : j > i ? f.Of(i, j, g[o + j]) : f.Of(j, i, g[o + j]);
            });
            consume(i0, rows, block);
        }
    }
}
