using Simile.Comparison;

namespace Simile.Inference;

/// <summary>Result of a Mantel-style permutation test: p = (k+1)/(N+1), k = permutations with statistic ≥ observed.</summary>
public sealed record PermutationResult(RsaMeasure Measure, int Permutations, ulong Seed, double Observed, double PValue, int AtLeastAsExtreme);
