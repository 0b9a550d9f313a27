using System.Diagnostics;
using System.Numerics;
using Simile.Data;
using Simile.Engine;
using Simile.Similarity;

namespace Simile.Comparison;

/// <summary>Result of the whole-vocabulary rank route.</summary>
/// <param name="Values">One value per requested rank measure.</param>
/// <param name="Pairs">m = n(n−1)/2 item pairs.</param>
/// <param name="PeakBytes">The largest total size of the route's arrays alive at one time (bytes).</param>
/// <param name="EstimatedBytes">What <see cref="LargeScaleRankRsa.EstimateBytes"/> predicted beforehand.</param>
/// <param name="TiedPairsA">Σ t(t−1)/2 over groups of equal float32 keys in model A (ties in the RDM vector).</param>
/// <param name="TiedPairsB">The same for model B.</param>
/// <param name="Timings">Seconds per stage: values, ranks, spearman, kendall.</param>
public sealed record RankRsaResult(IReadOnlyDictionary<RsaMeasure, double> Values, long Pairs, long PeakBytes,
    long EstimatedBytes, long TiedPairsA, long TiedPairsB, IReadOnlyDictionary<string, double> Timings);

/// <summary>
/// Spearman, Kendall tau-b, tau-a and rho-a between two models' dissimilarity vectors over all
/// m = n(n−1)/2 item pairs, without n×n float64 matrices.
/// </summary>
/// <remarks>
/// Dissimilarities are computed in float64 blockwise through <see cref="Gemm"/> (a block of rows against all later
/// rows) and stored as float32 sort keys, 4 bytes per pair. Ranks come from a parallel bucket sort of
/// (key, index) pairs; average ranks are kept doubled as exact integers, so Spearman and rho-a are exact
/// integer sums (Int128) divided once. Kendall's tau (Knight's O(m log m) algorithm, scipy's tie handling):
/// sort pairs by (rank A, rank B), count joint ties, count discordant pairs as inversions of the B ranks
/// with a parallel merge sort.
/// <para>Ties are those of the float32 keys: two float64 dissimilarities closer than float32 resolution
/// (about 6e-8 relative) become a tie here while the explicit float64 route ranks them apart. Exactly equal
/// values (duplicate words, categorical models) tie in both routes, because the GEMM gives identical rows
/// bit-identical results.</para>
/// Peak memory is about 16·m bytes (two 4-byte key/rank arrays plus one 8-byte packed array), e.g. 3.2 GB for
/// 20,000 words.
/// </remarks>
public static class LargeScaleRankRsa
{
    /// <summary>Default memory budget for the route's arrays: 16 GB.</summary>
    public const long DefaultMemoryBudget = 16L << 30;

    public static readonly IReadOnlyList<RsaMeasure> RankMeasures =
        [RsaMeasure.Spearman, RsaMeasure.KendallTauB, RsaMeasure.TauA, RsaMeasure.RhoA];

    /// <summary>Bytes the route needs at its peak for n items of widths dA and dB (inputs not counted).</summary>
    public static long EstimateBytes(int n, int dA, int dB, IReadOnlyList<RsaMeasure> measures)
    {
        long m = CondensedIndex.Length(n);
        long rows = (long)n * Math.Max(dA, dB) * 8;             // one transformed copy of the rows
        long block = (long)BlockRows(n) * n * 8;               // one float64 block of dot products
        long hist = (long)Chunks * MaxBuckets * 12;           // per-chunk histograms and offsets
        long ranks = 16 * m;                                   // key array + packed array + other model's ranks
        return rows + Math.Max(block + 4 * m * 2, ranks) + hist;
    }

    /// <summary>The largest n whose estimate fits the budget (for the error message's --limit hint).</summary>
    public static int MaxItemsWithin(long budget, int dA, int dB)
    {
        int lo = 2, hi = 65_535;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (EstimateBytes(mid, dA, dB, RankMeasures) <= budget) lo = mid; else hi = mid - 1;
        }
        return lo;
    }

    /// <summary>
    /// The requested rank measures (any of Spearman, KendallTauB, TauA, RhoA) between the kind-<paramref name="kind"/>
    /// dissimilarity vectors of the rows of a and b. Throws <see cref="SimileException"/> before allocating when the
    /// estimate exceeds <paramref name="memoryBudget"/>.
    /// </summary>
    public static RankRsaResult Compute(Matrix a, Matrix b, DissimilarityKind kind, IReadOnlyList<RsaMeasure> measures,
        long memoryBudget = DefaultMemoryBudget, IProgress<double>? progress = null, IReadOnlyList<string>? rowNames = null)
    {
        foreach (var mm in measures)
            if (!RankMeasures.Contains(mm))
                throw new SimileException($"the rank route does not compute '{mm.Name()}'",
                    "compute pearson and cosine with the feature-space route (FeatureSpaceRsa)");
        if (a.Rows != b.Rows)
            throw new SimileException($"the two matrices have {a.Rows} and {b.Rows} rows; RSA needs the same items in the same order",
                "give both models the same word list");
        int n = a.Rows;
        if (n < 3) throw new SimileException($"only {n} items: a correlation over item pairs needs at least 3 items", "use a longer word list");
        long m = CondensedIndex.Length(n);
        long estimate = EstimateBytes(n, a.Cols, b.Cols, measures);
        if (m > Array.MaxLength || estimate > memoryBudget)
        {
            int fit = Math.Min(MaxItemsWithin(memoryBudget, a.Cols, b.Cols), 65_535);
            throw new SimileException(
                $"rank measures over {n:N0} items ({m:N0} pairs) need about {Gb(estimate)} of memory"
                + (m > Array.MaxLength ? " and more pairs than one array can hold" : $", above the {Gb(memoryBudget)} budget"),
                $"use --limit {fit} (the most items that fit), raise --memory-budget, or ask for pearson only (the feature-space route needs no n×n memory)");
        }

        var timings = new Dictionary<string, double>();
        var sw = Stopwatch.StartNew();
        var tracker = new MemoryTracker();
        bool wantSpearman = measures.Contains(RsaMeasure.Spearman) || measures.Contains(RsaMeasure.RhoA);
        bool wantKendall = measures.Contains(RsaMeasure.KendallTauB) || measures.Contains(RsaMeasure.TauA);

        // 1. Model A: keys, then ranks in place.
        uint[] ranksA = DissimilarityKeys(a, kind, "first", rowNames, tracker, p => progress?.Report(0.25 * p));
        timings["values"] = sw.Elapsed.TotalSeconds;
        var t0 = sw.Elapsed.TotalSeconds;
        long tiesA = RanksInPlace(ranksA, tracker);
        timings["ranks"] = sw.Elapsed.TotalSeconds - t0;
        progress?.Report(0.35);

        // 2. Model B.
        t0 = sw.Elapsed.TotalSeconds;
        uint[] ranksB = DissimilarityKeys(b, kind, "second", rowNames, tracker, p => progress?.Report(0.35 + 0.25 * p));
        timings["values"] += sw.Elapsed.TotalSeconds - t0;
        t0 = sw.Elapsed.TotalSeconds;
        long tiesB = RanksInPlace(ranksB, tracker);
        timings["ranks"] += sw.Elapsed.TotalSeconds - t0;
        progress?.Report(0.7);

        var values = new Dictionary<RsaMeasure, double>();
        if (wantSpearman)
        {
            t0 = sw.Elapsed.TotalSeconds;
            var (spearman, rhoA) = SpearmanAndRhoA(ranksA, ranksB);
            if (measures.Contains(RsaMeasure.Spearman)) values[RsaMeasure.Spearman] = spearman;
            if (measures.Contains(RsaMeasure.RhoA)) values[RsaMeasure.RhoA] = rhoA;
            timings["spearman"] = sw.Elapsed.TotalSeconds - t0;
        }
        if (wantKendall)
        {
            t0 = sw.Elapsed.TotalSeconds;
            var (tauB, tauA) = Kendall(ranksA, ranksB, tiesA, tiesB, tracker);
            if (measures.Contains(RsaMeasure.KendallTauB)) values[RsaMeasure.KendallTauB] = tauB;
            if (measures.Contains(RsaMeasure.TauA)) values[RsaMeasure.TauA] = tauA;
            timings["kendall"] = sw.Elapsed.TotalSeconds - t0;
        }
        progress?.Report(1.0);
        return new RankRsaResult(values, m, tracker.Peak, estimate, tiesA, tiesB, timings);
    }

    private static string Gb(long bytes) => $"{bytes / (double)(1L << 30):F1} GB";

    /// <summary>Counts the big arrays alive, to report the route's peak memory honestly.</summary>
    internal sealed class MemoryTracker
    {
        private long current;
        public long Peak { get; private set; }
        public void Add(long bytes) { current += bytes; Peak = Math.Max(Peak, current); }
        public void Remove(long bytes) => current -= bytes;
    }

    // ---------------------------------------------------------------- values

    private static int BlockRows(int n) => PairDissimilarities.BlockRows(n);

    /// <summary>Float32 dissimilarities of all pairs, condensed order, as order-preserving uint keys (4·m bytes).</summary>
    internal static uint[] DissimilarityKeys(Matrix x, DissimilarityKind kind, string label, IReadOnlyList<string>? rowNames,
        MemoryTracker? tracker = null, Action<double>? progress = null)
    {
        int n = x.Rows;
        var pairs = new PairDissimilarities(x, kind, label, rowNames);
        tracker?.Add(pairs.Bytes);
        long m = CondensedIndex.Length(n);
        var keys = new uint[m];
        tracker?.Add(m * 4);
        int blockRows = BlockRows(n);
        var block = new double[(long)Math.Min(blockRows, n) * n];
        tracker?.Add(block.LongLength * 8);
        for (int i0 = 0; i0 < n - 1; i0 += blockRows)
        {
            int i1 = Math.Min(n - 1, i0 + blockRows);
            pairs.ComputeBlock(i0, i1, block);
            Parallel.For(i0, i1, i =>
            {
                long k = CondensedIndex.RowStart(n, i);
                for (int j = i + 1; j < n; j++, k++)
                    keys[k] = SortableKey((float)pairs.Value(block, i0, i, j));
            });
            progress?.Invoke((double)i1 / (n - 1));
        }
        tracker?.Remove(block.LongLength * 8 + pairs.Bytes);
        return keys;
    }

    /// <summary>Maps a float to a uint with the same order (−0 and +0 equal; NaN is never produced here).</summary>
    internal static uint SortableKey(float v)
    {
        if (v == 0) v = 0;   // −0 → +0
        uint bits = BitConverter.SingleToUInt32Bits(v);
        return (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
    }

    // ---------------------------------------------------------------- sorting

    private const int Chunks = 64;
    private const int MaxBuckets = 1 << 16;

    /// <summary>Bucket count for m elements: about 16 per bucket, 256 to 65,536 buckets.</summary>
    private static int BucketCount(long m) => 1 << Math.Clamp(64 - BitOperations.LeadingZeroCount((ulong)m) - 4, 8, 16);

    private interface IPackedSource
    {
        long Length { get; }
        /// <summary>High 32 bits (the bucketing key) and the full packed value of element k.</summary>
        ulong Get(long k);
        uint High(long k);
    }

    private readonly struct KeyIndexSource(uint[] keys) : IPackedSource
    {
        public long Length => keys.LongLength;
        public ulong Get(long k) => (ulong)keys[k] << 32 | (uint)k;
        public uint High(long k) => keys[k];
    }

    private readonly struct RankPairSource(uint[] a, uint[] b) : IPackedSource
    {
        public long Length => a.LongLength;
        public ulong Get(long k) => (ulong)a[k] << 32 | b[k];
        public uint High(long k) => a[k];
    }

    /// <summary>
    /// Sorts the packed values of a source ascending: bucket by the high 32 bits (so equal high parts share a
    /// bucket), scatter with per-chunk offsets (fixed chunk layout: deterministic), sort buckets in parallel.
    /// Returns the sorted array and the bucket boundaries (Buckets+1).
    /// </summary>
    private static (ulong[] Sorted, long[] Starts) SortPacked<TSource>(TSource src) where TSource : struct, IPackedSource
    {
        long m = src.Length;
        long chunkLen = (m + Chunks - 1) / Chunks;
        int buckets = BucketCount(m);
        int bucketBits = BitOperations.Log2((uint)buckets);
        uint lo = uint.MaxValue, hi = 0;
        var los = new uint[Chunks];
        var his = new uint[Chunks];
        Parallel.For(0, Chunks, c =>
        {
            uint l = uint.MaxValue, h = 0;
            for (long k = c * chunkLen, e = Math.Min(m, k + chunkLen); k < e; k++) { uint v = src.High(k); if (v < l) l = v; if (v > h) h = v; }
            los[c] = l; his[c] = h;
        });
        for (int c = 0; c < Chunks; c++) { lo = Math.Min(lo, los[c]); hi = Math.Max(hi, his[c]); }
        int shift = Math.Max(0, 32 - BitOperations.LeadingZeroCount(hi - lo) - bucketBits);

        var hist = new int[Chunks][];
        Parallel.For(0, Chunks, c =>
        {
            var h = new int[buckets];
            for (long k = c * chunkLen, e = Math.Min(m, k + chunkLen); k < e; k++) h[(src.High(k) - lo) >> shift]++;
            hist[c] = h;
        });
        var starts = new long[buckets + 1];
        var offsets = new long[Chunks][];
        for (int c = 0; c < Chunks; c++) offsets[c] = new long[buckets];
        long pos = 0;
        for (int bk = 0; bk < buckets; bk++)
        {
            starts[bk] = pos;
            for (int c = 0; c < Chunks; c++) { offsets[c][bk] = pos; pos += hist[c][bk]; }
        }
        starts[buckets] = pos;

        var sorted = GC.AllocateUninitializedArray<ulong>(checked((int)m));
        Parallel.For(0, Chunks, c =>
        {
            var off = offsets[c];
            for (long k = c * chunkLen, e = Math.Min(m, k + chunkLen); k < e; k++)
                sorted[off[(src.High(k) - lo) >> shift]++] = src.Get(k);
        });
        ForEachBucket(starts, (s, e) => sorted.AsSpan((int)s, (int)(e - s)).Sort());
        return (sorted, starts);
    }

    /// <summary>Runs body(start, end) for every non-empty bucket, in parallel over ranges of buckets.</summary>
    private static void ForEachBucket(long[] starts, Action<long, long> body)
    {
        const int group = 256;
        int buckets = starts.Length - 1;
        Parallel.For(0, buckets / group, gI =>
        {
            for (int bk = gI * group; bk < (gI + 1) * group; bk++)
                if (starts[bk + 1] > starts[bk]) body(starts[bk], starts[bk + 1]);
        });
    }

    /// <summary>
    /// Replaces keys by doubled average ranks (1-based; a tie group over sorted positions s..e−1 gets s+e+1),
    /// exact integers. Returns the number of tied pairs Σ t(t−1)/2.
    /// </summary>
    internal static long RanksInPlace(uint[] keys, MemoryTracker? t = null)
    {
        var (sorted, starts) = SortPacked(new KeyIndexSource(keys));
        t?.Add(sorted.LongLength * 8);
        long ties = 0;
        ForEachBucket(starts, (s, e) =>
        {
            long local = 0;
            for (long r = s; r < e;)
            {
                uint key = (uint)(sorted[r] >> 32);
                long q = r + 1;
                while (q < e && (uint)(sorted[q] >> 32) == key) q++;
                uint rank2 = (uint)(r + q + 1);
                for (long z = r; z < q; z++) keys[(uint)sorted[z]] = rank2;
                long len = q - r;
                local += len * (len - 1) / 2;
                r = q;
            }
            Interlocked.Add(ref ties, local);
        });
        t?.Remove(sorted.LongLength * 8);
        return ties;
    }

    // ---------------------------------------------------------------- measures

    /// <summary>Spearman (Pearson of average ranks) and rho-a (12·Σ(ra−c)(rb−c)/(m³−m)) from doubled ranks, exact.</summary>
    internal static (double Spearman, double RhoA) SpearmanAndRhoA(uint[] ranksA2, uint[] ranksB2)
    {
        long m = ranksA2.LongLength;
        long chunkLen = (m + Chunks - 1) / Chunks;
        var sa = new Int128[Chunks]; var sb = new Int128[Chunks]; var saa = new Int128[Chunks];
        var sbb = new Int128[Chunks]; var sab = new Int128[Chunks];
        Parallel.For(0, Chunks, c =>
        {
            UInt128 a = 0, b = 0, aa = 0, bb = 0, ab = 0;
            for (long k = c * chunkLen, e = Math.Min(m, k + chunkLen); k < e; k++)
            {
                ulong x = ranksA2[k], y = ranksB2[k];
                a += x; b += y; aa += x * x; bb += y * y; ab += x * y;
            }
            sa[c] = (Int128)a; sb[c] = (Int128)b; saa[c] = (Int128)aa; sbb[c] = (Int128)bb; sab[c] = (Int128)ab;
        });
        Int128 A = 0, B = 0, AA = 0, BB = 0, AB = 0;
        for (int c = 0; c < Chunks; c++) { A += sa[c]; B += sb[c]; AA += saa[c]; BB += sbb[c]; AB += sab[c]; }
        Int128 M = m;
        Int128 cov = M * AB - A * B, va = M * AA - A * A, vb = M * BB - B * B;
        double spearman = (double)cov / Math.Sqrt((double)va * (double)vb);
        // Doubled ranks R = 2r, centre 2c = m+1: Σ(ra−c)(rb−c) = [ΣRaRb − (m+1)(ΣRa+ΣRb) + m(m+1)²]/4.
        Int128 centred = AB - (M + 1) * (A + B) + M * (M + 1) * (M + 1);
        double rhoA = 3.0 * (double)centred / ((double)m * m * m - m);
        return (spearman, rhoA);
    }

    /// <summary>
    /// Kendall tau-b and tau-a as scipy/rsatoolbox define them: con−dis = tot − xtie − ytie + ntie − 2·dis,
    /// tau-b = (con−dis)/sqrt((tot−xtie)(tot−ytie)), tau-a = (con−dis)/tot. Overwrites both rank arrays.
    /// </summary>
    internal static (double TauB, double TauA) Kendall(uint[] ranksA2, uint[] ranksB2, long tiesA, long tiesB, MemoryTracker? t = null)
    {
        long m = ranksA2.LongLength;
        var (sorted, starts) = SortPacked(new RankPairSource(ranksA2, ranksB2));
        t?.Add(sorted.LongLength * 8);
        long jointTies = 0;
        ForEachBucket(starts, (s, e) =>
        {
            long local = 0;
            for (long r = s; r < e;)
            {
                long q = r + 1;
                while (q < e && sorted[q] == sorted[r]) q++;
                local += (q - r) * (q - r - 1) / 2;
                r = q;
            }
            Interlocked.Add(ref jointTies, local);
        });
        // B ranks in (A, B) order; discordant pairs are its inversions.
        var ys = ranksA2;
        Parallel.For(0, Chunks, c =>
        {
            long chunkLen = (m + Chunks - 1) / Chunks;
            for (long k = c * chunkLen, e = Math.Min(m, k + chunkLen); k < e; k++) ys[k] = (uint)sorted[k];
        });
        t?.Remove(sorted.LongLength * 8);
        sorted = null!;
        long discordant = ParallelInversions.Count(ys, ranksB2);
        long tot = m * (m - 1) / 2;
        long conMinusDis = tot - tiesA - tiesB + jointTies - 2 * discordant;
        double tauB = conMinusDis / Math.Sqrt(tot - tiesA) / Math.Sqrt(tot - tiesB);
        double tauA = conMinusDis / (double)tot;
        return (tauB, tauA);
    }
}

/// <summary>Counts inversions (i &lt; j, a_i &gt; a_j) with a parallel bottom-up merge sort; sorts the array.</summary>
internal static class ParallelInversions
{
    private const int Run = 1 << 14;

    /// <summary>Inversion count of <paramref name="a"/>; <paramref name="scratch"/> (same length) is overwritten.</summary>
    public static long Count(uint[] a, uint[] scratch)
    {
        long m = a.LongLength;
        int runs = (int)((m + Run - 1) / Run);
        long total = 0;
        Parallel.For(0, runs, r =>
        {
            long lo = (long)r * Run, hi = Math.Min(m, lo + Run);
            long inv = SortRun(a, scratch, (int)lo, (int)hi);
            Interlocked.Add(ref total, inv);
        });
        uint[] src = a, dst = scratch;
        for (long width = Run; width < m; width *= 2)
        {
            long pairs = (m + 2 * width - 1) / (2 * width);
            uint[] s = src, d = dst;
            long w = width;
            Parallel.For(0, pairs, p =>
            {
                long lo = p * 2 * w, mid = Math.Min(m, lo + w), hi = Math.Min(m, lo + 2 * w);
                long inv = Merge(s, d, lo, mid, hi);
                Interlocked.Add(ref total, inv);
            });
            (src, dst) = (dst, src);
        }
        return total;
    }

    /// <summary>Sorts a[lo..hi) in place (insertion sort on 32-runs, then merges via scratch), returning its inversions.</summary>
    private static long SortRun(uint[] a, uint[] scratch, int lo, int hi)
    {
        long inv = 0;
        const int small = 32;
        for (int s = lo; s < hi; s += small)
        {
            int e = Math.Min(hi, s + small);
            for (int i = s + 1; i < e; i++)
            {
                uint v = a[i];
                int j = i - 1;
                while (j >= s && a[j] > v) { a[j + 1] = a[j]; j--; }
                inv += i - 1 - j;
                a[j + 1] = v;
            }
        }
        uint[] src = a, dst = scratch;
        for (int width = small; width < hi - lo; width *= 2)
        {
            for (int s = lo; s < hi; s += 2 * width)
            {
                int mid = Math.Min(hi, s + width), e = Math.Min(hi, s + 2 * width);
                inv += Merge(src, dst, s, mid, e);
            }
            (src, dst) = (dst, src);
        }
        if (!ReferenceEquals(src, a)) Array.Copy(src, lo, a, lo, hi - lo);
        return inv;
    }

    /// <summary>Merges sorted src[lo..mid) and src[mid..hi) into dst[lo..hi); returns the cross inversions.</summary>
    private static long Merge(uint[] src, uint[] dst, long lo, long mid, long hi)
    {
        long i = lo, j = mid, k = lo, inv = 0;
        while (i < mid && j < hi)
        {
            if (src[i] <= src[j]) dst[k++] = src[i++];
            else { dst[k++] = src[j++]; inv += mid - i; }
        }
        while (i < mid) dst[k++] = src[i++];
        while (j < hi) dst[k++] = src[j++];
        return inv;
    }
}
