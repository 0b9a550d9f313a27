using System.Diagnostics;
using System.Numerics;
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
/// rows) and stored as float32 sort keys, 4 bytes per pair. Model A's keys are sorted (parallel bucket scatter +
/// per-bucket radix sort) into its order plus a bitmap of tie-group starts; model B's keys become doubled average
/// ranks (exact integers), so Spearman and rho-a are exact integer sums (Int128) divided once. Kendall's tau
/// (Knight's O(m log m) algorithm, scipy's tie handling): B's ranks laid out in A's order, ties in A sorted by B,
/// joint ties counted within A's groups, discordant pairs = inversions, counted by a parallel merge sort.
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
        long ranks = 16 * m + m / 8;                           // key array + packed array + A's order and group bits
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

        // 1. Model A: keys, then its sorted order (the key array becomes the index array).
        uint[] keysA = DissimilarityKeys(a, kind, sources.A, rowNames, tracker, p => progress?.Report(0.25 * p));
        timings["values"] = sw.Elapsed.TotalSeconds;
        Cpu("values");
        var t0 = sw.Elapsed.TotalSeconds;
        var orderA = SortOrder(keysA, tracker);
        timings["ranks"] = sw.Elapsed.TotalSeconds - t0;
        Cpu("ranks");
        progress?.Report(0.35);

        // 2. Model B: keys, then doubled average ranks in place.
        t0 = sw.Elapsed.TotalSeconds;
        uint[] ranksB = DissimilarityKeys(b, kind, sources.B, rowNames, tracker, p => progress?.Report(0.35 + 0.25 * p));
        timings["values"] += sw.Elapsed.TotalSeconds - t0;
        Cpu("values");
        t0 = sw.Elapsed.TotalSeconds;
        long tiesB = RanksInPlace(ranksB, tracker);
        timings["ranks"] += sw.Elapsed.TotalSeconds - t0;
        Cpu("ranks");
        progress?.Report(0.7);

        var values = new Dictionary<RsaMeasure, double>();
        if (wantSpearman)
        {
            t0 = sw.Elapsed.TotalSeconds;
            var (spearman, rhoA) = SpearmanAndRhoA(orderA, ranksB);
            if (measures.Contains(RsaMeasure.Spearman)) values[RsaMeasure.Spearman] = spearman;
            if (measures.Contains(RsaMeasure.RhoA)) values[RsaMeasure.RhoA] = rhoA;
            timings["spearman"] = sw.Elapsed.TotalSeconds - t0;
            Cpu("spearman");
        }
        if (wantKendall)
        {
            t0 = sw.Elapsed.TotalSeconds;
            var (tauB, tauA) = Kendall(orderA, ranksB, tiesB);
            if (measures.Contains(RsaMeasure.KendallTauB)) values[RsaMeasure.KendallTauB] = tauB;
            if (measures.Contains(RsaMeasure.TauA)) values[RsaMeasure.TauA] = tauA;
            timings["kendall"] = sw.Elapsed.TotalSeconds - t0;
            Cpu("kendall");
        }
        long tiesA = orderA.TiedPairs;
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
                    keys[k] = SortKeys.Of((float)pairs.Value(block, i0, i, j));
            });
            progress?.Invoke((double)i1 / (n - 1));
        }
        tracker?.Remove(block.LongLength * 8 + pairs.Bytes);
        return keys;
    }

    // ---------------------------------------------------------------- sorting

    private const int Chunks = 64;
    private const int MaxBucketBits = 11;
    /// <summary>Buckets above this many elements are sorted by comparison (no radix scratch of that size).</summary>
    private const int MaxRadixBucket = 1 << 22;

    /// <summary>
    /// Sorts (key, index) pairs packed as key·2³² + index, ascending: one stable scatter into at most 2,048 buckets
    /// by the key's top bits (per-chunk offsets, so the layout never depends on threads), then a stable LSD radix
    /// sort of each bucket on the remaining key bits, in parallel. Equal keys keep index order.
    /// Returns the sorted array and the bucket boundaries.
    /// </summary>
    private static (NativeBuffer Sorted, long[] Starts) SortPacked(uint[] keys)
    {
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

        var sorted = new NativeBuffer(m);
        Parallel.For(0, Chunks, c =>
        {
            var off = offsets[c];
            for (long k = c * chunkLen, e = Math.Min(m, k + chunkLen); k < e; k++)
                sorted[off[(keys[k] - lo) >> shift]++] = (ulong)keys[k] << 32 | (uint)k;
        });

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
        return (sorted, starts);
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
    internal static long RanksInPlace(uint[] keys, MemoryTracker? t = null)
    {
        var (sorted, starts) = SortPacked(keys);
        t?.Add(sorted.Length * 8);
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
        t?.Remove(sorted.Length * 8);
        sorted.Dispose();   // native: the memory goes straight back to the OS
        ReleaseLargeArrays();
        return ties;
    }

    /// <summary>
    /// Model A in sorted order: Index[t] = condensed index of the t-th smallest key (ties in index order);
    /// bit t of GroupStarts is set where a group of equal keys begins.
    /// </summary>
    internal sealed record SortedOrder(uint[] Index, ulong[] GroupStarts, long TiedPairs)
    {
        /// <summary>First set bit at or before t (a group start).</summary>
        public long GroupStartAtOrBefore(long t)
        {
            long w = t >> 6;
            ulong word = GroupStarts[w] & (ulong.MaxValue >> (63 - (int)(t & 63)));
            while (word == 0) word = GroupStarts[--w];
            return (w << 6) + 63 - BitOperations.LeadingZeroCount(word);
        }

        /// <summary>First set bit after t, or m when t is in the last group.</summary>
        public long NextGroupStart(long t)
        {
            long m = Index.LongLength;
            long p = t + 1;
            if (p >= m) return m;
            long w = p >> 6;
            ulong word = GroupStarts[w] & (ulong.MaxValue << (int)(p & 63));
            while (word == 0)
            {
                if (++w >= GroupStarts.LongLength) return m;
                word = GroupStarts[w];
            }
            return Math.Min(m, (w << 6) + BitOperations.TrailingZeroCount(word));
        }
    }

    /// <summary>Sorts model A's keys; the key array is reused for the index (its keys are gone afterwards).</summary>
    internal static SortedOrder SortOrder(uint[] keys, MemoryTracker? t = null)
    {
        long m = keys.LongLength;
        var (sorted, starts) = SortPacked(keys);
        t?.Add(sorted.Length * 8);
        var bits = new ulong[(m + 63) / 64];
        t?.Add(bits.LongLength * 8);
        long words = bits.LongLength;
        Parallel.For(0, Chunks, c =>
        {
            long wl = (words + Chunks - 1) / Chunks;
            for (long w = c * wl, we = Math.Min(words, w + wl); w < we; w++)
            {
                ulong word = 0;
                for (long q = w << 6, qe = Math.Min(m, q + 64); q < qe; q++)
                    if (q == 0 || (sorted[q] >> 32) != (sorted[q - 1] >> 32)) word |= 1UL << (int)(q & 63);
                bits[w] = word;
            }
            long cl = (m + Chunks - 1) / Chunks;
            for (long k = c * cl, e = Math.Min(m, k + cl); k < e; k++) keys[k] = (uint)sorted[k];
        });
        long ties = 0;
        ForEachBucket(starts, (s, e) =>
        {
            long local = 0;
            for (long r = s; r < e;)
            {
                long q = r + 1;
                while (q < e && (sorted[q] >> 32) == (sorted[r] >> 32)) q++;
                local += SortKeys.TiedPairs(q - r);
                r = q;
            }
            Interlocked.Add(ref ties, local);
        });
        t?.Remove(sorted.Length * 8);
        sorted.Dispose();   // native: the memory goes straight back to the OS
        ReleaseLargeArrays();
        return new SortedOrder(keys, bits, ties);
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

    /// <summary>
    /// Spearman (Pearson of average ranks) and rho-a (12·Σ(ra−c)(rb−c)/(m³−m)) from model A's sorted order and
    /// model B's doubled ranks; exact integer sums.
    /// </summary>
    internal static (double Spearman, double RhoA) SpearmanAndRhoA(SortedOrder a, uint[] ranksB2)
    {
        long m = ranksB2.LongLength;
        long chunkLen = (m + Chunks - 1) / Chunks;
        var sa = new Int128[Chunks]; var sb = new Int128[Chunks]; var saa = new Int128[Chunks];
        var sbb = new Int128[Chunks]; var sab = new Int128[Chunks];
        Parallel.For(0, Chunks, c =>
        {
            long k0 = c * chunkLen, k1 = Math.Min(m, k0 + chunkLen);
            if (k0 >= k1) return;
            UInt128 A = 0, B = 0, AA = 0, BB = 0, AB = 0;
            long s = a.GroupStartAtOrBefore(k0), e = a.NextGroupStart(s);
            for (long k = k0; k < k1; k++)
            {
                if (k == e) { s = e; e = a.NextGroupStart(s); }
                if (k + PrefetchDistance < k1) Prefetch(ranksB2, a.Index[k + PrefetchDistance]);
                ulong x = (ulong)(s + e + 1), y = ranksB2[a.Index[k]];
                A += x; B += y; AA += x * x; BB += y * y; AB += x * y;
            }
            sa[c] = (Int128)A; sb[c] = (Int128)B; saa[c] = (Int128)AA; sbb[c] = (Int128)BB; sab[c] = (Int128)AB;
        });
        Int128 SA = 0, SB = 0, SAA = 0, SBB = 0, SAB = 0;
        for (int c = 0; c < Chunks; c++) { SA += sa[c]; SB += sb[c]; SAA += saa[c]; SBB += sbb[c]; SAB += sab[c]; }
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
    /// tau-b = (con−dis)/sqrt((tot−xtie)(tot−ytie)), tau-a = (con−dis)/tot. B's ranks are laid out in A's
    /// sorted order (ties in A sorted by B), joint ties counted inside A's groups, and the discordant pairs are the
    /// inversions of that sequence. Overwrites a.Index and ranksB2.
    /// </summary>
    internal static (double TauB, double TauA) Kendall(SortedOrder a, uint[] ranksB2, long tiesB)
    {
        long m = ranksB2.LongLength;
        var ys = a.Index;
        long chunkLen = (m + Chunks - 1) / Chunks;
        Parallel.For(0, Chunks, c =>
        {
            for (long k = c * chunkLen, e = Math.Min(m, k + chunkLen); k < e; k++)
            {
                if (k + PrefetchDistance < e) Prefetch(ranksB2, ys[k + PrefetchDistance]);
                ys[k] = ranksB2[ys[k]];
            }
        });
        long jointTies = 0;
        Parallel.For(0, Chunks, c =>
        {
            long k0 = c * chunkLen, k1 = Math.Min(m, k0 + chunkLen);
            if (k0 >= k1) return;
            long local = 0;
            // Groups that start in this chunk (a group may run past its end).
            long s = a.GroupStartAtOrBefore(k0);
            if (s < k0) s = a.NextGroupStart(s);
            while (s < k1)
            {
                long e = a.NextGroupStart(s);
                if (e - s > 1) local += KendallCounts.SortTieGroup(ys.AsSpan((int)s, (int)(e - s)));
                s = e;
            }
            Interlocked.Add(ref jointTies, local);
        });
        long discordant = Inversions.CountAndSort(ys, ranksB2);
        long tot = m * (m - 1) / 2;
        long conMinusDis = tot - a.TiedPairs - tiesB + jointTies - 2 * discordant;
        double tauB = conMinusDis / Math.Sqrt(tot - a.TiedPairs) / Math.Sqrt(tot - tiesB);
        double tauA = conMinusDis / (double)tot;
        return (tauB, tauA);
    }
}
