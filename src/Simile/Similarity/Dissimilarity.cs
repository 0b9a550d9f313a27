using System.Numerics.Tensors;
using Simile.Data;
using Simile.Engine;

namespace Simile.Similarity;

/// <summary>
/// Within-model dissimilarity matrices from an n×d matrix (rows = items). Formulas: <see cref="DissimilarityKind"/>.
/// <para>
/// All kinds are computed from row blocks of the Gram matrix X·Xᵀ through <see cref="Gemm.Multiply(ReadOnlySpan{double}, int, ReadOnlySpan{double}, int, Span{double}, int, int, int, int, bool, bool, double)"/>
/// (float64), so no n×n matrix is ever held:
/// cosine = 1 − gᵢⱼ/(|xᵢ||xⱼ|) (scipy, cosine clipped to [−1, 1]);
/// correlation = 1 − x̂ᵢ·x̂ⱼ with x̂ = row centred over its features and scaled to unit norm (rsatoolbox);
/// sqeuclidean-per-feature = (|xᵢ|² + |xⱼ|² − 2gᵢⱼ)/d exactly as rsatoolbox writes it (not clipped at 0);
/// euclidean = sqrt(|xᵢ|² + |xⱼ|² − 2gᵢⱼ) where that difference is at least 1/1000 of |xᵢ|²+|xⱼ|², and the direct
/// |xᵢ − xⱼ| otherwise (there the Gram form would lose digits to cancellation), so it matches scipy
/// <c>pdist</c> to ~1e-12 relative.
/// </para>
/// </summary>
public static partial class Dissimilarity
{
    /// <summary>Row-block height for the Gram blocks (a block is RowBlock × n doubles): tall enough that packing
    /// the shared right-hand side is amortised, small enough that blocks spread over the cores.</summary>
    private const int RowBlock = 192;

    /// <summary>Below this ratio d²/(|xᵢ|²+|xⱼ|²) plain euclidean is recomputed from the differences.</summary>
    private const double CancellationRatio = 1e-3;

    /// <summary>
    /// The condensed dissimilarity matrix of the rows of <paramref name="x"/>. Throws <see cref="SimileException"/>
    /// naming the row when the kind is undefined for it (all-zero row with cosine, constant row with correlation)
    /// or a value is NaN/Inf. <paramref name="rowNames"/> (optional) is used in those messages.
    /// </summary>
    public static DissimilarityMatrix Compute(Matrix x, DissimilarityKind kind, IReadOnlyList<string>? rowNames = null)
    {
        Validate(x, rowNames);
        int n = x.Rows, d = x.Cols;
        var result = new double[CondensedIndex.Length(n)];
        switch (kind)
        {
            case DissimilarityKind.Cosine:
            {
                var norms = RowNorms(x, centre: false, kind, rowNames);
                FromGram(x, result, new CosineDistance(norms));
                break;
            }
            case DissimilarityKind.Correlation:
            {
                var xn = x.Clone();
                var norms = RowNorms(xn, centre: true, kind, rowNames); // centres xn in place
                for (int i = 0; i < n; i++) TensorPrimitives.Divide(xn.Row(i), norms[i], xn.Row(i));
                FromGram(xn, result, new OneMinusGram());
                break;
            }
            case DissimilarityKind.SqEuclideanPerFeature:
            {
                var sq = SquaredNorms(x);
                double p = d;
                FromGram(x, result, new SquaredDistancePerFeature(sq, p));
                break;
            }
            case DissimilarityKind.Euclidean:
            {
                var sq = SquaredNorms(x);
                FromGram(x, result, new EuclideanDistance(sq, x));
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
        return new DissimilarityMatrix(n, kind, result);
    }

    /// <summary>The condensed dissimilarity matrix of a vector set; its words name the rows in error messages.</summary>
    public static DissimilarityMatrix Compute(VectorSet vectors, DissimilarityKind kind)
        => Compute(vectors.Vectors, kind, vectors.Words);

    /// <summary>
    /// Cosine similarity xᵢ·xⱼ/(|xᵢ||xⱼ|) condensed (= 1 − scipy <c>pdist(X,'cosine')</c>, clipped to [−1, 1]),
    /// the seed analysis' similarity. Same errors as <see cref="Compute(Matrix, DissimilarityKind, IReadOnlyList{string}?)"/> with cosine.
    /// </summary>
    public static double[] CosineSimilarity(Matrix x, IReadOnlyList<string>? rowNames = null)
    {
        Validate(x, rowNames);
        var norms = RowNorms(x, centre: false, DissimilarityKind.Cosine, rowNames);
        var result = new double[CondensedIndex.Length(x.Rows)];
        FromGram(x, result, new CosineSimilarityValue(norms));
        return result;
    }

    /// <summary>The value written for pair (i, j) from its Gram entry; structs, so the JIT inlines them into the loop.</summary>
    private interface IPairValue
    {
        double Of(int i, int j, double gram);
    }

    private readonly struct CosineDistance(double[] norms) : IPairValue
    {
        public double Of(int i, int j, double g) => 1.0 - Math.Clamp(g / (norms[i] * norms[j]), -1.0, 1.0);
    }

    private readonly struct CosineSimilarityValue(double[] norms) : IPairValue
    {
        public double Of(int i, int j, double g) => Math.Clamp(g / (norms[i] * norms[j]), -1.0, 1.0);
    }

    /// <summary>Correlation on centred, unit-norm rows: 1 − gᵢⱼ.</summary>
    private readonly struct OneMinusGram : IPairValue
    {
        public double Of(int i, int j, double g) => 1.0 - g;
    }

    private readonly struct SquaredDistancePerFeature(double[] sq, double p) : IPairValue
    {
        public double Of(int i, int j, double g) => (sq[i] + sq[j] - 2.0 * g) / p;
    }

    private readonly struct EuclideanDistance(double[] sq, Matrix x) : IPairValue
    {
        public double Of(int i, int j, double g)
        {
            double s = sq[i] + sq[j];
            double d2 = s - 2.0 * g;
            if (d2 >= CancellationRatio * s) return Math.Sqrt(d2);
            return TensorPrimitives.Distance(x.RowReadOnly(i), x.RowReadOnly(j));
        }
    }

    /// <summary>
    /// Walks the strict upper triangle of G = X·Xᵀ in row blocks: for rows [i0, i1) it computes
    /// G[i0..i1, i0..n) (block × (n−i0)) with one GEMM and writes f(i, j, gᵢⱼ) for j &gt; i into the condensed
    /// output. Blocks run in parallel; each output element is computed by exactly one block, so the result does
    /// not depend on the thread count.
    /// </summary>
    private static void FromGram<TPair>(Matrix x, double[] result, TPair f) where TPair : struct, IPairValue
    {
        int n = x.Rows, d = x.Cols;
        int blocks = (n + RowBlock - 1) / RowBlock;
        Parallel.For(0, blocks, block =>
        {
            int i0 = block * RowBlock;
            int rows = Math.Min(RowBlock, n - i0);
            int width = n - i0;
            var g = new double[rows * width];              // rows × width, G[i0+r, i0+c]
            var xs = x.Values.AsSpan(i0 * d);              // rows i0..n of X, (n−i0) × d
            // The blocks are the parallel unit, so each GEMM stays on its own thread (no nested fan-out).
            Gemm.MultiplyOnThisThread(xs, d, xs, d, g, width, rows, width, d, transposeA: false, transposeB: true);
            for (int r = 0; r < rows; r++)
            {
                int i = i0 + r;
                long k = CondensedIndex.RowStart(n, i);
                int baseIndex = r * width - i0;            // g index of (i, j) = r*width + (j − i0)
                for (int j = i + 1; j < n; j++, k++)
                    result[k] = f.Of(i, j, g[baseIndex + j]);
            }
        });
    }

    private static double[] SquaredNorms(Matrix x)
    {
        var sq = new double[x.Rows];
        for (int i = 0; i < x.Rows; i++) sq[i] = TensorPrimitives.Dot(x.RowReadOnly(i), x.RowReadOnly(i));
        return sq;
    }

    /// <summary>Row norms (after centring each row over its features, in place, when <paramref name="centre"/>); zero norm → error.</summary>
    private static double[] RowNorms(Matrix x, bool centre, DissimilarityKind kind, IReadOnlyList<string>? rowNames)
    {
        var norms = new double[x.Rows];
        for (int i = 0; i < x.Rows; i++)
        {
            var row = x.Row(i);
            if (centre) TensorPrimitives.Subtract(row, TensorPrimitives.Sum<double>(row) / row.Length, row);
            norms[i] = Math.Sqrt(TensorPrimitives.Dot<double>(row, row));
            if (norms[i] == 0.0 || !double.IsFinite(norms[i]))
            {
                string what = centre ? "is constant (all its values are equal)" : "is all zeros";
                throw new SimileException(
                    $"{RowLabel(i, rowNames)} {what}, so its {kind.Name()} dissimilarity to every other item is undefined",
                    centre
                        ? "remove that item, or use a dissimilarity defined for it (cosine or euclidean)"
                        : "remove that item (e.g. a word the model has no vector for), or use euclidean dissimilarity");
            }
        }
        return norms;
    }

    private static void Validate(Matrix x, IReadOnlyList<string>? rowNames)
    {
        if (x.Rows < 3)
            throw new SimileException($"only {x.Rows} item(s) given; a dissimilarity matrix for RSA needs at least 3",
                "give at least 3 words/items");
        if (x.Cols < 1)
            throw new SimileException("the vectors have no features (0 columns)", "check the vector source");
        if (rowNames is not null && rowNames.Count != x.Rows)
            throw new ArgumentException($"{rowNames.Count} row names for {x.Rows} rows", nameof(rowNames));
        var v = x.Values;
        if (!AllFinite(v))
        {
            for (int k = 0; k < v.Length; k++)
                if (!double.IsFinite(v[k]))
                    throw new SimileException(
                        $"{RowLabel(k / x.Cols, rowNames)}, column {k % x.Cols + 1} is {v[k]}",
                        "check the source vectors for overflow or missing values; every value must be finite");
        }
    }

    private static bool AllFinite(double[] v)
    {
        // Sum of (v − v) is 0 for finite values and NaN if any value is NaN or ±Inf.
        double acc = 0;
        const int chunk = 4096;
        var tmp = new double[Math.Min(chunk, v.Length)];
        for (int s = 0; s < v.Length; s += chunk)
        {
            int len = Math.Min(chunk, v.Length - s);
            var src = v.AsSpan(s, len);
            TensorPrimitives.Subtract(src, src, tmp.AsSpan(0, len));
            acc += TensorPrimitives.Sum<double>(tmp.AsSpan(0, len));
        }
        return acc == 0.0;
    }

    internal static string RowLabel(int i, IReadOnlyList<string>? rowNames)
        => rowNames is null ? $"row {i + 1}" : $"row {i + 1} ('{rowNames[i]}')"; // 1-based, like every message
}
