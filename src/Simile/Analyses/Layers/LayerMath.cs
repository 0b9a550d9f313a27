using Simile.Data;
using Simile.Engine;
using Simile.Similarity;

namespace Simile.Analyses.Layers;

/// <summary>The numeric building blocks the layer analyses share (cosine similarity, z-scored condensed vectors).</summary>
internal static class LayerMath
{
    /// <summary>Rows scaled to unit length (n×d): the cosine rows of <see cref="DissimilarityRows"/>. An all-zero or
    /// non-finite row throws, naming the word and representation.</summary>
    public static Matrix UnitRows(Matrix x, IReadOnlyList<string>? words = null, string? where = null)
        => CosineRows(x, words, where).U;

    private static DissimilarityRows CosineRows(Matrix x, IReadOnlyList<string>? words, string? where)
        => DissimilarityRows.Prepare(x, DissimilarityKind.Cosine, words, label: null, undefined: (i, what) =>
        {
            string word = words is not null && i < words.Count ? $"'{words[i]}'" : $"row {i}";
            return new SimileException(
                $"the vector of {word}{(where is null ? "" : " in " + where)} {what}, so its cosine similarity is undefined",
                "remove the word, or use a normalisation that does not wipe it out (e.g. fewer --normalize remove-pcs components)");
        });

    /// <summary>Full n×n cosine similarity (row-major), XXᵀ through the GEMM kernel and the cosine pair kernel of
    /// <see cref="DissimilarityRows"/>; the diagonal is set to exactly 1.</summary>
    public static double[] CosineSimilaritySquare(Matrix x, IReadOnlyList<string>? words = null, string? where = null)
    {
        var rows = CosineRows(x, words, where);
        var g = rows.GramRows;
        int n = g.Rows;
        var s = new double[(long)n * n];
        Gemm.Multiply(g.Values, g.Values, s, n, n, g.Cols, transposeA: false, transposeB: true);
        for (int i = 0; i < n; i++)
        {
            s[(long)i * n + i] = 1.0;
            for (int j = i + 1; j < n; j++) // exact symmetry, the pair kernel's clipping
            {
                double v = DissimilarityRows.CosineSimilarity(rows.Cosine(i, j, 0.5 * (s[(long)i * n + j] + s[(long)j * n + i])));
                s[(long)i * n + j] = v; s[(long)j * n + i] = v;
            }
        }
        return s;
    }

    /// <summary>Condensed (pdist order) cosine similarity, length n(n−1)/2 (the explicit route of <see cref="Dissimilarity"/>).</summary>
    public static double[] CosineSimilarityCondensed(Matrix x, IReadOnlyList<string>? words = null, string? where = null)
        => Dissimilarity.CosineSimilarity(CosineRows(x, words, where));

    /// <summary>
    /// The vector centred and scaled to unit length, so the Pearson r of two such vectors is their dot product.
    /// A constant vector (r undefined) gives all NaN.
    /// </summary>
    public static double[] Standardize(ReadOnlySpan<double> v)
    {
        double mean = 0;
        foreach (double x in v) mean += x;
        mean /= v.Length;
        var z = new double[v.Length];
        double ss = 0;
        for (int k = 0; k < v.Length; k++) { z[k] = v[k] - mean; ss += z[k] * z[k]; }
        double inv = ss > 0 ? 1.0 / Math.Sqrt(ss) : double.NaN;
        for (int k = 0; k < z.Length; k++) z[k] *= inv;
        return z;
    }

    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
        => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);
}
