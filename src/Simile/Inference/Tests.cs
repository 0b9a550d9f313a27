using Simile.Comparison;
using Simile.Similarity;

namespace Simile.Inference;

/// <summary>Result of a Mantel-style permutation test: p = (k+1)/(N+1), k = permutations with statistic ≥ observed.</summary>
public sealed record PermutationResult(RsaMeasure Measure, int Permutations, ulong Seed, double Observed, double PValue, int AtLeastAsExtreme);

public static class PermutationTest
{
    /// <summary>
    /// Permutes the items of <paramref name="b"/> (same permutation on rows and columns) N times; seeded,
    /// deterministic whatever the thread count. One result per requested measure (all from the same permutations).
    /// </summary>
    public static IReadOnlyList<PermutationResult> Run(DissimilarityMatrix a, DissimilarityMatrix b,
        IReadOnlyList<RsaMeasure> measures, int permutations, ulong seed, IProgress<double>? progress = null)
        => throw new NotImplementedException();
}

/// <summary>Percentile bootstrap interval over items.</summary>
public sealed record BootstrapInterval(RsaMeasure Measure, int Resamples, ulong Seed, double Estimate, double Lower, double Upper, double Level);

public static class Bootstrap
{
    /// <summary>
    /// Resamples items with replacement, drops pairs of an item with its own copy, recomputes the measure;
    /// percentile interval at <paramref name="level"/>. Seeded, deterministic whatever the thread count.
    /// </summary>
    public static BootstrapInterval Run(DissimilarityMatrix a, DissimilarityMatrix b, RsaMeasure measure,
        int resamples, ulong seed, double level = 0.95, IProgress<double>? progress = null)
        => throw new NotImplementedException();
}
