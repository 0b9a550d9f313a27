using Simile.Comparison.Measures;
using Simile.Data;

namespace Simile.Inference;

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
