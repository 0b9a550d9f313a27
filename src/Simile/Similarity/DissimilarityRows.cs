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
/// <item>cosine: the Gram entry is taken on the rows as given, g = xᵢ·xⱼ, and the value is
/// 1 − clamp(g/(|xᵢ||xⱼ|), −1, 1) with |x| = √(x·x): scipy <c>pdist(X,'cosine')</c>'s formula, so wherever the
/// products are exact (integer or categorical features) the values equal scipy's bit for bit, ties included.
/// <see cref="U"/> holds the unit rows x/|x| for the routes that need them (feature space, layer analyses).</item>
/// <item>correlation: u = (x − mean(x))/|x − mean(x)| (centred over the row's features); value 1 − g.</item>
/// <item>sqeuclidean-per-feature: u = x − column mean (distances do not change, norms stay small);
/// value (qᵢ + qⱼ − 2g)/d, not clipped at 0 (rsatoolbox's 'euclidean').</item>
/// <item>euclidean: u as above; value √(qᵢ + qⱼ − 2g) where that difference is at least 1/1000 of qᵢ + qⱼ, and the
/// direct |uᵢ − uⱼ| otherwise (there the Gram form would lose digits to cancellation), so it matches scipy
/// <c>pdist</c> to ~1e-12 relative and identical rows give exactly 0 (exact ties).</item>
/// <item>Both euclidean kinds take the Gram entries on the rows as given instead when every product and sum is exact
/// in float64 (integer features with 4·d·max|x|² ≤ 2⁵³, see <see cref="ExactIntegers"/>): then qᵢ + qⱼ − 2g is the exact
/// squared distance and the values equal scipy's and rsatoolbox's bit for bit, ties included. <see cref="U"/> stays
/// the centred rows (the feature-space route's).</item>
/// </list>
/// qᵢ is the diagonal of the same GEMM (uᵢ·uᵢ), so qᵢ + qⱼ − 2gᵢⱼ is computed consistently in every route.
/// </summary>
public sealed class DissimilarityRows
{
    /// <summary>Below this ratio d²/(qᵢ + qⱼ) plain euclidean is recomputed from the differences.</summary>
    public const double CancellationRatio = 1e-3;

    /// <summary>Transformed rows, n×d row-major (cosine: the unit rows, made on first use).</summary>
    public Matrix U => LazyInitializer.EnsureInitialized(ref _u,
        () => Kind == DissimilarityKind.Cosine ? UnitRows(_gram, _norms) : MatrixRows.CentreColumns(_gram));
    private Matrix? _u;

    /// <summary>The rows whose Gram entries gᵢⱼ the pair kernel <see cref="Value"/> takes: the rows as given for
    /// cosine and for exact integer euclidean inputs, <see cref="U"/> otherwise.</summary>
    public Matrix GramRows => _gram;
    private readonly Matrix _gram;

    /// <summary>|xᵢ| = √(xᵢ·xᵢ) of the rows as given (cosine; empty otherwise).</summary>
    private readonly double[] _norms;
    /// <summary>qᵢ = gᵢᵢ of the Gram rows, from the GEMM (for the euclidean kinds; empty otherwise).</summary>
    public double[] Q { get; }
    public DissimilarityKind Kind { get; }
    public int N => _gram.Rows;
    public int Dims => _gram.Cols;
    /// <summary>Memory this object holds beyond the input: its own Gram rows, and U once made when that is another matrix.</summary>
    public long Bytes => ((_gramIsInput ? 0 : _gram.Values.LongLength)
                          + (_u is null || ReferenceEquals(_u, _gram) ? 0 : _u.Values.LongLength)) * 8
                         + Q.LongLength * 8 + _norms.LongLength * 8;
    private readonly bool _gramIsInput;

    private DissimilarityRows(Matrix gram, bool gramIsInput, double[] q, double[] norms, DissimilarityKind kind)
    {
        _gram = gram; _gramIsInput = gramIsInput; Q = q; _norms = norms; Kind = kind;
        if (!gramIsInput) _u = gram;
    }

    /// <summary>
    /// Transforms the rows of <paramref name="x"/> for <paramref name="kind"/>. Rejects non-finite values and rows for
    /// which the kind is undefined (all-zero row with cosine, constant row with correlation), naming the row
    /// (with <paramref name="rowNames"/>, and "of <paramref name="label"/>" when given, e.g. "the first matrix" or a quoted file name).
    /// <paramref name="undefined"/> (optional) builds the error for an undefined row instead (row index, "is all zeros"/…).
    /// </summary>
    public static DissimilarityRows Prepare(Matrix x, DissimilarityKind kind, IReadOnlyList<string>? rowNames = null,
        string? label = null, Func<int, string, SimileException>? undefined = null)
    {
        int n = x.Rows, d = x.Cols;
        if (d == 0)
            throw label is null
                ? new SimileException("the vectors have no features (0 columns)", "check the vector source")
                : new SimileException($"{label} has no columns", "give vectors with at least one feature");
        var v = x.Values;
        for (int k = 0; k < v.Length; k++)
            if (!double.IsFinite(v[k]))
                throw new SimileException($"{RowLabel(k / d, rowNames)}, column {k % d + 1}{Of(label)} is {v[k]}",
                    "check the source vectors for overflow or missing values; every value must be finite");
        Matrix u;
        bool asGiven = false;
        double[] q = [], norms = [];
        switch (kind)
        {
            case DissimilarityKind.Cosine:
            case DissimilarityKind.Correlation:
            {
                bool centre = kind == DissimilarityKind.Correlation;
                // cosine: the rows stay as given (the Gram rows) and only their norms are kept; correlation: centred unit rows
                u = centre ? x.Clone() : x;
                asGiven = !centre;
                if (!centre) norms = new double[n];
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
                    if (centre) TensorPrimitives.Divide(row, norm, row);
                    else norms[i] = norm;
                }
                break;
            }
            case DissimilarityKind.SqEuclideanPerFeature:
            case DissimilarityKind.Euclidean:
                asGiven = ExactIntegers(x);
                u = asGiven ? x : MatrixRows.CentreColumns(x);
                q = GemmDiagonal(u);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
        return new DissimilarityRows(u, asGiven, q, norms, kind);
    }

    /// <summary>
    /// True when every value is an integer and 4·d·max|x|² ≤ 2⁵³: then every product, every partial sum of a Gram entry
    /// (any order, fused or not) and qᵢ + qⱼ − 2gᵢⱼ are exact in float64.
    /// </summary>
    public static bool ExactIntegers(Matrix x)
    {
        double max = 0;
        foreach (double v in x.Values)
        {
            if (v != Math.Floor(v)) return false;
            max = Math.Max(max, Math.Abs(v));
        }
        // |qᵢ + qⱼ − 2gᵢⱼ| ≤ 4·d·max² must stay below 2⁵³ as well
        return 4.0 * x.Cols * max * max <= 9007199254740992.0;
    }

    /// <summary>x/|x| row by row (the cosine kind's unit rows).</summary>
    private static Matrix UnitRows(Matrix x, double[] norms)
    {
        var u = x.Clone();
        for (int i = 0; i < u.Rows; i++)
        {
            var row = u.Row(i);
            TensorPrimitives.Divide(row, norms[i], row);
        }
        return u;
    }

    /// <summary>The dissimilarity of pair (i, j) from its Gram entry g = uᵢ·uⱼ (the pair kernel of every route).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Value(int i, int j, double g) => Kind switch
    {
        DissimilarityKind.Cosine => CosineDistance(Cosine(i, j, g)),
        DissimilarityKind.Correlation => 1.0 - g,
        DissimilarityKind.SqEuclideanPerFeature => SquaredPerFeature(i, j, g),
        _ => Euclidean(i, j, g),
    };

    /// <summary>The cosine xᵢ·xⱼ/(|xᵢ||xⱼ|) from the Gram entry g = xᵢ·xⱼ of the rows as given, unclipped (cosine kind).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Cosine(int i, int j, double g) => g / (_norms[i] * _norms[j]);

    /// <summary>Cosine similarity, clipped to [−1, 1] (scipy's clipping of rounding error).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double CosineSimilarity(double g) => Math.Clamp(g, -1.0, 1.0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double CosineDistance(double g) => 1.0 - Math.Clamp(g, -1.0, 1.0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double SquaredPerFeature(int i, int j, double g) => (Q[i] + Q[j] - 2.0 * g) / _gram.Cols;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Euclidean(int i, int j, double g)
    {
        double s = Q[i] + Q[j];
        double d2 = s - 2.0 * g;
        if (d2 >= CancellationRatio * s) return Math.Sqrt(d2);
        return TensorPrimitives.Distance(_gram.RowReadOnly(i), _gram.RowReadOnly(j));
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

    private static string Of(string? label) => label is null ? "" : $" of {label}";

    /// <summary>"row 3 ('word')", 1-based like every message.</summary>
    public static string RowLabel(int i, IReadOnlyList<string>? rowNames)
        => rowNames is null || i >= rowNames.Count ? $"row {i + 1}" : $"row {i + 1} ('{rowNames[i]}')";
}
