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
        double level = 0.95, IProgress<double>? progress = null, IReadOnlyList<string>? rowNames = null)
    {
        if (resamples < 1)
            throw new SimileException($"the number of bootstrap resamples must be at least 1, got {resamples}", "use e.g. --bootstrap 1000");
        if (!(level > 0 && level < 1))
            throw new SimileException($"the confidence level must be between 0 and 1 (exclusive), got {level}", "use e.g. 0.95");
        if (!FeatureSpaceRsa.Supports(kind))
            throw new SimileException($"the bootstrap at scale needs a feature-space form, which {kind.Name()} distance lacks",
                "use --rdm sqeuclidean-per-feature (the same ranks), or fewer items");
        var prepared = new FeatureSpaceRsa.Prepared(a, b, kind, rowNames);
        int n = prepared.N;
        var values = new double[resamples];
        int done = 0;
        Parallel.For(0, resamples, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, r =>
        {
            var w = new double[n];
            foreach (int s in Bootstrap.Draw(seed, r, n)) w[s]++;
            var sums = prepared.WeightedSums(w);
            double cov = sums.SumAB - sums.SumA * sums.SumB / sums.Pairs;
            double va = sums.SumAA - sums.SumA * sums.SumA / sums.Pairs, vb = sums.SumBB - sums.SumB * sums.SumB / sums.Pairs;
            values[r] = sums.Pairs < 2 || !(va > 0) || !(vb > 0) ? double.NaN : Math.Clamp(cov / (Math.Sqrt(va) * Math.Sqrt(vb)), -1.0, 1.0);
            int d = Interlocked.Increment(ref done);
            if (progress is not null && (d % 8 == 0 || d == resamples)) progress.Report((double)d / resamples);
        });
        var finite = values.Where(v => !double.IsNaN(v)).ToArray();
        Array.Sort(finite);
        double tail = Math.Round(50.0 * (1.0 - level), 10);
        return new BootstrapInterval(RsaMeasure.Pearson, resamples, seed, prepared.Sums().Pearson,
            Bootstrap.Percentile(finite, tail), Bootstrap.Percentile(finite, 100.0 - tail), level);
    }
}
