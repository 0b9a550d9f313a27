namespace Simile.Inference;

public static partial class Bootstrap
{
    /// <summary>
    /// Stratified item bootstrap in blocks: the items are in strata that are contiguous ranges
    /// [<paramref name="strataStart"/>[s], strataStart[s + 1]); resample r draws, stratum by stratum in order, as many
    /// items as the stratum has, uniformly with replacement within it, from <see cref="SeededRandom.ForBlock"/>(seed, r).
    /// The resamples are handed to <paramref name="statistics"/> <paramref name="blockSize"/> at a time as an n × count
    /// matrix of multiplicities (row-major: item i's multiplicity in the block's resample b at [i·count + b]); it returns
    /// one row of values per resample. The blocks run one after another (a block's statistics parallelise inside); the
    /// values depend only on (seed, r). Result: [resample][statistic]; no resamples (0) gives none.
    /// </summary>
    public static double[][] Stratified(int[] strataStart, int resamples, ulong seed, int blockSize, Func<double[], int, double[][]> statistics)
    {
        int n = strataStart[^1], strata = strataStart.Length - 1;
        var values = new double[Math.Max(0, resamples)][];
        for (int b0 = 0; b0 < resamples; b0 += blockSize)
        {
            int count = Math.Min(blockSize, resamples - b0);
            var w = new double[(long)n * count];
            for (int b = 0; b < count; b++)
            {
                var rng = SeededRandom.ForBlock(seed, b0 + b);
                for (int s = 0; s < strata; s++)
                {
                    int size = strataStart[s + 1] - strataStart[s];
                    for (int t = 0; t < size; t++) w[(long)(strataStart[s] + rng.NextInt(size)) * count + b] += 1.0;
                }
            }
            var block = statistics(w, count);
            for (int b = 0; b < count; b++) values[b0 + b] = block[b];
        }
        return values;
    }
}
