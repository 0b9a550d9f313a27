using Simile.Similarity;

namespace Simile.Comparison.Measures;

/// <summary>Parameters shared by the registry's measures (CLI: --k, --alpha, --score, --rbf-threshold, --rdm).</summary>
public sealed record MeasureParameters
{
    public int K { get; init; } = 10;
    public double Alpha { get; init; } = 1.0;
    public ShapeScore Score { get; init; } = ShapeScore.Angular;
    public double RbfThreshold { get; init; } = 0.5;
    /// <summary>Within-model dissimilarity for the RSA measures.</summary>
    public DissimilarityKind Rdm { get; init; } = DissimilarityKind.Cosine;

    public static ShapeScore ParseScore(string? s) => (s ?? "angular").Trim().ToLowerInvariant() switch
    {
        "angular" => ShapeScore.Angular,
        "euclidean" => ShapeScore.Euclidean,
        _ => throw new SimileException($"--score is '{s}'", "give --score angular or --score euclidean"),
    };
}
