using System.Numerics.Tensors;
using Simile.Data;
using Simile.Engine;

namespace Simile.Similarity;

/// <summary>
/// Within-model dissimilarity matrices from an n×d matrix (rows = items). The kinds are defined once, in
/// <see cref="DissimilarityRows"/> (row transform + pair kernel); this class walks the Gram matrix U·Uᵀ of the
/// transformed rows in row blocks through <see cref="Gemm"/> (float64), so no n×n matrix is ever held.
/// </summary>
public static partial class Dissimilarity
{
    /// <summary>Row-block height for the Gram blocks (a block is RowBlock × n doubles): tall enough that packing
    /// the shared right-hand side is amortised, small enough that blocks spread over the cores.</summary>
    private const int RowBlock = 192;

    /// <summary>
    /// The condensed dissimilarity matrix of the rows of <paramref name="x"/>. Throws <see cref="SimileException"/>
    /// naming the row when the kind is undefined for it (all-zero row with cosine, constant row with correlation)
    /// or a value is NaN/Inf. <paramref name="rowNames"/> (optional) is used in those messages.
    /// </summary>
    public static DissimilarityMatrix Compute(Matrix x, DissimilarityKind kind, IReadOnlyList<string>? rowNames = null)
    {
        Validate(x, rowNames);
        var rows = DissimilarityRows.Prepare(x, kind, rowNames);
        var result = new double[CondensedIndex.Length(x.Rows)];
        switch (kind)
        {
            case DissimilarityKind.Cosine: FromGram(rows.GramRows, result, new CosineDistance(rows)); break;
            case DissimilarityKind.Correlation: FromGram(rows.GramRows, result, new OneMinusGram()); break;
            case DissimilarityKind.SqEuclideanPerFeature: FromGram(rows.GramRows, result, new SquaredDistancePerFeature(rows)); break;
            case DissimilarityKind.Euclidean: FromGram(rows.GramRows, result, new EuclideanDistance(rows)); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind));
        }
        return new DissimilarityMatrix(x.Rows, kind, result);
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
        return CosineSimilarity(DissimilarityRows.Prepare(x, DissimilarityKind.Cosine, rowNames));
    }

    /// <summary>Condensed cosine similarity of rows already prepared for the cosine kind.</summary>
    public static double[] CosineSimilarity(DissimilarityRows cosineRows)
    {
        if (cosineRows.Kind != DissimilarityKind.Cosine) throw new ArgumentException("cosine rows expected", nameof(cosineRows));
        var result = new double[CondensedIndex.Length(cosineRows.N)];
        FromGram(cosineRows.GramRows, result, new CosineSimilarityValue(cosineRows));
        return result;
    }

    /// <summary>The value written for pair (i, j) from its Gram entry; structs, so the JIT inlines them into the loop.
    /// Each forwards to the kernel of <see cref="DissimilarityRows"/>.</summary>
    private interface IPairValue
    {
        double Of(int i, int j, double gram);
    }

    private readonly struct CosineDistance(DissimilarityRows rows) : IPairValue
    {
        public double Of(int i, int j, double g) => DissimilarityRows.CosineDistance(rows.Cosine(i, j, g));
    }

    private readonly struct CosineSimilarityValue(DissimilarityRows rows) : IPairValue
    {
        public double Of(int i, int j, double g) => DissimilarityRows.CosineSimilarity(rows.Cosine(i, j, g));
    }

    private readonly struct OneMinusGram : IPairValue
    {
        public double Of(int i, int j, double g) => 1.0 - g;
    }

    private readonly struct SquaredDistancePerFeature(DissimilarityRows rows) : IPairValue
    {
        public double Of(int i, int j, double g) => rows.SquaredPerFeature(i, j, g);
    }

    private readonly struct EuclideanDistance(DissimilarityRows rows) : IPairValue
    {
        public double Of(int i, int j, double g) => rows.Euclidean(i, j, g);
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

    internal static string RowLabel(int i, IReadOnlyList<string>? rowNames) => DissimilarityRows.RowLabel(i, rowNames);
}
