namespace Simile.Inference;

/// <summary>
/// The one permutation convention of every test in Simile (Mantel item permutations, category-label permutations,
/// max-calibrated grids, feature-space and large-scale routes):
/// <list type="bullet">
/// <item>permutation p (0-based) is Fisher–Yates on 0..n−1 driven by <see cref="SeededRandom.ForBlock"/>(seed, p), so it
///   depends only on (seed, p) — never on thread count or block layout;</item>
/// <item>a permuted statistic counts as at least as extreme when it is ≥ observed − <see cref="TieTolerance"/>·scale
///   (floating-point statistics that equal the observed one up to round-off count as ties, i.e. as ≥);</item>
/// <item>one-sided p = (k + 1)/(N + 1).</item>
/// </list>
/// <see cref="Run{TLocal}"/> is the parallel driver: it hands each worker its own permutation buffer and local state.
/// </summary>
public static class Permutations
{
    /// <summary>Relative tolerance (on the statistic's scale) under which a permuted value ties with the observed one.</summary>
    public const double TieTolerance = 1e-12;

    /// <summary>Fills <paramref name="perm"/> with permutation number <paramref name="p"/> under <paramref name="seed"/>.</summary>
    public static void Fill(ulong seed, long p, Span<int> perm)
    {
        for (int i = 0; i < perm.Length; i++) perm[i] = i;
        SeededRandom.ForBlock(seed, p).Shuffle(perm);
    }

    /// <summary>True when a permuted statistic is at least the observed one (ties within <see cref="TieTolerance"/>·scale count).</summary>
    public static bool AtLeast(double statistic, double observed, double scale = 1.0)
        => statistic >= observed - TieTolerance * scale;

    /// <summary>p = (k + 1)/(N + 1); NaN when the observed statistic is undefined.</summary>
    public static double PValue(int atLeast, int permutations, double observed = 0)
        => double.IsNaN(observed) ? double.NaN : (atLeast + 1.0) / (permutations + 1.0);

    /// <summary>Throws the user-facing error for a permutation count below 1.</summary>
    public static void CheckCount(int permutations)
    {
        if (permutations < 1)
            throw new SimileException($"the number of permutations must be at least 1, got {permutations}", "use e.g. --permutations 1000");
    }

    /// <summary>
    /// Runs permutations 0..N−1 in parallel blocks of <paramref name="blockSize"/>: <paramref name="body"/>(p, π, local) is
    /// called once per permutation with π filled by <see cref="Fill"/>; <paramref name="merge"/> folds each worker's local
    /// state (called under a lock). <paramref name="progress"/> receives the completed fraction.
    /// </summary>
    public static void Run<TLocal>(int n, int permutations, ulong seed, Func<TLocal> init, Action<int, int[], TLocal> body,
        Action<TLocal> merge, int blockSize = 8, ParallelOptions? parallel = null, IProgress<double>? progress = null)
        => RunBlocks(n, permutations, seed, init,
            (p0, count, perms, local) => { for (int g = 0; g < count; g++) body(p0 + g, perms[g], local); },
            merge, blockSize, parallel, progress);

    /// <summary>
    /// The one permutation driver. Runs permutations 0..N−1 in parallel blocks of <paramref name="blockSize"/>: for each
    /// block, π[0..count) are filled with permutations p0..p0+count−1 by <see cref="Fill"/> and <paramref name="block"/>(p0,
    /// count, π, local) is called once (kernels that serve several permutations per pass over their data take the whole
    /// block); <paramref name="merge"/> folds each worker's local state (called under a lock). What a permutation sees
    /// depends only on (seed, p), so results do not depend on the thread count or the block size.
    /// </summary>
    public static void RunBlocks<TLocal>(int n, int permutations, ulong seed, Func<TLocal> init, Action<int, int, int[][], TLocal> block,
        Action<TLocal> merge, int blockSize = 8, ParallelOptions? parallel = null, IProgress<double>? progress = null)
    {
        int blocks = (permutations + blockSize - 1) / blockSize;
        int done = 0;
        var gate = new object();
        Parallel.For(0, blocks, parallel ?? new ParallelOptions(),
            () => (Perms: Enumerable.Range(0, blockSize).Select(_ => new int[n]).ToArray(), Local: init()),
            (b, _, w) =>
            {
                int p0 = b * blockSize, count = Math.Min(permutations, p0 + blockSize) - p0;
                for (int g = 0; g < count; g++) Fill(seed, p0 + g, w.Perms[g]);
                block(p0, count, w.Perms, w.Local);
                if (progress is not null)
                    progress.Report(Interlocked.Add(ref done, count) / (double)permutations);
                return w;
            },
            w => { lock (gate) merge(w.Local); });
    }
}
