namespace Simile.Similarity;

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
