namespace Simile.Comparison;

/// <summary>Result of the whole-vocabulary rank route.</summary>
/// <param name="Values">One value per requested rank measure.</param>
/// <param name="Pairs">m = n(n−1)/2 item pairs.</param>
/// <param name="PeakBytes">The largest total size of the route's arrays alive at one time (bytes).</param>
/// <param name="EstimatedBytes">What <see cref="LargeScaleRankRsa.EstimateBytes"/> predicted beforehand.</param>
/// <param name="TiedPairsA">Σ t(t−1)/2 over groups of equal float32 keys in model A (ties in the RDM vector).</param>
/// <param name="TiedPairsB">The same for model B.</param>
/// <param name="Timings">Seconds per stage (values, ranks, spearman, kendall), wall clock and, as "stage_cpu",
/// process CPU time (all threads).</param>
public sealed record RankRsaResult(IReadOnlyDictionary<RsaMeasure, double> Values, long Pairs, long PeakBytes,
    long EstimatedBytes, long TiedPairsA, long TiedPairsB, IReadOnlyDictionary<string, double> Timings);
