using System.Diagnostics;
using Simile.Comparison;
using Simile.Data;
using Simile.Inference;
using Simile.Similarity;

namespace Simile.Analyses;

/// <summary>Result of a whole-vocabulary RSA between two models over the same n words.</summary>
/// <param name="Items">n words.</param>
/// <param name="Pairs">m = n(n−1)/2 word pairs the measures are taken over.</param>
/// <param name="Kind">Within-model dissimilarity.</param>
/// <param name="Measures">One value per requested measure.</param>
/// <param name="PearsonPermutation">The seeded permutation test of Pearson (null when no permutations were asked).</param>
/// <param name="Routes">Which route computed each measure: "feature-space", "blockwise" or "rank (float32 keys)".</param>
/// <param name="PeakBytes">Largest total of the route's own arrays alive at once (inputs not counted).</param>
/// <param name="EstimatedBytes">The estimate checked against the budget before allocating.</param>
/// <param name="Timings">Seconds per stage.</param>
public sealed record WholeVocabularyResult(int Items, long Pairs, DissimilarityKind Kind,
    IReadOnlyDictionary<RsaMeasure, double> Measures, PermutationResult? PearsonPermutation,
    IReadOnlyDictionary<RsaMeasure, string> Routes, long PeakBytes, long EstimatedBytes,
    IReadOnlyDictionary<string, double> Timings);

/// <summary>
/// A 2-D histogram of all word pairs: bin (r, c) counts pairs whose dissimilarity is in A's bin r and B's bin c.
/// Drawn as a heat map instead of millions of dots. Bins are equal-width between the observed minimum and maximum;
/// the maximum falls in the last bin.
/// </summary>
public sealed record DensityGrid(int Bins, DissimilarityKind Kind, double MinA, double MaxA, double MinB, double MaxB,
    long[] Counts, long Pairs)
{
    /// <summary>Count of A-bin r, B-bin c (Counts is row-major Bins×Bins).</summary>
    public long this[int r, int c] => Counts[r * Bins + c];
    public double BinCentreA(int r) => MinA + (r + 0.5) * (MaxA - MinA) / Bins;
    public double BinCentreB(int c) => MinB + (c + 0.5) * (MaxB - MinB) / Bins;
}

/// <summary>
/// Library entry point for RSA over a whole shared vocabulary (tens of thousands of words) without n×n matrices:
/// Pearson and cosine from feature-space sums (<see cref="FeatureSpaceRsa"/>, O(n·dA·dB)), rank measures from
/// float32 keys (<see cref="LargeScaleRankRsa"/>, about 16 bytes per pair), plain euclidean Pearson blockwise.
/// </summary>
public static class WholeVocabularyRsa
{
    /// <summary>
    /// Computes <paramref name="measures"/> between the kind-<paramref name="kind"/> dissimilarities of a and b
    /// (rows = the same words in the same order). With <paramref name="permutations"/> &gt; 0 and Pearson requested,
    /// also a seeded Mantel permutation test of Pearson (feature-space route). Throws <see cref="SimileException"/>
    /// before allocating when rank measures would exceed <paramref name="memoryBudget"/> bytes.
    /// </summary>
    public static WholeVocabularyResult Run(Matrix a, Matrix b, DissimilarityKind kind, IReadOnlyList<RsaMeasure> measures,
        int permutations = 0, ulong seed = 0, IProgress<double>? progress = null,
        long memoryBudget = LargeScaleRankRsa.DefaultMemoryBudget, IReadOnlyList<string>? words = null)
    {
        if (a.Rows != b.Rows)
            throw new SimileException($"the two models have {a.Rows} and {b.Rows} words; whole-vocabulary RSA needs the same words in the same order",
                "restrict both to their shared vocabulary first");
        if (measures.Count == 0) throw new SimileException("no RSA measure was requested", $"ask for one or more of {string.Join(", ", RsaMeasures.Names)}");
        var sw = Stopwatch.StartNew();
        var timings = new Dictionary<string, double>();
        var values = new Dictionary<RsaMeasure, double>();
        var routes = new Dictionary<RsaMeasure, string>();
        long peak = 0, estimate = 0;
        var rank = measures.Where(LargeScaleRankRsa.RankMeasures.Contains).Distinct().ToList();
        bool linear = measures.Contains(RsaMeasure.Pearson) || measures.Contains(RsaMeasure.Cosine);
        bool doPermutations = permutations > 0 && measures.Contains(RsaMeasure.Pearson);
        double linearShare = linear ? (rank.Count > 0 ? 0.2 : 1.0) : 0;
        double permShare = doPermutations ? 0.3 : 0;
        double scale = 1.0 / (linearShare + permShare + (rank.Count > 0 ? 0.8 : 0));

        // Check the rank route's memory before any work.
        if (rank.Count > 0)
        {
            estimate = LargeScaleRankRsa.EstimateBytes(a.Rows, a.Cols, b.Cols, rank);
            if (estimate > memoryBudget || CondensedIndex.Length(a.Rows) > Array.MaxLength)
                LargeScaleRankRsa.Compute(a, b, kind, rank, memoryBudget, null, words);   // throws the budget error
        }
        if (doPermutations && !FeatureSpaceRsa.Supports(kind))
            throw new SimileException($"the Pearson permutation test at scale needs a feature-space form, which {kind.Name()} distance lacks",
                "use sqeuclidean-per-feature (same ranks) or no permutations");

        double done = 0;
        if (linear)
        {
            var t0 = sw.Elapsed.TotalSeconds;
            UpperTriangleSums sums;
            string route;
            if (FeatureSpaceRsa.Supports(kind))
            {
                sums = FeatureSpaceRsa.Sums(a, b, kind, words);
                route = "feature-space";
                peak = Math.Max(peak, ((long)a.Rows * a.Cols + (long)b.Rows * b.Cols) * 8);
            }
            else
            {
                (sums, long bytes) = BlockwiseSums(a, b, kind, words);
                route = "blockwise";
                peak = Math.Max(peak, bytes);
            }
            if (measures.Contains(RsaMeasure.Pearson)) { values[RsaMeasure.Pearson] = sums.Pearson; routes[RsaMeasure.Pearson] = route; }
            if (measures.Contains(RsaMeasure.Cosine)) { values[RsaMeasure.Cosine] = sums.Cosine; routes[RsaMeasure.Cosine] = route; }
            timings["pearson"] = sw.Elapsed.TotalSeconds - t0;
            done += linearShare * scale;
            progress?.Report(done);
        }

        PermutationResult? perm = null;
        if (doPermutations)
        {
            var t0 = sw.Elapsed.TotalSeconds;
            double start = done;
            perm = FeatureSpacePermutationTest.Pearson(a, b, kind, permutations, seed,
                FractionProgress.Part(progress, start, start + permShare * scale), words);
            timings["permutations"] = sw.Elapsed.TotalSeconds - t0;
            done += permShare * scale;
            progress?.Report(done);
        }

        if (rank.Count > 0)
        {
            var t0 = sw.Elapsed.TotalSeconds;
            double start = done;
            var r = LargeScaleRankRsa.Compute(a, b, kind, rank, memoryBudget,
                FractionProgress.Part(progress, start, start + 0.8 * scale), words);
            foreach (var kv in r.Values) { values[kv.Key] = kv.Value; routes[kv.Key] = "rank (float32 keys)"; }
            foreach (var kv in r.Timings) timings["rank." + kv.Key] = kv.Value;
            timings["rank"] = sw.Elapsed.TotalSeconds - t0;
            peak = Math.Max(peak, r.PeakBytes);
        }
        progress?.Report(1.0);
        timings["total"] = sw.Elapsed.TotalSeconds;
        return new WholeVocabularyResult(a.Rows, CondensedIndex.Length(a.Rows), kind, values, perm, routes, peak, estimate, timings);
    }

    /// <summary>
    /// The 2-D histogram (bins×bins) of (dissimilarity in A, dissimilarity in B) over all word pairs, computed
    /// blockwise (two passes: range, then counts); memory O(bins² + block).
    /// </summary>
    public static DensityGrid Density(Matrix a, Matrix b, DissimilarityKind kind, int bins = 200,
        IProgress<double>? progress = null, IReadOnlyList<string>? words = null)
    {
        if (bins < 1) throw new SimileException($"density grid with {bins} bins", "use at least 1 bin (e.g. 200)");
        if (a.Rows != b.Rows)
            throw new SimileException($"the two models have {a.Rows} and {b.Rows} words", "restrict both to their shared vocabulary first");
        int n = a.Rows;
        if (n < 2) throw new SimileException($"only {n} words: no pairs to draw", "use a longer word list");
        var pa = new PairDissimilarities(a, kind, MatrixSources.Default.A, words);
        var pb = new PairDissimilarities(b, kind, MatrixSources.Default.B, words);
        int blockRows = PairDissimilarities.BlockRows(n);
        var blockA = new double[(long)Math.Min(blockRows, n) * n];
        var blockB = new double[blockA.Length];

        double minA = double.PositiveInfinity, maxA = double.NegativeInfinity, minB = double.PositiveInfinity, maxB = double.NegativeInfinity;
        var counts = new long[(long)bins * bins];
        for (int pass = 0; pass < 2; pass++)
        {
            double wA = (maxA - minA) / bins, wB = (maxB - minB) / bins;
            for (int i0 = 0; i0 < n - 1; i0 += blockRows)
            {
                int i1 = Math.Min(n - 1, i0 + blockRows);
                pa.ComputeBlock(i0, i1, blockA);
                pb.ComputeBlock(i0, i1, blockB);
                int rows = i1 - i0;
                if (pass == 0)
                {
                    var mins = new double[rows * 2]; var maxs = new double[rows * 2];
                    Parallel.For(i0, i1, i =>
                    {
                        double lA = double.PositiveInfinity, hA = double.NegativeInfinity, lB = lA, hB = hA;
                        for (int j = i + 1; j < n; j++)
                        {
                            double x = pa.Value(blockA, i0, i, j), y = pb.Value(blockB, i0, i, j);
                            lA = Math.Min(lA, x); hA = Math.Max(hA, x); lB = Math.Min(lB, y); hB = Math.Max(hB, y);
                        }
                        mins[(i - i0) * 2] = lA; maxs[(i - i0) * 2] = hA; mins[(i - i0) * 2 + 1] = lB; maxs[(i - i0) * 2 + 1] = hB;
                    });
                    for (int r = 0; r < rows; r++)
                    {
                        minA = Math.Min(minA, mins[2 * r]); maxA = Math.Max(maxA, maxs[2 * r]);
                        minB = Math.Min(minB, mins[2 * r + 1]); maxB = Math.Max(maxB, maxs[2 * r + 1]);
                    }
                }
                else
                {
                    Parallel.For(i0, i1, () => new long[counts.Length], (i, _, local) =>
                    {
                        for (int j = i + 1; j < n; j++)
                        {
                            int r = Bin(pa.Value(blockA, i0, i, j), minA, wA, bins);
                            int c = Bin(pb.Value(blockB, i0, i, j), minB, wB, bins);
                            local[r * bins + c]++;
                        }
                        return local;
                    }, local => { lock (counts) for (int k = 0; k < local.Length; k++) counts[k] += local[k]; });
                }
                progress?.Report((pass + (double)i1 / (n - 1)) / 2);
            }
        }
        return new DensityGrid(bins, kind, minA, maxA, minB, maxB, counts, CondensedIndex.Length(n));
    }

    private static int Bin(double v, double min, double width, int bins)
    {
        if (!(width > 0)) return 0;
        int b = (int)((v - min) / width);
        return Math.Clamp(b, 0, bins - 1);
    }

    /// <summary>Exact float64 sums over all pairs, block by block (for kinds without a feature-space form).</summary>
    internal static (UpperTriangleSums Sums, long Bytes) BlockwiseSums(Matrix a, Matrix b, DissimilarityKind kind, IReadOnlyList<string>? words,
        MatrixSources? sources = null)
    {
        int n = a.Rows;
        sources ??= MatrixSources.Default;
        var pa = new PairDissimilarities(a, kind, sources.A, words);
        var pb = new PairDissimilarities(b, kind, sources.B, words);
        int blockRows = PairDissimilarities.BlockRows(n);
        var blockA = new double[(long)Math.Min(blockRows, n) * n];
        var blockB = new double[blockA.Length];
        var rowSums = new double[n * 5L];
        for (int i0 = 0; i0 < n - 1; i0 += blockRows)
        {
            int i1 = Math.Min(n - 1, i0 + blockRows);
            pa.ComputeBlock(i0, i1, blockA);
            pb.ComputeBlock(i0, i1, blockB);
            Parallel.For(i0, i1, i =>
            {
                double s1 = 0, s2 = 0, s11 = 0, s22 = 0, s12 = 0;
                for (int j = i + 1; j < n; j++)
                {
                    double x = pa.Value(blockA, i0, i, j), y = pb.Value(blockB, i0, i, j);
                    s1 += x; s2 += y; s11 += x * x; s22 += y * y; s12 += x * y;
                }
                rowSums[5L * i] = s1; rowSums[5L * i + 1] = s2; rowSums[5L * i + 2] = s11; rowSums[5L * i + 3] = s22; rowSums[5L * i + 4] = s12;
            });
        }
        double t1 = 0, t2 = 0, t11 = 0, t22 = 0, t12 = 0;
        for (int i = 0; i < n; i++)
        {
            t1 += rowSums[5L * i]; t2 += rowSums[5L * i + 1]; t11 += rowSums[5L * i + 2]; t22 += rowSums[5L * i + 3]; t12 += rowSums[5L * i + 4];
        }
        long bytes = pa.Bytes + pb.Bytes + blockA.LongLength * 16 + rowSums.LongLength * 8;
        return (new UpperTriangleSums(CondensedIndex.Length(n), t1, t2, t11, t22, t12), bytes);
    }

}
