namespace Simile.Inference;

/// <summary>
/// The one percentile interval of every bootstrap in Simile (RSA, registry measures, the feature-space route, category
/// selectivity), as rsatoolbox and numpy compute it: the resamples where the statistic is undefined (NaN) are left out,
/// the others sorted, and the bounds are numpy <c>percentile</c> (default 'linear' interpolation) at the tails
/// 50·(1 − level) and 100 − 50·(1 − level) percent (2.5 and 97.5 for level 0.95; the tail is rounded to 10 decimals so
/// that it is exactly 2.5, not 2.5000000000000022). No defined resample: both bounds NaN.
/// </summary>
public static class PercentileInterval
{
    /// <summary>The interval at <paramref name="level"/> of <paramref name="values"/> (NaN entries left out).</summary>
    public static (double Lower, double Upper) Of(IEnumerable<double> values, double level)
    {
        CheckLevel(level);
        var finite = values.Where(v => !double.IsNaN(v)).ToArray();
        Array.Sort(finite);
        double tail = Math.Round(50.0 * (1.0 - level), 10);   // percent, e.g. 2.5 for level 0.95
        return (Percentile(finite, tail), Percentile(finite, 100.0 - tail));
    }

    /// <summary>Throws the user-facing error for a confidence level outside (0, 1).</summary>
    public static void CheckLevel(double level)
    {
        if (!(level > 0 && level < 1))
            throw new SimileException($"the confidence level must be between 0 and 1 (exclusive), got {level}", "use e.g. 0.95");
    }

    /// <summary>numpy.percentile(sorted, q) with the default 'linear' method (q in percent); NaN for no values.</summary>
    public static double Percentile(ReadOnlySpan<double> sorted, double q)
    {
        if (sorted.Length == 0) return double.NaN;
        double virtualIndex = q / 100.0 * (sorted.Length - 1);
        int previous = (int)Math.Floor(virtualIndex);
        previous = Math.Clamp(previous, 0, sorted.Length - 1);
        int next = Math.Min(previous + 1, sorted.Length - 1);
        double t = virtualIndex - previous;
        double lo = sorted[previous], hi = sorted[next];
        // numpy's _lerp: a + (b − a)·t, or b − (b − a)·(1 − t) when t ≥ 0.5.
        double diff = hi - lo;
        return t >= 0.5 ? hi - diff * (1.0 - t) : lo + diff * t;
    }
}
