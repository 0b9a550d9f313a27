using Simile.Data;
using Simile.Engine;
using Simile.Similarity;

namespace Simile.Comparison;

/// <summary>
/// Float64 dissimilarities of a matrix's rows, a block of rows at a time, through the GEMM: the block of rows
/// [i0, i1) against rows [i0, n) costs one product, (i1−i0)×(n−i0)×d. Shared by the rank route, the density grid
/// and the blockwise Pearson for plain euclidean distance. Formulas as in <see cref="DissimilarityKind"/>;
/// identical rows give bit-identical values (exact ties).
/// </summary>
internal sealed class PairDissimilarities
{
    private readonly double[] u;      // n×d transformed rows
    private readonly double[] q;      // squared norms (from the GEMM), for (sq)euclidean
    private readonly int n, d;
    private readonly DissimilarityKind kind;

    public int N => n;
    public long Bytes => u.LongLength * 8 + q.LongLength * 8;

    /// <summary>Rows per block so that one block of float64 products stays near 32 MB.</summary>
    public static int BlockRows(int n) => Math.Clamp((int)(4_000_000L / Math.Max(1, n)), 16, Math.Max(16, n));

    public PairDissimilarities(Matrix x, DissimilarityKind kind, string label, IReadOnlyList<string>? rowNames)
    {
        n = x.Rows; d = x.Cols;
        this.kind = kind;
        u = TransformRows(x, kind, label, rowNames);
        q = new double[kind is DissimilarityKind.SqEuclideanPerFeature or DissimilarityKind.Euclidean ? n : 0];
        if (q.Length > 0)
        {
            // Squared norms from the GEMM itself (diagonal of U·Uᵀ), so q_i + q_j − 2g_ij is exactly 0 for duplicate rows.
            var g = new double[64 * 64];
            for (int b0 = 0; b0 < n; b0 += 64)
            {
                int rows = Math.Min(64, n - b0);
                Gemm.Multiply(u.AsSpan(b0 * d), d, u.AsSpan(b0 * d), d, g, rows, rows, rows, d, false, true);
                for (int r = 0; r < rows; r++) q[b0 + r] = g[r * rows + r];
            }
        }
    }

    /// <summary>block[(i−i0)·(n−i0) + (j−i0)] = u_i·u_j for i in [i0, i1), j in [i0, n).</summary>
    public void ComputeBlock(int i0, int i1, double[] block)
    {
        int cols = n - i0;
        Gemm.Multiply(u.AsSpan(i0 * d), d, u.AsSpan(i0 * d), d, block, cols, i1 - i0, cols, d, false, true);
    }

    /// <summary>The dissimilarity of pair (i, j), i &lt; j, from a block computed by <see cref="ComputeBlock"/> at i0.</summary>
    public double Value(double[] block, int i0, int i, int j)
    {
        double g = block[(long)(i - i0) * (n - i0) + (j - i0)];
        return kind switch
        {
            DissimilarityKind.Cosine or DissimilarityKind.Correlation => 1.0 - g,
            DissimilarityKind.SqEuclideanPerFeature => (q[i] + q[j] - 2.0 * g) / d,
            _ => Math.Sqrt(Math.Max(0.0, q[i] + q[j] - 2.0 * g)),
        };
    }

    /// <summary>
    /// Transformed rows (n×d, row-major) for the dissimilarity: unit rows (cosine), centred unit rows (correlation),
    /// or column-centred rows ((sq)euclidean: distances do not change). Rejects non-finite values and rows whose
    /// cosine/correlation is undefined, naming the row. Shared with <see cref="FeatureSpaceRsa"/>.
    /// </summary>
    internal static double[] TransformRows(Matrix x, DissimilarityKind kind, string label, IReadOnlyList<string>? rowNames)
    {
        int n = x.Rows, d = x.Cols;
        if (d == 0) throw new SimileException($"the {label} matrix has no columns", "give vectors with at least one feature");
        string Row(int i) => rowNames is not null && i < rowNames.Count ? $"row {i + 1} ('{rowNames[i]}')" : $"row {i + 1}";
        var u = new double[(long)n * d];
        var mean = new double[d];
        if (kind is DissimilarityKind.SqEuclideanPerFeature or DissimilarityKind.Euclidean)
        {
            // Distances do not change when every row moves by the same vector; centring keeps the norms small.
            for (int i = 0; i < n; i++)
            {
                var row = x.RowReadOnly(i);
                for (int j = 0; j < d; j++) mean[j] += row[j];
            }
            for (int j = 0; j < d; j++) mean[j] /= n;
        }
        for (int i = 0; i < n; i++)
        {
            var row = x.RowReadOnly(i);
            var dst = u.AsSpan(i * d, d);
            for (int j = 0; j < d; j++)
                if (!double.IsFinite(row[j]))
                    throw new SimileException($"{Row(i)}, column {j + 1} of the {label} matrix is {row[j]}", "remove that word or fix the vectors");
            switch (kind)
            {
                case DissimilarityKind.Cosine:
                    {
                        double norm = Math.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot(row, row));
                        if (norm == 0)
                            throw new SimileException($"{Row(i)} of the {label} matrix is all zeros, so its cosine similarity is undefined",
                                "remove that word or use the correlation or sqeuclidean-per-feature kind");
                        for (int j = 0; j < d; j++) dst[j] = row[j] / norm;
                        break;
                    }
                case DissimilarityKind.Correlation:
                    {
                        double rm = 0;
                        for (int j = 0; j < d; j++) rm += row[j];
                        rm /= d;
                        double ss = 0;
                        for (int j = 0; j < d; j++) { dst[j] = row[j] - rm; ss += dst[j] * dst[j]; }
                        double norm = Math.Sqrt(ss);
                        if (norm == 0)
                            throw new SimileException($"{Row(i)} of the {label} matrix is constant, so its correlation with other rows is undefined",
                                "remove that word or use the cosine or sqeuclidean-per-feature kind");
                        for (int j = 0; j < d; j++) dst[j] /= norm;
                        break;
                    }
                default:
                    for (int j = 0; j < d; j++) dst[j] = row[j] - mean[j];
                    break;
            }
        }
        return u;
    }

}
