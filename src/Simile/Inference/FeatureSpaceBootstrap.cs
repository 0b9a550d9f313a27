using Simile.Comparison;
using Simile.Data;
using Simile.Similarity;

namespace Simile.Inference;

/// <summary>
/// The item bootstrap of Pearson RSA at scale, with no n×n array: the same resamples as <see cref="Bootstrap"/>
/// (<see cref="Bootstrap.Draw"/>(seed, r)), the same weighting (original pair (u, v) counted c_u·c_v times, pairs of an
/// item with its own copy dropped), the same percentile interval. Each resample is three feature-space products
/// (<see cref="FeatureSpaceRsa.Prepared.WeightedSums"/>): O(n·(dA² + dB² + dA·dB)) time, O(n·(dA + dB)) memory per thread.
/// Kinds with a feature-space form only (not plain euclidean).
/// </summary>
public static class FeatureSpaceBootstrap
{
    public static BootstrapInterval Pearson(Matrix a, Matrix b, DissimilarityKind kind, int resamples, ulong seed,
        double level = 0.95, IProgress<double>? progress = null, IReadOnlyList<string>? rowNames = null, MatrixSources? sources = null)
    {
        Bootstrap.CheckCount(resamples);
        PercentileInterval.CheckLevel(level);
        if (!FeatureSpaceRsa.Supports(kind))
            throw new SimileException($"the bootstrap at scale needs a feature-space form, which {kind.Name()} distance lacks",
                "use --rdm sqeuclidean-per-feature (the same ranks), or fewer items");
        var prepared = new FeatureSpaceRsa.Prepared(a, b, kind, rowNames, sources);
        int n = prepared.N;
        var values = Bootstrap.Resamples(resamples, r =>
        {
            var w = new double[n];
            foreach (int s in Bootstrap.Draw(seed, r, n)) w[s]++;
            var sums = prepared.WeightedSums(w);
            double cov = sums.SumAB - sums.SumA * sums.SumB / sums.Pairs;
            double va = sums.SumAA - sums.SumA * sums.SumA / sums.Pairs, vb = sums.SumBB - sums.SumB * sums.SumB / sums.Pairs;
            return sums.Pairs < 2 || !(va > 0) || !(vb > 0) ? double.NaN : Math.Clamp(cov / (Math.Sqrt(va) * Math.Sqrt(vb)), -1.0, 1.0);
        }, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, progress, progressEvery: 8);
        var (lower, upper) = PercentileInterval.Of(values, level);
        return new BootstrapInterval(RsaMeasure.Pearson, resamples, seed, prepared.Sums().Pearson, lower, upper, level);
    }
}
