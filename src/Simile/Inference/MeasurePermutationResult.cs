using Simile.Comparison.Measures;

namespace Simile.Inference;

/// <summary>Permutation p-value of any registered measure (see <see cref="PermutationTest.RunMeasure"/>).</summary>
public sealed record MeasurePermutationResult(string Measure, int Permutations, ulong Seed, double Observed, double PValue, int AtLeastAsExtreme);
