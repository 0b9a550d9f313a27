using System.Diagnostics;
using Simile.Comparison;
using Simile.Inference;
using Simile.Similarity;

namespace Simile.Bench;

/// <summary>
/// Speed of the second-order numerics on large RDMs (no GEMM involved): RSA measures between two n-item condensed
/// vectors (n = 5,000 → 12.5M pairs; scipy.stats.spearmanr takes ~12 s there) and a 1,000-permutation Mantel test.
/// </summary>
public static class NumericsBench
{
    public static void Run(TextWriter output, int n = 5000, int permutations = 1000)
    {
        long m = CondensedIndex.Length(n);
        var rng = new SeededRandom(1);
        // Two related RDMs: b = a + noise, with a coarse copy of a for heavy ties.
        var a = new double[m];
        var b = new double[m];
        for (long k = 0; k < m; k++)
        {
            a[k] = rng.NextDouble();
            b[k] = a[k] + 0.5 * rng.NextGaussian();
        }
        output.WriteLine($"numerics bench: n = {n} items, m = {m:N0} pairs, {Environment.ProcessorCount} cores");
        foreach (var measure in Enum.GetValues<RsaMeasure>())
        {
            RsaMeasures.Compute(measure, a.AsSpan(0, 5000), b.AsSpan(0, 5000)); // warm-up
            var clock = Clock.Start();
            double v = RsaMeasures.Compute(measure, a, b);
            output.WriteLine($"  {measure.Name(),-14} {v,10:F6}  {clock}");
        }
        var cr = Clock.Start();
        Ranks.Average(a);
        output.WriteLine($"  Ranks.Average (one vector)  {cr}");

        var da = new DissimilarityMatrix(n, DissimilarityKind.Euclidean, a);
        var db = new DissimilarityMatrix(n, DissimilarityKind.Euclidean, b);
        var cp = Clock.Start();
        var results = PermutationTest.Run(da, db, [RsaMeasure.Pearson, RsaMeasure.Spearman], permutations, 42);
        output.WriteLine($"  permutation test, {permutations} perms, pearson+spearman: {cp} ({1000 * cp.Cpu / permutations:F1} ms cpu/perm)");
        foreach (var r in results) output.WriteLine($"    {r.Measure.Name(),-10} observed {r.Observed:F6}  p = {r.PValue:G4}");
        int resamples = Math.Max(1, permutations / 10);
        var cb = Clock.Start();
        var ci = Bootstrap.Run(da, db, RsaMeasure.Pearson, resamples, 42);
        output.WriteLine($"  bootstrap, {resamples} resamples, pearson: {cb}  95% CI [{ci.Lower:F4}, {ci.Upper:F4}]");
    }

    /// <summary>Wall time and process CPU time since start (CPU time is the honest figure on a loaded machine).</summary>
    private sealed class Clock
    {
        private readonly Stopwatch _wall = Stopwatch.StartNew();
        private readonly TimeSpan _cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        public static Clock Start() => new();
        public double Cpu => (Process.GetCurrentProcess().TotalProcessorTime - _cpu0).TotalSeconds;
        public override string ToString() => $"wall {_wall.Elapsed.TotalSeconds,7:F3} s, cpu {Cpu,7:F3} s";
    }
}
