using Simile.Comparison;

namespace Simile.Inference;

/// <summary>Percentile bootstrap interval over items.</summary>
public sealed record BootstrapInterval(RsaMeasure Measure, int Resamples, ulong Seed, double Estimate, double Lower, double Upper, double Level);
