using Simile.Comparison.Measures;

namespace Simile.Inference;

/// <summary>Percentile bootstrap interval of any registered measure (see <see cref="Bootstrap.RunMeasure"/>).</summary>
public sealed record MeasureBootstrapInterval(string Measure, int Resamples, ulong Seed, double Estimate, double Lower, double Upper, double Level, int Undefined);
