using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Simile.Engine;

/// <summary>
/// Blocked, packed GEMM for one element type (float or double). BLIS loop order:
/// <code>
/// for jc (NC columns of C)            — B panel kc×nc packed once, shared by all threads
///   for pc (KC of the inner dimension)
///     parallel over tiles (MC rows × a range of NR-column micro-panels):
///       pack A block mc×kc (thread-local), then for jr, ir: micro-kernel MR×NR += Ã(MR×kc)·B̃(kc×NR)
/// </code>
/// Packed A micro-panel layout: for p in 0..kc, MR consecutive values (rows). Packed B micro-panel: for p in
/// 0..kc, NR consecutive values (columns). Edges are zero-padded, so the micro-kernel always runs full tiles
/// and only the final add into C is clipped.
/// </summary>
internal static unsafe class GemmKernel<T> where T : unmanaged, INumber<T>
{
    // Micro-tile: MR rows × NR = 2 vectors of columns.
    private static readonly bool Use512 = Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported;
    private static readonly bool Use256 = Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported;
    internal static readonly int MR = Use512 ? 8 : 6;
    internal static readonly int NR = Use512 ? 2 * Vector512<T>.Count : Use256 ? 2 * Vector256<T>.Count : 8;

    // Blocking: the packed B micro-panel (KC×NR) stays in L1/L2, the packed A block (MC×KC) in L2,
    // the packed B panel (KC×NC) in L3.
    private static readonly int KC = Gemm.InnerBlock;
    private static readonly int MC = MR * (Unsafe.SizeOf<T>() == 4 ? 16 : 12);
    private static readonly int NC = NR * (Unsafe.SizeOf<T>() == 4 ? 128 : 256);

    /// <summary>Below this many multiply-adds the product runs on the calling thread.</summary>
    private const long ParallelThreshold = 1L << 21;

    internal static string Description =>
        (Use512 ? "Vector512" : Use256 ? "Vector256" : "scalar") + $" {MR}x{NR} micro-kernel ({typeof(T).Name}), "
        + (Fma.IsSupported ? "FMA" : "no FMA") + $", KC={KC} MC={MC} NC={NC}";

    public static void Run(ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, Span<T> c, int ldc,
        int m, int n, int k, bool transA, bool transB, T beta, int maxThreads = 0)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), $"negative size m={m} n={n} k={k}");
        CheckOperand(a.Length, lda, transA ? k : m, transA ? m : k, "A");
        CheckOperand(b.Length, ldb, transB ? n : k, transB ? k : n, "B");
        CheckOperand(c.Length, ldc, m, n, "C");
        if (m == 0 || n == 0) return;

        fixed (T* pa = a) fixed (T* pb = b) fixed (T* pc = c)
        {
            ScaleC(pc, ldc, m, n, beta);
            if (k == 0) return;
            if ((long)m * n * k <= 512 || !(Use512 || Use256))
            {
                SmallProduct(pa, lda, pb, ldb, pc, ldc, m, n, k, transA, transB);
                return;
            }
            Blocked(pa, lda, pb, ldb, pc, ldc, m, n, k, transA, transB, maxThreads);
        }
    }

    private static void CheckOperand(int length, int ld, int rows, int cols, string name)
    {
        if (rows == 0 || cols == 0) return;
        if (ld < cols) throw new ArgumentException($"{name}: row stride {ld} is smaller than its {cols} columns");
        long need = (long)(rows - 1) * ld + cols;
        if (length < need) throw new ArgumentException($"{name}: span has {length} elements, needs {need} for {rows}x{cols} with stride {ld}");
    }

    private static void ScaleC(T* c, int ldc, int m, int n, T beta)
    {
        if (beta == T.One) return;
        for (int i = 0; i < m; i++)
        {
            var row = new Span<T>(c + (long)i * ldc, n);
            if (beta == T.Zero) row.Clear();
            else for (int j = 0; j < n; j++) row[j] *= beta;
        }
    }

    /// <summary>
    /// Tiny products: a plain loop (packing would cost more than it saves). It does exactly the arithmetic of the
    /// blocked path for every element (a fused multiply-add chain over each KC block, added to C), so an element's
    /// value never depends on the shape of the call or its position in C.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SmallProduct(T* a, int lda, T* b, int ldb, T* c, int ldc, int m, int n, int k, bool transA, bool transB)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                T* cij = c + (long)i * ldc + j;
                for (int p0 = 0; p0 < k; p0 += KC)
                {
                    int p1 = Math.Min(k, p0 + KC);
                    T acc = T.Zero;
                    for (int p = p0; p < p1; p++)
                    {
                        T x = transA ? a[(long)p * lda + i] : a[(long)i * lda + p];
                        T y = transB ? b[(long)j * ldb + p] : b[(long)p * ldb + j];
                        acc = MulAdd(x, y, acc);
                    }
                    *cij += acc;
                }
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T MulAdd(T x, T y, T acc)
    {
        if (Fma.IsSupported && (Use512 || Use256))
        {
            if (typeof(T) == typeof(float)) return (T)(object)MathF.FusedMultiplyAdd((float)(object)x, (float)(object)y, (float)(object)acc);
            if (typeof(T) == typeof(double)) return (T)(object)Math.FusedMultiplyAdd((double)(object)x, (double)(object)y, (double)(object)acc);
        }
        return x * y + acc;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Blocked(T* a, int lda, T* b, int ldb, T* c, int ldc, int m, int n, int k, bool transA, bool transB, int maxThreads)
    {
        int mr = MR, nr = NR;
        int threads = Math.Max(1, Math.Min(maxThreads > 0 ? maxThreads : Gemm.MaxThreads, Environment.ProcessorCount));
        if ((long)m * n * k < ParallelThreshold) threads = 1;

        int ncMax = Math.Min(NC, RoundUp(n, nr));
        int kcMax = Math.Min(KC, k);
        using var bBuffer = PackBuffer.Rent(ncMax * kcMax, 0);
        T* bp = bBuffer.Pointer;
        nint aAddr = (nint)a, cAddr = (nint)c, bpAddr = (nint)bp;

        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            int nPanels = (nc + nr - 1) / nr;
            for (int pc = 0; pc < k; pc += KC)
            {
                int kc = Math.Min(KC, k - pc);
                if (threads > 1 && (long)kc * nc >= 1 << 16)
                {
                    // Skinny products (few rows of C) are dominated by packing B: share it out.
                    int groups = Math.Min(nPanels, 4 * threads);
                    int per = (nPanels + groups - 1) / groups;
                    int kcB = kc, pcB = pc, jcB = jc, ncB = nc;
                    nint bAddr = (nint)b;
                    KernelLoop.For(groups, threads, g =>
                        PackB((T*)bAddr, ldb, transB, pcB, kcB, jcB, ncB, (T*)bpAddr, g * per * nr, Math.Min(nPanels, (g + 1) * per) * nr));
                }
                else PackB(b, ldb, transB, pc, kc, jc, nc, bp, 0, nc);

                // Tiles: row blocks × ranges of column micro-panels, enough of them to keep every thread busy.
                int mc = MC;
                int mBlocks = (m + mc - 1) / mc;
                if (threads > 1 && mBlocks < 2 * threads && m > mr)
                {
                    // Smaller row blocks first (down to 4 micro-rows) ...
                    mc = Math.Max(4 * mr, RoundUp((m + 2 * threads - 1) / (2 * threads), mr));
                    mBlocks = (m + mc - 1) / mc;
                }
                int nSplit = 1;
                if (threads > 1 && mBlocks < 2 * threads)   // ... then split the columns.
                    nSplit = Math.Min(nPanels, (2 * threads + mBlocks - 1) / mBlocks);
                int panelsPerSplit = (nPanels + nSplit - 1) / nSplit;
                int tiles = mBlocks * nSplit;
                int mcFinal = mc, kcFinal = kc, pcFinal = pc, jcFinal = jc;

                void Tile(int t)
                {
                    int ib = t / nSplit, js = t % nSplit;
                    int i0 = ib * mcFinal, mcur = Math.Min(mcFinal, m - i0);
                    int p0 = js * panelsPerSplit, p1 = Math.Min(nPanels, p0 + panelsPerSplit);
                    if (p0 >= p1) return;
                    using var aBuffer = PackBuffer.Rent(RoundUp(mcur, mr) * kcFinal, 1);
                    T* ap = aBuffer.Pointer;
                    PackA((T*)aAddr, lda, transA, i0, mcur, pcFinal, kcFinal, ap);
                    T* bpp = (T*)bpAddr;
                    T* cc = (T*)cAddr;
                    for (int jp = p0; jp < p1; jp++)
                    {
                        int j = jp * nr;
                        int ncur = Math.Min(nr, nc - j);
                        T* bPanel = bpp + (long)jp * nr * kcFinal;
                        for (int ir = 0; ir < mcur; ir += mr)
                        {
                            int mcurr = Math.Min(mr, mcur - ir);
                            T* cTile = cc + (long)(i0 + ir) * ldc + jcFinal + j;
                            if (Use512) Micro512(kcFinal, ap + (long)ir * kcFinal, bPanel, cTile, ldc, mcurr, ncur);
                            else Micro256(kcFinal, ap + (long)ir * kcFinal, bPanel, cTile, ldc, mcurr, ncur);
                        }
                    }
                }

                if (threads == 1 || tiles == 1)
                    for (int t = 0; t < tiles; t++) Tile(t);
                else
                    KernelLoop.For(tiles, threads, Tile);
            }
        }
    }

    private static int RoundUp(int x, int to) => (x + to - 1) / to * to;

    /// <summary>Packs op(A)[i0..i0+mc, p0..p0+kc] into MR-row micro-panels (zero-padded rows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA(T* a, int lda, bool transA, int i0, int mc, int p0, int kc, T* dst)
    {
        int mr = MR;
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            T* panel = dst + (long)ir * kc;
            if (!transA)
            {
                // op(A)(i, p) = a[i*lda + p]: each source row is contiguous over p.
                for (int r = 0; r < rows; r++)
                {
                    T* src = a + (long)(i0 + ir + r) * lda + p0;
                    for (int p = 0; p < kc; p++) panel[p * mr + r] = src[p];
                }
                for (int r = rows; r < mr; r++)
                    for (int p = 0; p < kc; p++) panel[p * mr + r] = T.Zero;
            }
            else
            {
                // op(A)(i, p) = a[p*lda + i]: MR consecutive rows of op(A) are contiguous in memory.
                for (int p = 0; p < kc; p++)
                {
                    T* src = a + (long)(p0 + p) * lda + i0 + ir;
                    T* d = panel + p * mr;
                    int r = 0;
                    for (; r < rows; r++) d[r] = src[r];
                    for (; r < mr; r++) d[r] = T.Zero;
                }
            }
        }
    }

    /// <summary>
    /// Packs op(B)[p0..p0+kc, j0..j0+nc] into NR-column micro-panels (zero-padded columns); only the panels whose
    /// first column lies in [from, to) (multiples of NR), so threads can share the work.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB(T* b, int ldb, bool transB, int p0, int kc, int j0, int nc, T* dst, int from, int to)
    {
        int nr = NR;
        for (int jr = from; jr < Math.Min(nc, to); jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            T* panel = dst + (long)jr * kc;
            if (!transB)
            {
                // op(B)(p, j) = b[p*ldb + j]: NR consecutive columns are contiguous.
                for (int p = 0; p < kc; p++)
                {
                    T* src = b + (long)(p0 + p) * ldb + j0 + jr;
                    T* d = panel + p * nr;
                    if (cols == nr) new ReadOnlySpan<T>(src, nr).CopyTo(new Span<T>(d, nr));
                    else
                    {
                        int q = 0;
                        for (; q < cols; q++) d[q] = src[q];
                        for (; q < nr; q++) d[q] = T.Zero;
                    }
                }
            }
            else
            {
                // op(B)(p, j) = b[j*ldb + p]: each source row (a column of op(B)) is contiguous over p.
                for (int q = 0; q < cols; q++)
                {
                    T* src = b + (long)(j0 + jr + q) * ldb + p0;
                    for (int p = 0; p < kc; p++) panel[p * nr + q] = src[p];
                }
                for (int q = cols; q < nr; q++)
                    for (int p = 0; p < kc; p++) panel[p * nr + q] = T.Zero;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma512(Vector512<T> x, Vector512<T> y, Vector512<T> acc)
    {
        if (Fma.IsSupported)
        {
            if (typeof(T) == typeof(float))
                return Vector512.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), acc.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double))
                return Vector512.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), acc.AsDouble()).As<double, T>();
        }
        return x * y + acc;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma256(Vector256<T> x, Vector256<T> y, Vector256<T> acc)
    {
        if (Fma.IsSupported)
        {
            if (typeof(T) == typeof(float))
                return Vector256.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), acc.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double))
                return Vector256.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), acc.AsDouble()).As<double, T>();
        }
        return x * y + acc;
    }

    /// <summary>C[mr×nr] += Ã(8×kc)·B̃(kc×2W), W = Vector512 lanes; 16 accumulators in registers.</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro512(int kc, T* a, T* b, T* c, int ldc, int mr, int nr)
    {
        int w = Vector512<T>.Count;
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default,
            c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + w);
            Vector512<T> x;
            x = Vector512.Create(a[0]); c00 = Fma512(x, b0, c00); c01 = Fma512(x, b1, c01);
            x = Vector512.Create(a[1]); c10 = Fma512(x, b0, c10); c11 = Fma512(x, b1, c11);
            x = Vector512.Create(a[2]); c20 = Fma512(x, b0, c20); c21 = Fma512(x, b1, c21);
            x = Vector512.Create(a[3]); c30 = Fma512(x, b0, c30); c31 = Fma512(x, b1, c31);
            x = Vector512.Create(a[4]); c40 = Fma512(x, b0, c40); c41 = Fma512(x, b1, c41);
            x = Vector512.Create(a[5]); c50 = Fma512(x, b0, c50); c51 = Fma512(x, b1, c51);
            x = Vector512.Create(a[6]); c60 = Fma512(x, b0, c60); c61 = Fma512(x, b1, c61);
            x = Vector512.Create(a[7]); c70 = Fma512(x, b0, c70); c71 = Fma512(x, b1, c71);
            a += 8;
            b += 2 * w;
        }
        if (mr == 8 && nr == 2 * w)
        {
            AddRow512(c, c00, c01, w); c += ldc;
            AddRow512(c, c10, c11, w); c += ldc;
            AddRow512(c, c20, c21, w); c += ldc;
            AddRow512(c, c30, c31, w); c += ldc;
            AddRow512(c, c40, c41, w); c += ldc;
            AddRow512(c, c50, c51, w); c += ldc;
            AddRow512(c, c60, c61, w); c += ldc;
            AddRow512(c, c70, c71, w);
            return;
        }
        T* tile = stackalloc T[8 * 2 * w];
        int s = 2 * w;
        c00.Store(tile); c01.Store(tile + w);
        c10.Store(tile + s); c11.Store(tile + s + w);
        c20.Store(tile + 2 * s); c21.Store(tile + 2 * s + w);
        c30.Store(tile + 3 * s); c31.Store(tile + 3 * s + w);
        c40.Store(tile + 4 * s); c41.Store(tile + 4 * s + w);
        c50.Store(tile + 5 * s); c51.Store(tile + 5 * s + w);
        c60.Store(tile + 6 * s); c61.Store(tile + 6 * s + w);
        c70.Store(tile + 7 * s); c71.Store(tile + 7 * s + w);
        AddPartial(tile, s, c, ldc, mr, nr);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddRow512(T* c, Vector512<T> v0, Vector512<T> v1, int w)
    {
        (Vector512.Load(c) + v0).Store(c);
        (Vector512.Load(c + w) + v1).Store(c + w);
    }

    /// <summary>C[mr×nr] += Ã(6×kc)·B̃(kc×2W), W = Vector256 lanes; 12 accumulators (fits 16 ymm registers).</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro256(int kc, T* a, T* b, T* c, int ldc, int mr, int nr)
    {
        int w = Vector256<T>.Count;
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + w);
            Vector256<T> x;
            x = Vector256.Create(a[0]); c00 = Fma256(x, b0, c00); c01 = Fma256(x, b1, c01);
            x = Vector256.Create(a[1]); c10 = Fma256(x, b0, c10); c11 = Fma256(x, b1, c11);
            x = Vector256.Create(a[2]); c20 = Fma256(x, b0, c20); c21 = Fma256(x, b1, c21);
            x = Vector256.Create(a[3]); c30 = Fma256(x, b0, c30); c31 = Fma256(x, b1, c31);
            x = Vector256.Create(a[4]); c40 = Fma256(x, b0, c40); c41 = Fma256(x, b1, c41);
            x = Vector256.Create(a[5]); c50 = Fma256(x, b0, c50); c51 = Fma256(x, b1, c51);
            a += 6;
            b += 2 * w;
        }
        T* tile = stackalloc T[6 * 2 * w];
        int s = 2 * w;
        c00.Store(tile); c01.Store(tile + w);
        c10.Store(tile + s); c11.Store(tile + s + w);
        c20.Store(tile + 2 * s); c21.Store(tile + 2 * s + w);
        c30.Store(tile + 3 * s); c31.Store(tile + 3 * s + w);
        c40.Store(tile + 4 * s); c41.Store(tile + 4 * s + w);
        c50.Store(tile + 5 * s); c51.Store(tile + 5 * s + w);
        AddPartial(tile, s, c, ldc, mr, nr);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddPartial(T* tile, int tileStride, T* c, int ldc, int mr, int nr)
    {
        for (int r = 0; r < mr; r++)
        {
            T* src = tile + r * tileStride;
            T* dst = c + (long)r * ldc;
            for (int q = 0; q < nr; q++) dst[q] += src[q];
        }
    }

    /// <summary>
    /// A 64-byte-aligned scratch buffer, cached per thread and per role (0 = packed B, 1 = packed A), as a pinned
    /// array so the GC frees it with the thread. A nested use of the same role on one thread gets a fresh buffer.
    /// </summary>
    private readonly ref struct PackBuffer
    {
        [ThreadStatic] private static T[]?[]? cached;
        [ThreadStatic] private static bool[]? inUse;

        private readonly T[] array;
        private readonly int slot;
        public readonly T* Pointer;

        private PackBuffer(T[] array, int slot)
        {
            this.array = array;
            this.slot = slot;
            nint addr = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
            Pointer = (T*)((addr + 63) & ~(nint)63);
        }

        public static PackBuffer Rent(int length, int role)
        {
            int need = length + 64 / Unsafe.SizeOf<T>();
            cached ??= new T[]?[2];
            inUse ??= new bool[2];
            if (!inUse[role])
            {
                var c = cached[role];
                if (c is null || c.Length < need)
                    cached[role] = c = GC.AllocateUninitializedArray<T>(need, pinned: true);
                inUse[role] = true;
                return new PackBuffer(c, role);
            }
            return new PackBuffer(GC.AllocateUninitializedArray<T>(need, pinned: true), -1);
        }

        public void Dispose()
        {
            if (slot >= 0) inUse![slot] = false;
            GC.KeepAlive(array);   // the pinned array must outlive every use of Pointer
        }
    }
}
