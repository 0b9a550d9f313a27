using Simile.Analyses.Planning;
using Simile.Comparison;
using Simile.Comparison.Measures;
using Simile.Inference;
using Simile.Similarity;

namespace Simile.Analyses;

public sealed record RsaScore(RsaMeasure Measure, double Value);
public sealed record CkaScores(double Linear, double LinearDebiased);
public sealed record ProcrustesScores(double Angular);
public sealed record PermutationSummary(int N, ulong Seed, double PPearson, double PSpearman);
public sealed record BootstrapSummary(int N, ulong Seed, double PearsonLower, double PearsonUpper);

/// <summary>
/// Everything <c>simile compare</c> reports; <c>Reports.PairComparisonJson</c> writes exactly the JSON contract:
/// <c>{"items", "features": [dA, dB], "rdm", "rsa": {asked measures only} | null, "cka": {"linear", "linear_debiased"} | null,
/// "procrustes": {"angular"} | null, "direct_correlation": {"mean", "per_item"} | null,
/// "permutation": {"n", "seed", "p_pearson", "p_spearman"} | null, "bootstrap": {"n", "seed", "pearson_ci95": [lo, hi]} | null}</c>.
/// When --measures names registry measures, "measures": {name: value} comes after "direct_correlation", and the permutation and
/// bootstrap blocks gain "p_measures": {name: p} and "measures_ci95": {name: [lo, hi]} (p_pearson etc. are null when no
/// measure of their own block was asked).
/// A block is null when it was not asked for (direct_correlation also when the widths differ); NaN is written as null.
/// </summary>
public sealed record PairComparisonResult(
    int Items,
    int FeaturesA,
    int FeaturesB,
    DissimilarityKind Rdm,
    IReadOnlyList<RsaScore>? Rsa,
    CkaScores? Cka,
    ProcrustesScores? Procrustes,
    DirectCorrelationResult? DirectCorrelation,
    PermutationSummary? Permutation,
    BootstrapSummary? Bootstrap,
    IReadOnlyList<string>? ItemNames,
    IReadOnlyList<string> Notes)
{
    /// <summary>Registry measures asked with --measures (value NaN when undefined for these inputs; a note says why); null when none.</summary>
    public IReadOnlyList<(string Name, double Value)>? Measures { get; init; }
    /// <summary>Permutation p-values of the registry measures (same permutations as the RSA test).</summary>
    public IReadOnlyList<MeasurePermutationResult>? MeasurePermutations { get; init; }
    /// <summary>Bootstrap intervals of the registry measures (same resamples as the RSA bootstrap).</summary>
    public IReadOnlyList<MeasureBootstrapInterval>? MeasureBootstraps { get; init; }
    /// <summary>The plan the result was computed by (routes per measure, memory estimate).</summary>
    public ComparisonPlan? Plan { get; init; }
}
