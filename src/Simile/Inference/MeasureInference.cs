using Simile.Comparison.Measures;
using Simile.Data;

namespace Simile.Inference;

/// <summary>Permutation p-value of any registered measure (see <see cref="PermutationTest.RunMeasure"/>).</summary>
public sealed record MeasurePermutationResult(string Measure, int Permutations, ulong Seed, double Observed, double PValue, int AtLeastAsExtreme);

/// <summary>Percentile bootstrap interval of any registered measure (see <see cref="Bootstrap.RunMeasure"/>).</summary>
public sealed record MeasureBootstrapInterval(string Measure, int Resamples, ulong Seed, double Estimate, double Lower, double Upper, double Level, int Undefined);

public static partial class PermutationTest
{
    /// <summary>
    /// Mantel-style permutation test of a measure on raw matrices: permutation p relabels the items of <paramref name="y"/>
    /// (its rows are permuted by π = <see cref="Permutation"/>(seed, p), the same stream as the RSA test), the measure is
    /// recomputed, and k counts the permutations at least as extreme as the observed value (≥ for similarities, ≤ for
    /// distances, with 1e-12 relative slack for round-off); p = (k + 1)/(N + 1). Seeded per permutation: the result does
    /// not depend on the thread count. NaN when the observed value is undefined.
    /// </summary>
    public static MeasurePermutationResult RunMeasure(string measure, Matrix x, Matrix y, MeasureParameters? parameters,
        int permutations, ulong seed, IProgress<double>? progress = null)
    {
        var info = MeasureRegistry.Get(measure);
        Permutations.CheckCount(permutations);
        double observed = MeasureRegistry.Compute(info, new MeasureInputs(x, y, parameters));
        if (double.IsNaN(observed))
            return new MeasurePermutationResult(info.Name, permutations, seed, observed, double.NaN, 0);
        bool larger = info.Direction == MeasureDirection.Similarity;
        double scale = Math.Max(1.0, Math.Abs(observed));
        var hit = new int[permutations];
        int n = x.Rows, done = 0;
        // Each measure already runs its products on all cores; permutations run two at a time to keep memory bounded.
        Parallel.For(0, permutations, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(2, Environment.ProcessorCount) }, p =>
        {
            var perm = new int[n];
            Permutations.Fill(seed, p, perm);
            double v;
            try { v = info.Compute(new MeasureInputs(x, y.SelectRows(perm), parameters)); }
            catch (MeasureUndefinedException) { v = double.NaN; }
            if (larger ? Permutations.AtLeast(v, observed, scale) : Permutations.AtLeast(-v, -observed, scale)) hit[p] = 1;
            if (progress is not null) progress.Report(Interlocked.Increment(ref done) / (double)permutations);
        });
        int k = hit.Sum();
        return new MeasurePermutationResult(info.Name, permutations, seed, observed, Permutations.PValue(k, permutations), k);
    }
}

public static partial class Bootstrap
{
    /// <summary>
    /// Item bootstrap of a measure on raw matrices: resample r takes the rows <see cref="Draw"/>(seed, r, n) (with
    /// replacement, the same stream as the RSA bootstrap) of both matrices and recomputes the measure; percentile interval
    /// with numpy's linear interpolation over the defined resamples (a resample where the measure is undefined, e.g. k ≥
    /// distinct items, is left out and counted in <c>Undefined</c>). Repeated items are kept as repeated rows, so for kNN
    /// measures a copy is its own nearest neighbour.
    /// </summary>
    public static MeasureBootstrapInterval RunMeasure(string measure, Matrix x, Matrix y, MeasureParameters? parameters,
        int resamples, ulong seed, double level = 0.95, IProgress<double>? progress = null)
    {
        var info = MeasureRegistry.Get(measure);
        if (resamples < 1)
            throw new SimileException($"the number of bootstrap resamples must be at least 1, got {resamples}", "use e.g. --bootstrap 1000");
        if (!(level > 0 && level < 1))
            throw new SimileException($"the confidence level must be between 0 and 1 (exclusive), got {level}", "use e.g. 0.95");
        double estimate = MeasureRegistry.Compute(info, new MeasureInputs(x, y, parameters));
        int n = x.Rows, done = 0;
        var values = new double[resamples];
        Parallel.For(0, resamples, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(2, Environment.ProcessorCount) }, r =>
        {
            var items = Draw(seed, r, n);
            try { values[r] = info.Compute(new MeasureInputs(x.SelectRows(items), y.SelectRows(items), parameters)); }
            catch (Exception e) when (e is MeasureUndefinedException or SimileException) { values[r] = double.NaN; }
            if (progress is not null) progress.Report(Interlocked.Increment(ref done) / (double)resamples);
        });
        var finite = values.Where(v => !double.IsNaN(v)).ToArray();
        Array.Sort(finite);
        double tail = Math.Round(50.0 * (1.0 - level), 10);
        double lower = finite.Length == 0 ? double.NaN : Percentile(finite, tail);
        double upper = finite.Length == 0 ? double.NaN : Percentile(finite, 100.0 - tail);
        return new MeasureBootstrapInterval(info.Name, resamples, seed, estimate, lower, upper, level, resamples - finite.Length);
    }
}
