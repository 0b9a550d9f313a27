using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Simile.Comparison;
using Simile.Similarity;

namespace Simile.Inference;

/// <summary>
/// Mantel permutation test of the second-order relation between two dissimilarity matrices over the same items.
/// <para>
/// Permutation p (0-based) relabels the items of <c>b</c> by π = <see cref="Permutations.Fill"/>(seed, p):
/// the permuted value of pair (i, j) is b(π(i), π(j)). Every requested measure is evaluated on the same permutations.
/// Permutations are computed in parallel blocks, but each permutation's draw depends only on (seed, p), so the
/// result is identical for any thread count and any block size. One-sided: k counts permutations whose statistic is
/// ≥ the observed one; p = (k + 1)/(N + 1).
/// </para>
/// <para>
/// Cost per permutation is O(m) (m = n(n−1)/2 pairs), with no re-sorting:
/// Pearson is the dot product of the pre-centred condensed a with pre-centred b read through the permuted index map
/// (both stored as float32, products summed in float64; b kept as a full n×n matrix, so each row is gathered from
/// cache; the reported Observed value is the exact float64 measure); cosine ranks permutations identically
/// (its numerator is that dot product plus a permutation-invariant constant), so it shares the count.
/// Spearman permutes the pre-computed ranks (stored as exact integers 2·rank − (m+1)) and sums their products
/// in exact integer arithmetic; rho-a is proportional to the same sum and shares the count.
/// Kendall tau-b/tau-a re-count concordance under every permutation (dense ranks are permuted, so only the
/// O(m log m) merge count is repeated): exact but about 50× slower than Pearson (n = 600: ~18 ms against ~0.4 ms
/// per permutation) — use it for small n.
/// Floating-point statistics (Pearson, cosine) within <see cref="Permutations.TieTolerance"/> (on the r scale) of the observed count as ties, i.e. as ≥.
/// The row gathers use AVX2 where available. For large n the loop is memory-bound: each permutation reads every row of
/// the stored b once (n²·4 bytes per statistic, 100 MB at n = 5,000).
/// </para>
/// </summary>
public static partial class PermutationTest
{
    /// <summary>Permutations per parallel work item (scheduling only; results do not depend on it).</summary>
    private const int BlockSize = 8;

    /// <summary>
    /// Permutes the items of <paramref name="b"/> (same permutation on rows and columns) N times; seeded,
    /// deterministic whatever the thread count. One result per requested measure (all from the same permutations).
    /// </summary>
    public static IReadOnlyList<PermutationResult> Run(DissimilarityMatrix a, DissimilarityMatrix b,
        IReadOnlyList<RsaMeasure> measures, int permutations, ulong seed, IProgress<double>? progress = null)
        => Run(a, b, measures, permutations, seed, new ParallelOptions(), progress);

    /// <summary>
    /// As <see cref="Run(DissimilarityMatrix, DissimilarityMatrix, IReadOnlyList{RsaMeasure}, int, ulong, IProgress{double}?)"/>,
    /// with the parallelism set by <paramref name="parallel"/> (MaxDegreeOfParallelism, TaskScheduler, CancellationToken).
    /// <paramref name="progress"/> receives the completed fraction (0..1) from worker threads.
    /// </summary>
    public static IReadOnlyList<PermutationResult> Run(DissimilarityMatrix a, DissimilarityMatrix b,
        IReadOnlyList<RsaMeasure> measures, int permutations, ulong seed, ParallelOptions parallel, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(measures);
        Inputs.CheckPair(a, b);
        Permutations.CheckCount(permutations);
        if (measures.Count == 0) return [];

        int n = a.N;
        var distinct = measures.Distinct().ToList();
        bool wantLinear = distinct.Any(m => m is RsaMeasure.Pearson or RsaMeasure.Cosine);
        bool wantRank = distinct.Any(m => m is RsaMeasure.Spearman or RsaMeasure.RhoA);
        bool wantKendall = distinct.Any(m => m is RsaMeasure.KendallTauB or RsaMeasure.TauA);

        // Observed values exactly as RsaMeasures computes them (the ranks are computed once and reused).
        double[]? ranksA = null, ranksB = null;
        if (wantRank) (ranksA, ranksB) = RsaMeasures.BothAverageRanks(a.Condensed, b.Condensed);
        var observedValue = distinct.ToDictionary(m => m, m => m switch
        {
            RsaMeasure.Spearman => RsaMeasures.PearsonUnchecked(ranksA, ranksB),
            RsaMeasure.RhoA => RsaMeasures.RhoAFromRanks(ranksA, ranksB),
            _ => RsaMeasures.Compute(m, a.Condensed, b.Condensed),
        });
        var mantel = wantLinear || wantRank ? new MantelKernel(a, b, wantLinear, ranksA, ranksB) : null;
        var kendall = wantKendall ? new KendallKernel(a, b) : null;

        // Statistics under the identity, computed by the same kernels (so a permutation equal to the identity ties exactly).
        var identity = Enumerable.Range(0, n).ToArray();
        var linearObserved = new double[1];
        var rankObserved = new Int128[1];
        mantel?.Statistics([identity], 1, linearObserved, rankObserved);
        long kendallObserved = kendall?.Statistic(identity) ?? 0;

        int kLinear = 0, kRank = 0, kKendall = 0;
        Permutations.RunBlocks(n, permutations, seed,
            () => (Linear: new double[MantelKernel.Group], Rank: new Int128[MantelKernel.Group], Counts: new int[3]),
            (_, count, perms, w) =>
            {
                if (mantel is not null)
                {
                    mantel.Statistics(perms, count, w.Linear, w.Rank);
                    for (int g = 0; g < count; g++)
                    {
                        if (wantLinear && Permutations.AtLeast(w.Linear[g], linearObserved[0], mantel.LinearScale)) w.Counts[0]++;
                        if (wantRank && w.Rank[g] >= rankObserved[0]) w.Counts[1]++;
                    }
                }
                if (kendall is not null)
                    for (int g = 0; g < count; g++)
                        if (kendall.Statistic(perms[g]) >= kendallObserved) w.Counts[2]++;
            },
            w => { kLinear += w.Counts[0]; kRank += w.Counts[1]; kKendall += w.Counts[2]; },
            MantelKernel.Group, parallel, progress);

        var results = new List<PermutationResult>(measures.Count);
        foreach (var m in measures)
        {
            int k = m switch
            {
                RsaMeasure.Pearson or RsaMeasure.Cosine => kLinear,
                RsaMeasure.Spearman or RsaMeasure.RhoA => kRank,
                _ => kKendall,
            };
            double observed = observedValue[m];
            double pValue = Permutations.PValue(k, permutations, observed);
            results.Add(new PermutationResult(m, permutations, seed, observed, pValue, k));
        }
        return results;
    }

    /// <summary>
    /// The O(m) Mantel sums for a group of permutations at once (a's row is read from memory once per group):
    /// linear S(π) = Σ_{i&lt;j} ac(i,j)·bc(π(i),π(j)) with a, b mean-centred and stored as float32 (products are exact in
    /// float64, sums are float64), and rank R(π) = Σ ra(i,j)·rb(π(i),π(j)) with r = 2·average rank − (m+1), exact
    /// integers summed exactly. b is kept as a full n×n matrix, so each needed row is gathered from cache.
    /// </summary>
    private sealed class MantelKernel
    {
        public const int Group = 8;
        private readonly int _n;
        private readonly float[]? _aLinear;  // condensed
        private readonly float[]? _bLinear;  // n×n, diagonal unused
        private readonly int[]? _aRank;      // condensed
        private readonly int[]? _bRank;      // n×n
        private readonly int _segment;       // inner-loop length whose long sum cannot overflow
        /// <summary>sqrt(Σac²·Σbc²) of the stored values: S divided by it is Pearson r.</summary>
        public double LinearScale { get; }

        public MantelKernel(DissimilarityMatrix a, DissimilarityMatrix b, bool linear, double[]? ranksA, double[]? ranksB)
        {
            _n = a.N;
            long m = a.Condensed.LongLength;
            if (linear)
            {
                double ma = a.Condensed.Average(), mb = b.Condensed.Average();
                _aLinear = new float[m];
                double saa = 0, sbb = 0;
                for (long k = 0; k < m; k++)
                {
                    _aLinear[k] = (float)(a.Condensed[k] - ma);
                    saa += (double)_aLinear[k] * _aLinear[k];
                }
                var bc = new float[m];
                for (long k = 0; k < m; k++)
                {
                    bc[k] = (float)(b.Condensed[k] - mb);
                    sbb += (double)bc[k] * bc[k];
                }
                _bLinear = ToSquare(bc, _n);
                LinearScale = Math.Sqrt(saa * sbb);
            }
            if (ranksA is not null && ranksB is not null)
            {
                _aRank = new int[m];
                var rb = new int[m];
                for (long k = 0; k < m; k++)
                {
                    _aRank[k] = checked((int)(2 * ranksA[k] - (m + 1)));
                    rb[k] = checked((int)(2 * ranksB[k] - (m + 1)));
                }
                _bRank = ToSquare(rb, _n);
            }
            double maxProduct = Math.Max(1.0, (double)m * m);
            _segment = (int)Math.Clamp(long.MaxValue / 2 / maxProduct, 1, int.MaxValue);
        }

        private static T[] ToSquare<T>(T[] condensed, int n) where T : struct
        {
            var sq = new T[(long)n * n];
            long k = 0;
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++, k++)
                    sq[(long)i * n + j] = condensed[k];
            // lower triangle by blocked transpose (cache-friendly)
            const int Tile = 64;
            for (int i0 = 0; i0 < n; i0 += Tile)
                for (int j0 = 0; j0 <= i0; j0 += Tile)
                    for (int i = i0; i < Math.Min(n, i0 + Tile); i++)
                        for (int j = j0; j < Math.Min(i, j0 + Tile); j++)
                            sq[(long)i * n + j] = sq[(long)j * n + i];
            return sq;
        }

        /// <summary>Statistics of perms[0..count): linear[g], rank[g] (each only if that kernel is set up).</summary>
        public void Statistics(int[][] perms, int count, double[] linear, Int128[] rank)
        {
            int n = _n;
            for (int g = 0; g < count; g++) { linear[g] = 0; rank[g] = 0; }
            for (int i = 0; i < n - 1; i++)
            {
                int k0 = (int)CondensedIndex.RowStart(n, i);
                int len = n - 1 - i;
                for (int g = 0; g < count; g++)
                {
                    var perm = perms[g];
                    var cols = new ReadOnlySpan<int>(perm, i + 1, len);
                    long rowOffset = (long)perm[i] * n;
                    if (_aLinear is not null)
                        linear[g] += LinearRow(new ReadOnlySpan<float>(_aLinear, k0, len),
                            new ReadOnlySpan<float>(_bLinear, (int)rowOffset, n), cols);
                    if (_aRank is not null)
                    {
                        var aRow = new ReadOnlySpan<int>(_aRank, k0, len);
                        var bRow = new ReadOnlySpan<int>(_bRank, (int)rowOffset, n);
                        for (int t = 0; t < len; t += _segment)
                        {
                            int seg = Math.Min(_segment, len - t);
                            rank[g] += RankRow(aRow.Slice(t, seg), bRow, cols.Slice(t, seg));
                        }
                    }
                }
            }
        }
    }

    /// <summary>Forces the scalar row kernels (tests compare them with the AVX2 ones).</summary>
    internal static bool DisableSimd { get; set; }

    /// <summary>Σ_t a[t]·b[cols[t]] in float64 (float32 products are exact in float64).</summary>
    private static unsafe double LinearRow(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<int> cols)
    {
        int len = a.Length, t = 0;
        double s = 0;
        if (Avx2.IsSupported && Fma.IsSupported && !DisableSimd && len >= 8)
        {
            fixed (float* pa = a, pb = b)
            fixed (int* pc = cols)
            {
                var acc0 = Vector256<double>.Zero;
                var acc1 = Vector256<double>.Zero;
                for (; t <= len - 8; t += 8)
                {
                    var bv = Avx2.GatherVector256(pb, Avx.LoadVector256(pc + t), 4);
                    var av = Avx.LoadVector256(pa + t);
                    acc0 = Fma.MultiplyAdd(Avx.ConvertToVector256Double(av.GetLower()), Avx.ConvertToVector256Double(bv.GetLower()), acc0);
                    acc1 = Fma.MultiplyAdd(Avx.ConvertToVector256Double(av.GetUpper()), Avx.ConvertToVector256Double(bv.GetUpper()), acc1);
                }
                s = Vector256.Sum(acc0 + acc1);
            }
        }
        double s1 = 0;
        for (; t + 1 < len; t += 2)
        {
            s += (double)a[t] * b[cols[t]];
            s1 += (double)a[t + 1] * b[cols[t + 1]];
        }
        if (t < len) s += (double)a[t] * b[cols[t]];
        return s + s1;
    }

    /// <summary>Σ_t a[t]·b[cols[t]] exactly (the caller keeps the length short enough for a long sum).</summary>
    private static unsafe long RankRow(ReadOnlySpan<int> a, ReadOnlySpan<int> b, ReadOnlySpan<int> cols)
    {
        int len = a.Length, t = 0;
        long s = 0;
        if (Avx2.IsSupported && !DisableSimd && len >= 8)
        {
            fixed (int* pa = a, pb = b, pc = cols)
            {
                var acc0 = Vector256<long>.Zero;
                var acc1 = Vector256<long>.Zero;
                for (; t <= len - 8; t += 8)
                {
                    var bv = Avx2.GatherVector256(pb, Avx.LoadVector256(pc + t), 4);
                    var av = Avx.LoadVector256(pa + t);
                    // vpmuldq: signed 32x32->64 products of the (sign-extended) low halves of each 64-bit lane.
                    acc0 += Avx2.Multiply(Avx2.ConvertToVector256Int64(av.GetLower()).AsInt32(),
                                          Avx2.ConvertToVector256Int64(bv.GetLower()).AsInt32());
                    acc1 += Avx2.Multiply(Avx2.ConvertToVector256Int64(av.GetUpper()).AsInt32(),
                                          Avx2.ConvertToVector256Int64(bv.GetUpper()).AsInt32());
                }
                s = Vector256.Sum(acc0 + acc1);
            }
        }
        for (; t < len; t++) s += (long)a[t] * b[cols[t]];
        return s;
    }

    /// <summary>Concordant − discordant pairs between a and permuted b (integers; tau-b and tau-a are proportional to it).</summary>
    private sealed class KendallKernel
    {
        private readonly int _n;
        private readonly int[] _xOrder;   // condensed positions in ascending a order
        private readonly int[] _dx;       // dense ranks of a (mark a's tie groups)
        private readonly long _xTies;
        private readonly int[] _dySquare; // dense ranks of b, n×n
        private readonly long _yTies;

        public KendallKernel(DissimilarityMatrix a, DissimilarityMatrix b)
        {
            _n = a.N;
            var sx = Ranks.Sort(a.Condensed, "first matrix");
            _dx = Ranks.Dense(sx, out _, out _xTies);
            _xOrder = KendallCounts.XOrder(sx);
            var sy = Ranks.Sort(b.Condensed, "second matrix");
            var dy = Ranks.Dense(sy, out _, out _yTies);
            _dySquare = new int[(long)_n * _n];
            long k = 0;
            for (int i = 0; i < _n; i++)
                for (int j = i + 1; j < _n; j++, k++)
                    _dySquare[(long)i * _n + j] = _dySquare[(long)j * _n + i] = dy[k];
        }

        public long Statistic(ReadOnlySpan<int> perm)
        {
            int n = _n;
            int m = _dx.Length;
            var dy = new int[m];
            long k = 0;
            for (int i = 0; i < n - 1; i++)
            {
                var row = _dySquare.AsSpan((int)((long)perm[i] * n), n);
                for (int j = i + 1; j < n; j++, k++) dy[k] = row[perm[j]];
            }
            return KendallCounts.FromXOrder(_xOrder, _dx, _xTies, dy, _yTies).ConcordantMinusDiscordant;
        }
    }
}
