namespace Simile.Similarity;

/// <summary>
/// Within-model (dis)similarity kinds. Exact formulas (one place: <see cref="Dissimilarity"/>):
/// <list type="bullet">
/// <item><c>cosine</c>: 1 − x·y/(|x||y|) (scipy <c>pdist(X,'cosine')</c>); undefined for an all-zero row.</item>
/// <item><c>correlation</c>: 1 − Pearson r between rows (rsatoolbox 'correlation', scipy 'correlation'); undefined for a constant row.</item>
/// <item><c>euclidean</c>: |x − y| (scipy 'euclidean').</item>
/// <item><c>sqeuclidean-per-feature</c>: |x − y|²/d (what rsatoolbox calls 'euclidean').</item>
/// </list>
/// </summary>
public enum DissimilarityKind
{
    Cosine,
    Correlation,
    Euclidean,
    SqEuclideanPerFeature,
}

public static class DissimilarityKinds
{
    public static readonly IReadOnlyList<string> Names = ["cosine", "correlation", "euclidean", "sqeuclidean-per-feature"];

    public static string Name(this DissimilarityKind kind) => kind switch
    {
        DissimilarityKind.Cosine => "cosine",
        DissimilarityKind.Correlation => "correlation",
        DissimilarityKind.Euclidean => "euclidean",
        DissimilarityKind.SqEuclideanPerFeature => "sqeuclidean-per-feature",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static DissimilarityKind Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "cosine" => DissimilarityKind.Cosine,
        "correlation" => DissimilarityKind.Correlation,
        "euclidean" => DissimilarityKind.Euclidean,
        "sqeuclidean-per-feature" => DissimilarityKind.SqEuclideanPerFeature,
        _ => throw new SimileException($"unknown dissimilarity kind '{name}'",
            $"use one of {string.Join(", ", Names)}"),
    };
}
