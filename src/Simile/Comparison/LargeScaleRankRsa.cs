using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Simile.Data;
using Simile.Engine;
using Simile.Similarity;

namespace Simile.Comparison;

/// <summary>
/// Spearman, Kendall tau-b, tau-a and rho-a between two models' dissimilarity vectors over all
/// m = n(n−1)/2 item pairs, without n×n float64 matrices.
/// </summary>
/// <remarks>
/// Dissimilarities are computed in float64 blockwise through <see cref="Gemm"/> (a block of rows against all later
/// rows) and stored as float32 sort keys, 4 bytes per pair. Keys are sorted by a parallel bucket scatter + per-bucket
/// radix sort. Model B's keys become doubled average ranks (exact integers) in place; model A's keys are sorted with B's
/// rank carried in each packed word, so Spearman and rho-a are exact integer sums (Int128) over A's tie groups, divided
/// once, with no rank array for A. Kendall's tau (Knight's algorithm, scipy's tie handling): the same sort lays B's
/// values out in A's order without a gather (B's float32 keys themselves when Kendall is asked without Spearman, so B
/// is not sorted at all); ties in A are sorted by B, joint ties counted within A's groups, and the discordant pairs are
/// the inversions of that sequence, counted by a parallel radix partition (<see cref="Inversions"/>).
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
        long hist = (long)Chunks * (1 << MaxBucketBits) * 12;  // per-chunk histograms and offsets
        long ranks = 16 * m;                                   // both key/rank arrays + one packed array
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
        long memoryBudget = DefaultMemoryBudget, IProgress<double>? progress = null, IReadOnlyList<string>? rowNames = null,
        MatrixSources? sources = null)
    {
        sources ??= MatrixSources.Default;
        foreach (var mm in measures)
            if (!RankMeasures.Contains(mm))
                throw new SimileException($"the rank route does not compute '{mm.Name()}'",
                    "compute pearson and cosine with the feature-space route (FeatureSpaceRsa)");
        int n = CheckItems(a, b);
        long m = CondensedIndex.Length(n);
        long estimate = EstimateBytes(n, a.Cols, b.Cols, measures);
        if (m > Array.MaxLength || estimate > memoryBudget)
        {
            int fit = Math.Min(MaxItemsWithin(memoryBudget, a.Cols, b.Cols), 65_535);
            throw new SimileException(
                $"rank measures over {n:N0} items ({m:N0} pairs) need about {GigabytesText(estimate)} of memory"
                + (m > Array.MaxLength ? " and more pairs than one array can hold" : $", above the {GigabytesText(memoryBudget)} budget"),
                $"use --limit {fit} (the most items that fit), raise --memory-budget, or ask for pearson only (the feature-space route needs no n×n memory)");
        }

        var timings = new Dictionary<string, double>();
        var sw = Stopwatch.StartNew();
        var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        var cpuMark = cpuStart;
        void Cpu(string stage)
        {
            var now = Process.GetCurrentProcess().TotalProcessorTime;
            timings[stage + "_cpu"] = timings.GetValueOrDefault(stage + "_cpu") + (now - cpuMark).TotalSeconds;
            cpuMark = now;
        }
        var tracker = new MemoryTracker();
        bool wantSpearman = measures.Contains(RsaMeasure.Spearman) || measures.Contains(RsaMeasure.RhoA);
        bool wantKendall = measures.Contains(RsaMeasure.KendallTauB) || measures.Contains(RsaMeasure.TauA);

        // Both models' keys, A's first. B's keys become doubled average ranks in place, then A's keys are sorted with B's
        // rank as the payload of each pair, so the sorted words are the pairs in A's order carrying B's ranks (no gather,
        // and no write of A's ranks to random places); one pass over them gives A's ties, the Spearman sums and, for
        // Kendall, after each tie group of A is sorted by B (Knight's sequence), the joint ties and the y sequence whose
        // inversions are the discordant pairs.
        uint[] keysA = DissimilarityKeys(a, kind, sources.A, rowNames, tracker, p => progress?.Report(0.25 * p), timings);
        uint[] keysB = DissimilarityKeys(b, kind, sources.B, rowNames, tracker, p => progress?.Report(0.25 + 0.25 * p), timings);
        timings["values"] = sw.Elapsed.TotalSeconds;
        Cpu("values");
        var values = new Dictionary<RsaMeasure, double>();
        long tiesA, tiesB;
        ReleaseLargeArrays();   // the blocks of dot products
        // One 8-byte-per-pair array for both sorts: allocated (and its pages touched) once.
        using var packed = new NativeBuffer(m);
        tracker.Add(m * 8);
        var t0 = sw.Elapsed.TotalSeconds;
        // Kendall alone needs no ranks of B: its keys, less their minimum, order and tie as its ranks do, so they are the
        // payload as they are and B's tied pairs are counted with the inversions.
        bool keysAsPayload = !wantSpearman;
        tiesB = 0;
        if (keysAsPayload) TensorPrimitives.Subtract(keysB, TensorPrimitives.Min<uint>(keysB), keysB);
        else tiesB = RanksInPlace(keysB, tracker, timings, packed);
        progress?.Report(0.6);
        var joint = JointOrder(keysA, keysB, wantSpearman, wantKendall, packed, timings, halvePayload: !keysAsPayload);
        packed.Dispose();   // native: the memory goes straight back to the OS before the inversion count
        tracker.Remove(m * 8);
        tiesA = joint.TiedPairsA;
        timings["ranks"] = sw.Elapsed.TotalSeconds - t0;
        Cpu("ranks");
        progress?.Report(0.8);
        if (wantSpearman)
        {
            if (measures.Contains(RsaMeasure.Spearman)) values[RsaMeasure.Spearman] = joint.Spearman;
            if (measures.Contains(RsaMeasure.RhoA)) values[RsaMeasure.RhoA] = joint.RhoA;
        }
        if (wantKendall)
        {
            t0 = sw.Elapsed.TotalSeconds;
            long discordant = keysAsPayload ? Inversions.Count(keysA, keysB, out tiesB) : Inversions.Count(keysA, keysB);
            var (tauB, tauA) = Kendall(m, tiesA, tiesB, joint.JointTies, discordant);
            if (measures.Contains(RsaMeasure.KendallTauB)) values[RsaMeasure.KendallTauB] = tauB;
            if (measures.Contains(RsaMeasure.TauA)) values[RsaMeasure.TauA] = tauA;
            timings["kendall"] = sw.Elapsed.TotalSeconds - t0;
            Cpu("kendall");
        }
        progress?.Report(1.0);
        return new RankRsaResult(values, m, tracker.Peak, estimate, tiesA, tiesB, timings);
    }

    /// <summary>
    /// Prepares Spearman RSA at scale for a permutation test (driven by Inference's <c>RankPermutationTest</c>): the doubled
    /// average ranks of both float32-key vectors are computed once (condensed order, 4 bytes per pair each); each
    /// permutation is then a gather of b's ranks in a's pair order, no re-sort. Ties are those of the float32 keys (see
    /// the class remarks). Peak memory as <see cref="EstimateBytes"/>; 8 bytes per pair while permuting.
    /// </summary>
    public static RankedPair PrepareSpearman(Matrix a, Matrix b, DissimilarityKind kind,
        long memoryBudget = DefaultMemoryBudget, IProgress<double>? progress = null, IReadOnlyList<string>? rowNames = null,
        MatrixSources? sources = null)
    {
        sources ??= MatrixSources.Default;
        int n = CheckItems(a, b);
        long m = CondensedIndex.Length(n);
        long estimate = EstimateBytes(n, a.Cols, b.Cols, RankMeasures);
        if (m > Array.MaxLength || estimate > memoryBudget)
            throw new SimileException(
                $"the Spearman permutation test over {n:N0} items ({m:N0} pairs) needs about {GigabytesText(estimate)} of memory, above the {GigabytesText(memoryBudget)} budget",
                "drop --permutations, or raise --memory");

        uint[] ra = DissimilarityKeys(a, kind, sources.A, rowNames, null, p => progress?.Report(0.5 * p));
        RanksInPlace(ra);
        uint[] rb = DissimilarityKeys(b, kind, sources.B, rowNames, null, p => progress?.Report(0.5 + 0.5 * p));
        RanksInPlace(rb);
        return new RankedPair(ra, rb, n);
    }

    /// <summary>
    /// The doubled average ranks of both float32-key dissimilarity vectors (condensed order), prepared once for a
    /// permutation test: <see cref="ProductUnder"/>(π) = Σ_{i&lt;j} r_a(i, j)·r_b(π(i), π(j)) exactly, an increasing
    /// function of Spearman under relabelling (the rank sums do not change).
    /// </summary>
    public sealed class RankedPair
    {
        private readonly uint[] _ra, _rb;
        public int Items { get; }
        /// <summary>Spearman's rho from exact integer sums (Pearson of the doubled ranks).</summary>
        public double Spearman { get; }
        public UInt128 ObservedProduct { get; }

        internal RankedPair(uint[] ra, uint[] rb, int n)
        {
            _ra = ra; _rb = rb; Items = n;
            var identity = new int[n];
            for (int i = 0; i < n; i++) identity[i] = i;
            ObservedProduct = RankProduct(ra, rb, identity, n);
            long m = ra.LongLength;
            Int128 sa = 0, sb = 0, saa = 0, sbb = 0;
            for (long k = 0; k < m; k++) { sa += ra[k]; sb += rb[k]; saa += (ulong)ra[k] * ra[k]; sbb += (ulong)rb[k] * rb[k]; }
            Int128 M = m, cov = M * (Int128)ObservedProduct - sa * sb, va = M * saa - sa * sa, vb = M * sbb - sb * sb;
            Spearman = (double)cov / Math.Sqrt((double)va * (double)vb);
        }

        public UInt128 ProductUnder(int[] perm) => RankProduct(_ra, _rb, perm, Items);
    }

    /// <summary>Σ over pairs i &lt; j of ra(i, j)·rb(π(i), π(j)), exactly; rows in parallel chunks, summed in a fixed order.</summary>
    private static UInt128 RankProduct(uint[] ra, uint[] rb, int[] perm, int n)
    {
        int chunks = Math.Min(n - 1, 4 * Chunks);
        var partial = new UInt128[chunks];
        // Rows get shorter down the triangle: split by pair count, not row count.
        long m = ra.LongLength;
        var rowStarts = new int[chunks + 1];
        for (int c = 0, i = 0; c <= chunks; c++)
        {
            long target = m * c / chunks;
            while (i < n - 1 && CondensedIndex.RowStart(n, i) < target) i++;
            rowStarts[c] = c == chunks ? n - 1 : i;
        }
        Parallel.For(0, chunks, c =>
        {
            UInt128 sum = 0;
            for (int i = rowStarts[c]; i < rowStarts[c + 1]; i++)
            {
                long k = CondensedIndex.RowStart(n, i);
                int pi = perm[i];
                long rowPi = CondensedIndex.RowStart(n, pi) - pi - 1;   // + pj is the index of (pi, pj), pj > pi
                ulong rowSum = 0;   // up to (2m+1)² per product: flush to 128 bits every step that could overflow
                for (int j = i + 1; j < n; j++, k++)
                {
                    int pj = perm[j];
                    long idx = pj > pi ? rowPi + pj : CondensedIndex.RowStart(n, pj) + (pi - pj - 1);
                    ulong prod = (ulong)ra[k] * rb[idx];
                    ulong next = rowSum + prod;
                    if (next < rowSum) { sum += rowSum; next = prod; }
                    rowSum = next;
                }
                sum += rowSum;
            }
            partial[c] = sum;
        });
        UInt128 total = 0;
        foreach (var s in partial) total += s;
        return total;
    }

    /// <summary>The number of items, after checking both matrices hold the same items (at least 3).</summary>
    private static int CheckItems(Matrix a, Matrix b)
    {
        if (a.Rows != b.Rows)
            throw new SimileException($"the two matrices have {a.Rows} and {b.Rows} rows; RSA needs the same items in the same order",
                "give both models the same word list");
        int n = a.Rows;
        if (n < 3) throw new SimileException($"only {n} items: a correlation over item pairs needs at least 3 items", "use a longer word list");
        return n;
    }

    /// <summary>"3.2 GB" (one decimal), for the memory-budget errors of this route.</summary>
    private static string GigabytesText(long bytes) => $"{bytes / (double)(1L << 30):F1} GB";

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
        MemoryTracker? tracker = null, Action<double>? progress = null, Dictionary<string, double>? timings = null)
    {
        var clock = Stopwatch.StartNew();
        double gemm = 0;
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
            double g0 = clock.Elapsed.TotalSeconds;
            pairs.ComputeBlock(i0, i1, block);
            gemm += clock.Elapsed.TotalSeconds - g0;
            Parallel.For(i0, i1, i =>
            {
                var row = keys.AsSpan((int)CondensedIndex.RowStart(n, i), n - i - 1);
                pairs.RowValues(block, i0, i, MemoryMarshal.Cast<uint, float>(row));
                SortKeys.OfInPlace(row);
            });
            progress?.Invoke((double)i1 / (n - 1));
        }
        tracker?.Remove(block.LongLength * 8 + pairs.Bytes);
        if (timings is not null)
        {
            timings["values_gemm"] = timings.GetValueOrDefault("values_gemm") + gemm;
            timings["values_keys"] = timings.GetValueOrDefault("values_keys") + clock.Elapsed.TotalSeconds - gemm;
        }
        return keys;
    }

    // ---------------------------------------------------------------- sorting

    private const int Chunks = 64;
    private const int MaxBucketBits = 11;
    /// <summary>Buckets above this many elements are sorted by comparison (no radix scratch of that size).</summary>
    private const int MaxRadixBucket = 1 << 22;

    /// <summary>
    /// Sorts (key, index) pairs packed as key·2³² + index (or key·2³² + payload[index]) into <paramref name="sorted"/>,
    /// ascending by key: one stable scatter into at most 2,048 buckets by the key's top bits (per-chunk offsets, so the
    /// layout never depends on threads), then a stable LSD radix sort of each bucket on the remaining key bits, in
    /// parallel. Equal keys keep index order (except in buckets small or large enough for a comparison sort, where
    /// they are in order of the low word). Returns the bucket boundaries.
    /// </summary>
    private static long[] SortPacked(uint[] keys, NativeBuffer sorted, uint[]? payload = null, Dictionary<string, double>? timings = null)
    {
        var clock = Stopwatch.StartNew();
        long m = keys.LongLength;
        long chunkLen = (m + Chunks - 1) / Chunks;
        int bucketBits = Math.Clamp(BitOperations.Log2((ulong)Math.Max(2, m)) - 8, 1, MaxBucketBits);
        int buckets = 1 << bucketBits;
        var los = new uint[Chunks];
        var his = new uint[Chunks];
        Parallel.For(0, Chunks, c =>
        {
            uint l = uint.MaxValue, h = 0;
            for (long k = c * chunkLen, e = Math.Min(m, k + chunkLen); k < e; k++) { uint v = keys[k]; if (v < l) l = v; if (v > h) h = v; }
            los[c] = l; his[c] = h;
        });
        uint lo = los.Min(), hi = his.Max();
        int shift = Math.Max(0, 32 - BitOperations.LeadingZeroCount(hi - lo) - bucketBits);

        var hist = new int[Chunks][];
        Parallel.For(0, Chunks, c =>
        {
            var h = new int[buckets];
            for (long k = c * chunkLen, e = Math.Min(m, k + chunkLen); k < e; k++) h[(keys[k] - lo) >> shift]++;
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

        Parallel.For(0, Chunks, c =>
        {
            var off = offsets[c];
            long k0 = c * chunkLen, k1 = Math.Min(m, k0 + chunkLen);
            if (payload is null)
                for (long k = k0; k < k1; k++) sorted[off[(keys[k] - lo) >> shift]++] = (ulong)keys[k] << 32 | (uint)k;
            else
                for (long k = k0; k < k1; k++) sorted[off[(keys[k] - lo) >> shift]++] = (ulong)keys[k] << 32 | payload[k];
        });

        double scatter = clock.Elapsed.TotalSeconds;
        int passes = (shift + 7) / 8;
        Parallel.For(0, buckets, () => Array.Empty<ulong>(), (bk, _, scratch) =>
        {
            long s = starts[bk], e = starts[bk + 1];
            int len = (int)(e - s);
            if (len < 2) return scratch;
            var span = sorted.AsSpan((int)s, len);
            if (len <= 48 || len > MaxRadixBucket) { span.Sort(); return scratch; }
            if (scratch.Length < len) scratch = new ulong[Math.Max(len, 2 * scratch.Length)];
            var result = RadixSort.Sort(span, scratch.AsSpan(0, len), passes, new RadixSort.PackedKeyDigits(lo));
            if (!result.Overlaps(span)) result.CopyTo(span);
            return scratch;
        }, _ => { });
        if (timings is not null)
        {
            timings["sort_scatter"] = timings.GetValueOrDefault("sort_scatter") + scatter;
            timings["sort_buckets"] = timings.GetValueOrDefault("sort_buckets") + clock.Elapsed.TotalSeconds - scatter;
        }
        return starts;
    }

    /// <summary>Runs body(start, end) for every non-empty bucket, in parallel.</summary>
    private static void ForEachBucket(long[] starts, Action<long, long> body)
    {
        int buckets = starts.Length - 1;
        Parallel.For(0, buckets, bk =>
        {
            if (starts[bk + 1] > starts[bk]) body(starts[bk], starts[bk + 1]);
        });
    }

    /// <summary>
    /// Replaces keys by doubled average ranks (1-based; a tie group over sorted positions s..e−1 gets s+e+1),
    /// exact integers. Returns the number of tied pairs Σ t(t−1)/2.
    /// </summary>
    internal static long RanksInPlace(uint[] keys, MemoryTracker? t = null, Dictionary<string, double>? timings = null,
        NativeBuffer? packed = null)
    {
        var sorted = packed ?? new NativeBuffer(keys.LongLength);
        if (packed is null) t?.Add(sorted.Length * 8);
        var starts = SortPacked(keys, sorted, null, timings);
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
                for (long z = r; z < q; z++)
                {
                    if (z + PrefetchDistance < e) Prefetch(keys, (uint)sorted[z + PrefetchDistance]);
                    keys[(uint)sorted[z]] = rank2;
                }
                long len = q - r;
                local += SortKeys.TiedPairs(len);
                r = q;
            }
            Interlocked.Add(ref ties, local);
        });
        if (packed is null)
        {
            t?.Remove(sorted.Length * 8);
            sorted.Dispose();   // native: the memory goes straight back to the OS
            ReleaseLargeArrays();
        }
        return ties;
    }

    /// <summary>What one pass over the pairs in (A, then B) order gives: A's tied pairs, pairs tied in both, and (when
    /// asked) Spearman and rho-a from exact integer sums.</summary>
    internal readonly record struct JointCounts(long TiedPairsA, long JointTies, double Spearman, double RhoA);

    /// <summary>
    /// Sorts model A's keys with model B's doubled ranks as payload (ties in A in index order), so that B's ranks come out
    /// in A's order without a gather or a write to random places. For <paramref name="kendall"/>, sorts each tie group of A
    /// by B's rank and writes B's ranks in that (A, then B) order over <paramref name="keysA"/> (A's keys are gone
    /// afterwards): Knight's sequence, whose inversions are the discordant pairs. The doubled ranks are written halved
    /// (rounded down): two tie groups' doubled ranks differ by at least 2, so halving keeps their order and ties and
    /// leaves one bit less to count. For Kendall alone the payload is B's keys themselves (<paramref name="halvePayload"/>
    /// false): they order and tie as B's ranks do. Counts A's tied pairs and the joint
    /// ties on the way (for Kendall), and the Spearman sums (x = A's doubled average rank of the group, y = B's) when
    /// <paramref name="spearman"/>: Spearman needs no rank array for A. <paramref name="ranksB2"/> is only read.
    /// </summary>
    internal static JointCounts JointOrder(uint[] keysA, uint[] ranksB2, bool spearman, bool kendall, NativeBuffer sorted,
        Dictionary<string, double>? timings = null, bool halvePayload = true)
    {
        long m = keysA.LongLength;
        var starts = SortPacked(keysA, sorted, ranksB2, timings);
        var clock = Stopwatch.StartNew();
        int buckets = starts.Length - 1;
        int shift = halvePayload ? 1 : 0;
        long tiesA = 0, joint = 0;
        var sa = new Int128[buckets]; var sb = new Int128[buckets]; var saa = new Int128[buckets];
        var sbb = new Int128[buckets]; var sab = new Int128[buckets];
        Parallel.For(0, buckets, bk =>
        {
            long s = starts[bk], e = starts[bk + 1];
            if (e <= s) return;
            long ta = 0, tj = 0;
            UInt128 A = 0, B = 0, AA = 0, BB = 0, AB = 0;
            for (long r = s; r < e;)
            {
                uint key = (uint)(sorted[r] >> 32);
                long q = r + 1;
                while (q < e && (uint)(sorted[q] >> 32) == key) q++;
                if (q - r > 1)
                {
                    ta += SortKeys.TiedPairs(q - r);
                    if (kendall) tj += KendallCounts.SortTieGroup(sorted.AsSpan((int)r, (int)(q - r)));
                }
                if (spearman)
                {
                    ulong x = (ulong)(r + q + 1), len = (ulong)(q - r);
                    UInt128 sy = 0;
                    for (long z = r; z < q; z++)
                    {
                        ulong y = (uint)sorted[z];
                        sy += y; BB += y * y;
                    }
                    A += (UInt128)x * len; AA += (UInt128)x * x * len; B += sy; AB += sy * x;
                }
                if (kendall)
                    for (long z = r; z < q; z++) keysA[z] = (uint)sorted[z] >> shift;
                r = q;
            }
            Interlocked.Add(ref tiesA, ta);
            Interlocked.Add(ref joint, tj);
            sa[bk] = (Int128)A; sb[bk] = (Int128)B; saa[bk] = (Int128)AA; sbb[bk] = (Int128)BB; sab[bk] = (Int128)AB;
        });
        if (timings is not null) timings["joint_pass"] = timings.GetValueOrDefault("joint_pass") + clock.Elapsed.TotalSeconds;
        var (rho, rhoA) = spearman ? FromSums(m, sa, sb, saa, sbb, sab) : (double.NaN, double.NaN);
        return new JointCounts(tiesA, joint, rho, rhoA);
    }
    /// <summary>How far ahead random accesses into m-long arrays are prefetched (they miss every cache level).</summary>
    private const int PrefetchDistance = 24;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static unsafe void Prefetch(uint[] array, uint index)
    {
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(System.Runtime.CompilerServices.Unsafe.AsPointer(
                ref System.Runtime.CompilerServices.Unsafe.Add(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(array), (nint)index)));
    }

    /// <summary>Gives the memory of dropped multi-gigabyte arrays back before the next one is allocated.</summary>
    private static void ReleaseLargeArrays()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);   // also decommits the freed memory
    }

    // ---------------------------------------------------------------- measures

    /// <summary>Spearman (Pearson of average ranks) and rho-a (12·Σ(ra−c)(rb−c)/(m³−m)) from exact integer sums of
    /// doubled ranks (partial sums per bucket or chunk).</summary>
    private static (double Spearman, double RhoA) FromSums(long m, Int128[] sa, Int128[] sb, Int128[] saa, Int128[] sbb, Int128[] sab)
    {
        Int128 SA = 0, SB = 0, SAA = 0, SBB = 0, SAB = 0;
        for (int c = 0; c < sa.Length; c++) { SA += sa[c]; SB += sb[c]; SAA += saa[c]; SBB += sbb[c]; SAB += sab[c]; }
        Int128 M = m;
        Int128 cov = M * SAB - SA * SB, va = M * SAA - SA * SA, vb = M * SBB - SB * SB;
        double spearman = (double)cov / Math.Sqrt((double)va * (double)vb);
        // Doubled ranks R = 2r, centre 2c = m+1: Σ(ra−c)(rb−c) = [ΣRaRb − (m+1)(ΣRa+ΣRb) + m(m+1)²]/4.
        Int128 centred = SAB - (M + 1) * (SA + SB) + M * (M + 1) * (M + 1);
        double rhoA = 3.0 * (double)centred / ((double)m * m * m - m);
        return (spearman, rhoA);
    }

    /// <summary>
    /// Kendall tau-b and tau-a as scipy/rsatoolbox define them: con−dis = tot − xtie − ytie + ntie − 2·dis,
    /// tau-b = (con−dis)/sqrt((tot−xtie)(tot−ytie)), tau-a = (con−dis)/tot, where dis is the number of inversions of B's
    /// ranks (or keys) in (A, then B) order (<see cref="JointOrder"/>).
    /// </summary>
    internal static (double TauB, double TauA) Kendall(long m, long tiesA, long tiesB, long jointTies, long discordant)
    {
        long tot = m * (m - 1) / 2;
        long conMinusDis = tot - tiesA - tiesB + jointTies - 2 * discordant;
        double tauB = conMinusDis / Math.Sqrt(tot - tiesA) / Math.Sqrt(tot - tiesB);
        double tauA = conMinusDis / (double)tot;
        return (tauB, tauA);
    }
}
