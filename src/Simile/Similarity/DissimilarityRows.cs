using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Simile.Data;
using Simile.Engine;

namespace Simile.Similarity;

/// <summary>
/// The one definition of every dissimilarity kind, as a row transform plus a pair-value kernel on the Gram entry
/// gᵢⱼ = uᵢ·uⱼ of the transformed rows. Every route consumes it: the explicit condensed matrix and the streaming
/// square blocks (<see cref="Dissimilarity"/>), the feature-space sums and the large-scale rank/blockwise routes
/// (Comparison), and the layer analyses' cosine similarity.
/// <list type="bullet">
/// <item>cosine: u = x/|x|; value 1 − clamp(g, −1, 1) (scipy <c>pdist(X,'cosine')</c>).</item>
/// <item>correlation: u = (x − mean(x))/|x − mean(x)| (centred over the row's features); value 1 − g.</item>
/// <item>sqeuclidean-per-feature: u = x − column mean (distances do not change, norms stay small);
/// value (qᵢ + qⱼ − 2g)/d, not clipped at 0 (rsatoolbox's 'euclidean').</item>
/// <item>euclidean: u as above; value √(qᵢ + qⱼ − 2g) where that difference is at least 1/1000 of qᵢ + qⱼ, and the
/// direct |uᵢ − uⱼ| otherwise (there the Gram form would lose digits to cancellation), so it matches scipy
/// <c>pdist</c> to ~1e-12 relative and identical rows give exactly 0 (exact ties).</item>
/// </list>
/// qᵢ is the diagonal of the same GEMM (uᵢ·uᵢ), so qᵢ + qⱼ − 2gᵢⱼ is computed consistently in every route.
/// </summary>
public sealed class DissimilarityRows
{
    /// <summary>Below this ratio d²/(qᵢ + qⱼ) plain euclidean is recomputed from the differences.</summary>
    public const double CancellationRatio = 1e-3;

    /// <summary>Transformed rows, n×d row-major.</summary>
    public Matrix U { get; }
    /// <summary>qᵢ = uᵢ·uᵢ from the GEMM (for the euclidean kinds; empty otherwise).</summary>
    public double[] Q { get; }
    public DissimilarityKind Kind { get; }
    public int N => U.Rows;
    public int Dims => U.Cols;
    public long Bytes => U.Values.LongLength * 8 + Q.LongLength * 8;

    private DissimilarityRows(Matrix u, double[] q, DissimilarityKind kind) { U = u; Q = q; Kind = kind; }

    /// <summary>
    /// Transforms the rows of <paramref name="x"/> for <paramref name="kind"/>. Rejects non-finite values and rows for
    /// which the kind is undefined (all-zero row with cosine, constant row with correlation), naming the row
    /// (with <paramref name="rowNames"/>, and "of the <paramref name="label"/> matrix" when given).
    /// <paramref name="undefined"/> (optional) builds the error for an undefined row instead (row index, "is all zeros"/…).
    /// </summary>
    public static DissimilarityRows Prepare(Matrix x, DissimilarityKind kind, IReadOnlyList<string>? rowNames = null,
        string? label = null, Func<int, string, SimileException>? undefined = null)
    {
        int n = x.Rows, d = x.Cols;
        if (d == 0)
            throw label is null
                ? new SimileException("the vectors have no features (0 columns)", "check the vector source")
                : new SimileException($"the {label} matrix has no columns", "give vectors with at least one feature");
        var v = x.Values;
        for (int k = 0; k < v.Length; k++)
            if (!double.IsFinite(v[k]))
                throw new SimileException($"{RowLabel(k / d, rowNames)}, column {k % d + 1}{Of(label)} is {v[k]}",
                    "check the source vectors for overflow or missing values; every value must be finite");
        Matrix u;
        double[] q = [];
        switch (kind)
        {
            case DissimilarityKind.Cosine:
            case DissimilarityKind.Correlation:
            {
                bool centre = kind == DissimilarityKind.Correlation;
                u = x.Clone();
                for (int i = 0; i < n; i++)
                {
                    var row = u.Row(i);
                    if (centre) TensorPrimitives.Subtract(row, TensorPrimitives.Sum<double>(row) / row.Length, row);
                    double norm = Math.Sqrt(TensorPrimitives.Dot<double>(row, row));
                    if (norm == 0.0 || !double.IsFinite(norm))
                    {
                        string what = !double.IsFinite(norm) ? "is not finite" : centre ? "is constant (all its values are equal)" : "is all zeros";
                        throw undefined?.Invoke(i, what) ?? new SimileException(
                            $"{RowLabel(i, rowNames)}{Of(label)} {what}, so its {kind.Name()} dissimilarity to every other item is undefined",
                            centre
                                ? "remove that item, or use a dissimilarity defined for it (cosine or euclidean)"
                                : "remove that item (e.g. a word the model has no vector for), or use euclidean dissimilarity");
                    }
                    TensorPrimitives.Divide(row, norm, row);
                }
                break;
            }
            case DissimilarityKind.SqEuclideanPerFeature:
            case DissimilarityKind.Euclidean:
                u = MatrixRows.CentreColumns(x);
                q = GemmDiagonal(u);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
        return new DissimilarityRows(u, q, kind);
    }

    /// <summary>The dissimilarity of pair (i, j) from its Gram entry g = uᵢ·uⱼ (the pair kernel of every route).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Value(int i, int j, double g) => Kind switch
    {
        DissimilarityKind.Cosine => CosineDistance(g),
        DissimilarityKind.Correlation => 1.0 - g,
        DissimilarityKind.SqEuclideanPerFeature => SquaredPerFeature(i, j, g),
        _ => Euclidean(i, j, g),
    };

    /// <summary>Cosine similarity of unit rows, clipped to [−1, 1].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double CosineSimilarity(double g) => Math.Clamp(g, -1.0, 1.0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double CosineDistance(double g) => 1.0 - Math.Clamp(g, -1.0, 1.0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double SquaredPerFeature(int i, int j, double g) => (Q[i] + Q[j] - 2.0 * g) / U.Cols;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Euclidean(int i, int j, double g)
    {
        double s = Q[i] + Q[j];
        double d2 = s - 2.0 * g;
        if (d2 >= CancellationRatio * s) return Math.Sqrt(d2);
        return TensorPrimitives.Distance(U.RowReadOnly(i), U.RowReadOnly(j));
    }

    /// <summary>uᵢ·uᵢ as the GEMM computes it (blocks of 64 rows), so qᵢ + qⱼ − 2gᵢⱼ is exactly 0 for duplicate rows.</summary>
    private static double[] GemmDiagonal(Matrix u)
    {
        int n = u.Rows, d = u.Cols;
        var q = new double[n];
        var g = new double[64 * 64];
        for (int b0 = 0; b0 < n; b0 += 64)
        {
            int rows = Math.Min(64, n - b0);
            Gemm.Multiply(u.Values.AsSpan(b0 * d), d, u.Values.AsSpan(b0 * d), d, g, rows, rows, rows, d, false, true);
            for (int r = 0; r < rows; r++) q[b0 + r] = g[r * rows + r];
        }
        return q;
    }

    private static string Of(string? label) => label is null ? "" : $" of the {label} matrix";

    /// <summary>"row 3 ('word')", 1-based like every message.</summary>
    public static string RowLabel(int i, IReadOnlyList<string>? rowNames)
        => rowNames is null || i >= rowNames.Count ? $"row {i + 1}" : $"row {i + 1} ('{rowNames[i]}')";
}
