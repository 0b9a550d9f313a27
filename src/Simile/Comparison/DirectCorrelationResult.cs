namespace Simile.Comparison;

/// <summary>Per-item Pearson correlation between the two models' vectors of the same item (needs equal widths).</summary>
/// <param name="Mean">Mean of the per-item correlations that are defined (NaN if none is).</param>
/// <param name="PerItem">r for each item; NaN for an item whose vector is constant in either model.</param>
public sealed record DirectCorrelationResult(double Mean, double[] PerItem);
