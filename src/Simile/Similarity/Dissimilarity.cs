using Simile.Data;

namespace Simile.Similarity;

/// <summary>Within-model dissimilarity matrices from an n×d matrix (rows = items). Formulas: <see cref="DissimilarityKind"/>.</summary>
public static class Dissimilarity
{
    /// <summary>
    /// The condensed dissimilarity matrix of the rows of <paramref name="x"/>. Throws <see cref="SimileException"/>
    /// naming the row when the kind is undefined for it (all-zero row with cosine, constant row with correlation)
    /// or a value is NaN/Inf. <paramref name="rowNames"/> (optional) is used in those messages.
    /// </summary>
    public static DissimilarityMatrix Compute(Matrix x, DissimilarityKind kind, IReadOnlyList<string>? rowNames = null)
        => throw new NotImplementedException();

    /// <summary>Cosine similarity (1 − cosine dissimilarity) condensed, the seed analysis' similarity.</summary>
    public static double[] CosineSimilarity(Matrix x, IReadOnlyList<string>? rowNames = null)
        => throw new NotImplementedException();
}
