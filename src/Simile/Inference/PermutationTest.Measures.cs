using Simile.Comparison.Measures;
using Simile.Data;

namespace Simile.Inference;

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
        int k = 0;
        // Each measure already runs its products on all cores; permutations run two at a time to keep memory bounded.
        Permutations.Run(x.Rows, permutations, seed, () => new int[1],
            (_, perm, hits) =>
            {
                double v;
                try { v = info.Compute(new MeasureInputs(x, y.SelectRows(perm), parameters)); }
                catch (MeasureUndefinedException) { v = double.NaN; }
                if (larger ? Permutations.AtLeast(v, observed, scale) : Permutations.AtLeast(-v, -observed, scale)) hits[0]++;
            },
            hits => k += hits[0],
            blockSize: 1, parallel: new ParallelOptions { MaxDegreeOfParallelism = Math.Min(2, Environment.ProcessorCount) }, progress: progress);
        return new MeasurePermutationResult(info.Name, permutations, seed, observed, Permutations.PValue(k, permutations), k);
    }
}
