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
        CheckCount(resamples);
        PercentileInterval.CheckLevel(level);
        double estimate = MeasureRegistry.Compute(info, new MeasureInputs(x, y, parameters));
        int n = x.Rows;
        var values = Resamples(resamples, r =>
        {
            var items = Draw(seed, r, n);
            try { return info.Compute(new MeasureInputs(x.SelectRows(items), y.SelectRows(items), parameters)); }
            catch (Exception e) when (e is MeasureUndefinedException or SimileException) { return double.NaN; }
        }, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(2, Environment.ProcessorCount) }, progress);
        var (lower, upper) = PercentileInterval.Of(values, level);
        int undefined = values.Count(double.IsNaN);
        return new MeasureBootstrapInterval(info.Name, resamples, seed, estimate, lower, upper, level, undefined);
    }
}
