using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Simile.Engine;

/// <summary>
/// The int8 product of llama.cpp for Q8_0 weights: <c>C[N × M] = X[N × K] · Wᵀ</c>, W [M × K] stored as ggml Q8_0
/// (blocks of 32 values along K: an fp16 scale d and 32 int8 quants), X float32 activations quantised on the fly to the
/// same format, exactly as ggml's x86 <c>quantize_row_q8_0</c> does for <c>ggml_vec_dot_q8_0_q8_0</c>:
/// <code>
///   per block of 32 activations:  amax = max|x|,  d = fp16(amax / 127),  q = round_half_even(x · 127 / amax)  (0 if amax = 0)
///   C[n, m] = Σ_blocks b  (d_w[m,b] · d_x[n,b]) · Σ_{i&lt;32} q_w[m,b,i] · q_x[n,b,i]        (inner sum exact, in int32)
/// </code>
/// Layout (both operands, so one block's 32 products always land in one int32 lane): K is padded with zero blocks to a
/// multiple of 512 and cut into chunks of 16 blocks; inside a chunk the byte of block j at offset o = 4t + i (t &lt; 8,
/// i &lt; 4) is stored at 64t + 4j + i. A 64-byte vector t then holds 4 consecutive quants of each of the 16 blocks,
/// and u8×s8 multiply-adds (<c>vpmaddubsw</c> + <c>vpmaddwd</c>) leave block j's partial sum in int32 lane j; after the
/// 8 vectors of a chunk, lane j holds block j's complete integer dot, which is converted to float, multiplied by its
/// scale d_w·d_x and added (FMA) into a float32 lane accumulator; the 16 lanes are summed at the end.
/// The signed×signed product goes through u8×s8 as in ggml: |w| · (x with w's sign), exact (|w| ≤ 128, |x| ≤ 127, so
/// a pair of products never saturates int16).
/// Tiles: the weight rows are cut into tiles (a tile's quants stay in L2), which are shared out over
/// <see cref="Gemm.MaxThreads"/> threads; inside a tile, for every group of 4 tokens, a 4 × 4 (tokens × weight rows)
/// micro-kernel runs over all of K. Every output is computed by the same operations whatever the thread count.
/// Kernels: Vector512 (AVX-512BW), Vector256 (AVX2), scalar. (.NET 10 exposes VNNI only as <c>AvxVnni</c>/<c>Avx10v1</c>;
/// AVX-512 VNNI CPUs without AVX-VNNI, like the AMD EPYC this was measured on, report neither, so no VNNI path.)
/// </summary>
public static unsafe class Q8Gemm
{
    public const int BlockValues = 32;                 // values per Q8_0 block
    public const int BlockBytes = 34;                  // fp16 scale + 32 int8
    internal const int ChunkBlocks = 16;               // blocks per chunk (one int32 lane each)
    internal const int ChunkValues = ChunkBlocks * BlockValues;   // 512
    private const int TokenGroup = 4;                  // micro-kernel: 4 tokens × 4 weight rows
    internal const int RowGroup = 4;

    public enum Kernel { Scalar, Vector256, Vector512 }

    /// <summary>The best kernel this CPU runs.</summary>
    public static Kernel Best { get; } =
        Avx512BW.IsSupported && Avx512F.IsSupported ? Kernel.Vector512 : Avx2.IsSupported ? Kernel.Vector256 : Kernel.Scalar;

    /// <summary>The kernel in use (tests force the others).</summary>
    public static Kernel Selected { get; set; } = Best;

    public static string KernelDescription => Selected switch
    {
        Kernel.Vector512 => "Q8_0×Q8_0 int8, Vector512 (AVX-512BW vpmaddubsw/vpmaddwd) 4x4 micro-kernel",
        Kernel.Vector256 => "Q8_0×Q8_0 int8, Vector256 (AVX2 vpmaddubsw/vpmaddwd) 4x2 micro-kernel (twice)",
        _ => "Q8_0×Q8_0 int8, scalar",
    };

    internal static int PaddedK(int k) => (k + ChunkValues - 1) / ChunkValues * ChunkValues;

    /// <summary>
    /// Quantises one block of 32 activations as ggml's x86 quantize_row_q8_0: returns d = fp16(amax/127) as float and
    /// writes q[i] = round_half_even(x[i] · 127/amax).
    /// </summary>
    public static float QuantizeBlock(ReadOnlySpan<float> x, Span<sbyte> q)
    {
        float amax = 0;
        for (int i = 0; i < BlockValues; i++) amax = MathF.Max(amax, MathF.Abs(x[i]));
        float id = amax != 0 ? 127f / amax : 0f;
        for (int i = 0; i < BlockValues; i++) q[i] = (sbyte)MathF.Round(x[i] * id, MidpointRounding.ToEven);
        return (float)(Half)(amax / 127f);
    }

    /// <summary>
    /// C[n·ldc + m] = Σ_b d_w d_x Σ q_w q_x for n &lt; a.Rows, m &lt; w.Rows (the products of ggml_vec_dot_q8_0_q8_0).
    /// </summary>
    public static void Multiply(Q8Activations a, Q8Matrix w, Span<float> c, int ldc)
    {
        if (a.K != w.K) throw new ArgumentException($"inner sizes differ: activations K={a.K}, weights K={w.K}");
        if (ldc < w.Rows) throw new ArgumentException($"ldc {ldc} < {w.Rows} columns");
        if (a.Rows == 0 || w.Rows == 0) return;
        if (c.Length < (long)(a.Rows - 1) * ldc + w.Rows) throw new ArgumentException("C is too short");

        int kp = w.PaddedK;
        fixed (float* pc = c)
            IntegerGemmTiles.Run(new Blocks(Selected, a, w, (nint)pc, ldc), a.Rows, w.Rows, kp, TokenGroup, RowGroup);
    }

    /// <summary>One micro-kernel call of <see cref="IntegerGemmTiles"/>.</summary>
    private readonly struct Blocks(Kernel kernel, Q8Activations a, Q8Matrix w, nint c, int ldc) : IntegerGemmTiles.IBlock
    {
        public void Run(int n0, int m0) => Micro(kernel, a, n0, w, m0, (float*)c, ldc);
    }

    /// <summary>The 4 × 4 outputs C[n0 … n0+3, m0 … m0+3] (those inside the matrix are stored).</summary>
    private static void Micro(Kernel kernel, Q8Activations a, int n0, Q8Matrix w, int m0, float* c, int ldc)
    {
        int kp = w.PaddedK, chunks = kp / ChunkValues;
        fixed (sbyte* xq = a.Quants, wq = w.Quants)
        fixed (float* xs = a.Scales, ws = w.Scales)
        {
            sbyte* x = xq + (long)n0 * kp, wr = wq + (long)m0 * kp;
            float* xsc = xs + (long)n0 * chunks * ChunkBlocks, wsc = ws + (long)m0 * chunks * ChunkBlocks;
            float* result = stackalloc float[TokenGroup * RowGroup];   // 16
            switch (kernel)
            {
                case Kernel.Vector512: Micro512(x, xsc, wr, wsc, kp, chunks, result); break;
                case Kernel.Vector256:
                    Micro256(x, xsc, wr, wsc, kp, chunks, result);
                    Micro256(x, xsc, wr + 2 * kp, wsc + 2 * chunks * ChunkBlocks, kp, chunks, result + 8);
                    break;
                default:
                    MicroScalar(x, xsc, wr, wsc, kp, chunks, result);
                    MicroScalar(x, xsc, wr + 2 * kp, wsc + 2 * chunks * ChunkBlocks, kp, chunks, result + 8);
                    break;
            }
            for (int r = 0; r < TokenGroup && n0 + r < a.Rows; r++)
                for (int k = 0; k < RowGroup && m0 + k < w.Rows; k++)
                    c[(long)(n0 + r) * ldc + m0 + k] = kernel == Kernel.Vector512 ? result[r * 4 + k]
                        : result[(k >> 1) * 8 + r * 2 + (k & 1)];    // the 4 × 2 kernels, rows 0–1 then 2–3
        }
    }

    // x: 4 token rows of kp quants (stride kp), xs: their scales (stride chunks·16); w: 4 weight rows likewise.
    // result[r·4 + k] = C[token r, weight row k].
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro512(sbyte* x, float* xs, sbyte* w, float* ws, int kp, int chunks, float* result)
    {
        int sStride = chunks * ChunkBlocks;
        var ones = Vector512.Create((short)1);
        float* f = stackalloc float[16 * 16];                 // float lane accumulators of the 16 pairs (unaligned)
        new Span<float>(f, 16 * 16).Clear();
        for (int ch = 0; ch < chunks; ch++)
        {
            Vector512<int> i00 = default, i01 = default, i02 = default, i03 = default,
                           i10 = default, i11 = default, i12 = default, i13 = default,
                           i20 = default, i21 = default, i22 = default, i23 = default,
                           i30 = default, i31 = default, i32 = default, i33 = default;
            int off0 = ch * ChunkValues;
            for (int t = 0; t < 8; t++)
            {
                int off = off0 + 64 * t;
                var w0 = Vector512.Load(w + off);
                var w1 = Vector512.Load(w + kp + off);
                var w2 = Vector512.Load(w + 2 * kp + off);
                var w3 = Vector512.Load(w + 3 * kp + off);
                var u0 = Avx512BW.Abs(w0);                                  // |w| as u8 (−128 → 128)
                var u1 = Avx512BW.Abs(w1);
                var u2 = Avx512BW.Abs(w2);
                var u3 = Avx512BW.Abs(w3);
                var n0 = Vector512.LessThan(w0, Vector512<sbyte>.Zero);     // where w < 0
                var n1 = Vector512.LessThan(w1, Vector512<sbyte>.Zero);
                var n2 = Vector512.LessThan(w2, Vector512<sbyte>.Zero);
                var n3 = Vector512.LessThan(w3, Vector512<sbyte>.Zero);

                var xv = Vector512.Load(x + off); var xn = -xv;
                i00 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(u0, Vector512.ConditionalSelect(n0, xn, xv)), ones);
                i01 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(u1, Vector512.ConditionalSelect(n1, xn, xv)), ones);
                i02 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(u2, Vector512.ConditionalSelect(n2, xn, xv)), ones);
                i03 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(u3, Vector512.ConditionalSelect(n3, xn, xv)), ones);
                xv = Vector512.Load(x + kp + off); xn = -xv;
                i10 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(u0, Vector512.ConditionalSelect(n0, xn, xv)), ones);
                i11 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(u1, Vector512.ConditionalSelect(n1, xn, xv)), ones);
                i12 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(u2, Vector512.ConditionalSelect(n2, xn, xv)), ones);
                i13 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(u3, Vector512.ConditionalSelect(n3, xn, xv)), ones);
                xv = Vector512.Load(x + 2 * kp + off); xn = -xv;
                i20 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(u0, Vector512.ConditionalSelect(n0, xn, xv)), ones);
                i21 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(u1, Vector512.ConditionalSelect(n1, xn, xv)), ones);
                i22 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(u2, Vector512.ConditionalSelect(n2, xn, xv)), ones);
                i23 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(u3, Vector512.ConditionalSelect(n3, xn, xv)), ones);
                xv = Vector512.Load(x + 3 * kp + off); xn = -xv;
                i30 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(u0, Vector512.ConditionalSelect(n0, xn, xv)), ones);
                i31 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(u1, Vector512.ConditionalSelect(n1, xn, xv)), ones);
                i32 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(u2, Vector512.ConditionalSelect(n2, xn, xv)), ones);
                i33 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(u3, Vector512.ConditionalSelect(n3, xn, xv)), ones);
            }
            // lane j = block j of the chunk: f += (float)isum · (d_x · d_w)
            int s = ch * ChunkBlocks;
            var d0 = Vector512.Load(ws + s);
            var d1 = Vector512.Load(ws + sStride + s);
            var d2 = Vector512.Load(ws + 2 * sStride + s);
            var d3 = Vector512.Load(ws + 3 * sStride + s);
            var e = Vector512.Load(xs + s);
            Vector512.Store(Avx512F.FusedMultiplyAdd(Vector512.ConvertToSingle(i00), e * d0, Vector512.Load(f + 0)), f + 0);
            Vector512.Store(Avx512F.FusedMultiplyAdd(Vector512.ConvertToSingle(i01), e * d1, Vector512.Load(f + 16)), f + 16);
            Vector512.Store(Avx512F.FusedMultiplyAdd(Vector512.ConvertToSingle(i02), e * d2, Vector512.Load(f + 32)), f + 32);
            Vector512.Store(Avx512F.FusedMultiplyAdd(Vector512.ConvertToSingle(i03), e * d3, Vector512.Load(f + 48)), f + 48);
            e = Vector512.Load(xs + sStride + s);
            Vector512.Store(Avx512F.FusedMultiplyAdd(Vector512.ConvertToSingle(i10), e * d0, Vector512.Load(f + 64)), f + 64);
            Vector512.Store(Avx512F.FusedMultiplyAdd(Vector512.ConvertToSingle(i11), e * d1, Vector512.Load(f + 80)), f + 80);
            Vector512.Store(Avx512F.FusedMultiplyAdd(Vector512.ConvertToSingle(i12), e * d2, Vector512.Load(f + 96)), f + 96);
            Vector512.Store(Avx512F.FusedMultiplyAdd(Vector512.ConvertToSingle(i13), e * d3, Vector512.Load(f + 112)), f + 112);
            e = Vector512.Load(xs + 2 * sStride + s);
            Vector512.Store(Avx512F.FusedMultiplyAdd(Vector512.ConvertToSingle(i20), e * d0, Vector512.Load(f + 128)), f + 128);
            Vector512.Store(Avx512F.FusedMultiplyAdd(Vector512.ConvertToSingle(i21), e * d1, Vector512.Load(f + 144)), f + 144);
            Vector512.Store(Avx512F.FusedMultiplyAdd(Vector512.ConvertToSingle(i22), e * d2, Vector512.Load(f + 160)), f + 160);
            Vector512.Store(Avx512F.FusedMultiplyAdd(Vector512.ConvertToSingle(i23), e * d3, Vector512.Load(f + 176)), f + 176);
            e = Vector512.Load(xs + 3 * sStride + s);
            Vector512.Store(Avx512F.FusedMultiplyAdd(Vector512.ConvertToSingle(i30), e * d0, Vector512.Load(f + 192)), f + 192);
            Vector512.Store(Avx512F.FusedMultiplyAdd(Vector512.ConvertToSingle(i31), e * d1, Vector512.Load(f + 208)), f + 208);
            Vector512.Store(Avx512F.FusedMultiplyAdd(Vector512.ConvertToSingle(i32), e * d2, Vector512.Load(f + 224)), f + 224);
            Vector512.Store(Avx512F.FusedMultiplyAdd(Vector512.ConvertToSingle(i33), e * d3, Vector512.Load(f + 240)), f + 240);
        }
        for (int i = 0; i < 16; i++) result[i] = Vector512.Sum(Vector512.Load(f + 16 * i));
    }

    /// <summary>AVX2, 4 tokens × 2 weight rows (result[r·2 + k]): each chunk as two halves of 8 blocks (bytes 64t … 64t+31 and
    /// 64t+32 … 64t+63).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro256(sbyte* x, float* xs, sbyte* w, float* ws, int kp, int chunks, float* result)
    {
        int sStride = chunks * ChunkBlocks;
        var ones = Vector256.Create((short)1);
        Vector256<float> f00 = default, f01 = default, f10 = default, f11 = default,
                         f20 = default, f21 = default, f30 = default, f31 = default;
        for (int ch = 0; ch < chunks; ch++)
            for (int h = 0; h < 2; h++)
            {
                Vector256<int> i00 = default, i01 = default, i10 = default, i11 = default,
                               i20 = default, i21 = default, i30 = default, i31 = default;
                int off0 = ch * ChunkValues + 32 * h;
                for (int t = 0; t < 8; t++)
                {
                    int off = off0 + 64 * t;
                    var w0 = Vector256.Load(w + off);
                    var w1 = Vector256.Load(w + kp + off);
                    var u0 = Avx2.Abs(w0);
                    var u1 = Avx2.Abs(w1);
                    var xv = Vector256.Load(x + off);
                    i00 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u0, Avx2.Sign(xv, w0)), ones);
                    i01 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u1, Avx2.Sign(xv, w1)), ones);
                    xv = Vector256.Load(x + kp + off);
                    i10 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u0, Avx2.Sign(xv, w0)), ones);
                    i11 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u1, Avx2.Sign(xv, w1)), ones);
                    xv = Vector256.Load(x + 2 * kp + off);
                    i20 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u0, Avx2.Sign(xv, w0)), ones);
                    i21 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u1, Avx2.Sign(xv, w1)), ones);
                    xv = Vector256.Load(x + 3 * kp + off);
                    i30 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u0, Avx2.Sign(xv, w0)), ones);
                    i31 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u1, Avx2.Sign(xv, w1)), ones);
                }
                int s = ch * ChunkBlocks + 8 * h;
                var d0 = Vector256.Load(ws + s);
                var d1 = Vector256.Load(ws + sStride + s);
                var e = Vector256.Load(xs + s);
                f00 = MulAdd(Vector256.ConvertToSingle(i00), e * d0, f00);
                f01 = MulAdd(Vector256.ConvertToSingle(i01), e * d1, f01);
                e = Vector256.Load(xs + sStride + s);
                f10 = MulAdd(Vector256.ConvertToSingle(i10), e * d0, f10);
                f11 = MulAdd(Vector256.ConvertToSingle(i11), e * d1, f11);
                e = Vector256.Load(xs + 2 * sStride + s);
                f20 = MulAdd(Vector256.ConvertToSingle(i20), e * d0, f20);
                f21 = MulAdd(Vector256.ConvertToSingle(i21), e * d1, f21);
                e = Vector256.Load(xs + 3 * sStride + s);
                f30 = MulAdd(Vector256.ConvertToSingle(i30), e * d0, f30);
                f31 = MulAdd(Vector256.ConvertToSingle(i31), e * d1, f31);
            }
        result[0] = Vector256.Sum(f00); result[1] = Vector256.Sum(f01);
        result[2] = Vector256.Sum(f10); result[3] = Vector256.Sum(f11);
        result[4] = Vector256.Sum(f20); result[5] = Vector256.Sum(f21);
        result[6] = Vector256.Sum(f30); result[7] = Vector256.Sum(f31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c)
        => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;

    /// <summary>4 tokens × 2 weight rows, result[r·2 + k]; plain loops over the same layout.</summary>
    private static void MicroScalar(sbyte* x, float* xs, sbyte* w, float* ws, int kp, int chunks, float* result)
    {
        int sStride = chunks * ChunkBlocks;
        for (int r = 0; r < TokenGroup; r++)
            for (int k = 0; k < 2; k++)
            {
                sbyte* xr = x + (long)r * kp, wr = w + (long)k * kp;
                float sum = 0;
                for (int ch = 0; ch < chunks; ch++)
                    for (int j = 0; j < ChunkBlocks; j++)
                    {
                        int isum = 0;
                        for (int t = 0; t < 8; t++)
                            for (int i = 0; i < 4; i++)
                            {
                                int p = ch * ChunkValues + 64 * t + 4 * j + i;
                                isum += xr[p] * wr[p];
                            }
                        sum += isum * (xs[r * sStride + ch * ChunkBlocks + j] * ws[k * sStride + ch * ChunkBlocks + j]);
                    }
                result[r * 2 + k] = sum;
            }
    }
}

/// <summary>
/// A Q8_0 weight matrix [Rows × K] in <see cref="Q8Gemm"/>'s interleaved layout: Quants [RowCapacity × PaddedK]
/// (rows padded to a multiple of 4 with zeros), Scales [RowCapacity × PaddedK/32] float32 (from the fp16 d). Reusable:
/// <see cref="SetRows"/> fills rows from ggml's block bytes.
/// </summary>
public sealed class Q8Matrix
{
    public int Rows { get; }
    public int K { get; }
    public int PaddedK { get; }
    internal readonly sbyte[] Quants;
    internal readonly float[] Scales;

    public Q8Matrix(int rows, int k)
    {
        if (k % Q8Gemm.BlockValues != 0) throw new ArgumentException($"K = {k} is not a multiple of {Q8Gemm.BlockValues}");
        Rows = rows; K = k; PaddedK = Q8Gemm.PaddedK(k);
        int capacity = (rows + Q8Gemm.RowGroup - 1) / Q8Gemm.RowGroup * Q8Gemm.RowGroup;
        Quants = new sbyte[(long)capacity * PaddedK];
        Scales = new float[(long)capacity * (PaddedK / Q8Gemm.BlockValues)];
    }

    /// <summary>Bytes of ggml Q8_0 blocks for <paramref name="count"/> rows of K values.</summary>
    public static long BlockBytesOf(long count, int k) => count * (k / Q8Gemm.BlockValues) * Q8Gemm.BlockBytes;

    /// <summary>Rows [first, first + count) from ggml Q8_0 blocks (count × K/32 blocks of 34 bytes, row after row).</summary>
    public void SetRows(int first, int count, ReadOnlySpan<byte> blocks)
    {
        int blocksPerRow = K / Q8Gemm.BlockValues, kp = PaddedK, sPerRow = kp / Q8Gemm.BlockValues;
        if (first < 0 || count < 0 || first + count > Rows) throw new ArgumentOutOfRangeException(nameof(first));
        if (blocks.Length != BlockBytesOf(count, K)) throw new ArgumentException($"{blocks.Length} bytes for {count} rows of {K} Q8_0 values");
        unsafe
        {
            fixed (byte* src = blocks)
            {
                nint s = (nint)src;
                KernelLoop.For(count, Gemm.MaxThreads, r =>
                {
                    byte* row = (byte*)s + (long)r * blocksPerRow * Q8Gemm.BlockBytes;
                    var q = Quants.AsSpan((int)((long)(first + r) * kp), kp);
                    var sc = Scales.AsSpan((first + r) * sPerRow, sPerRow);
                    q.Clear(); sc.Clear();
                    for (int b = 0; b < blocksPerRow; b++)
                    {
                        byte* blk = row + b * Q8Gemm.BlockBytes;
                        sc[b] = (float)BitConverter.UInt16BitsToHalf((ushort)(blk[0] | blk[1] << 8));
                        int chunkBase = b / Q8Gemm.ChunkBlocks * Q8Gemm.ChunkValues, j = b % Q8Gemm.ChunkBlocks;
                        // 8 groups of 4 bytes: group t goes to 64t + 4j
                        for (int t = 0; t < 8; t++)
                            Unsafe.WriteUnaligned(ref Unsafe.As<sbyte, byte>(ref q[chunkBase + 64 * t + 4 * j]),
                                Unsafe.ReadUnaligned<uint>(blk + 2 + 4 * t));
                    }
                });
            }
        }
    }
}

/// <summary>
/// Activations [Rows × K] quantised to Q8_0 (ggml's x86 quantize_row_q8_0) in <see cref="Q8Gemm"/>'s interleaved
/// layout: Quants [capacity × PaddedK] with rows padded to a multiple of 4 (zeros), Scales [capacity × PaddedK/32].
/// </summary>
public sealed class Q8Activations
{
    public int Rows { get; private set; }
    public int K { get; private set; }
    public int PaddedK { get; private set; }
    internal sbyte[] Quants = [];
    internal float[] Scales = [];

    /// <summary>Quantises x [rows × k] (row stride k), reusing the buffers when they are large enough.</summary>
    public void Quantize(ReadOnlySpan<float> x, int rows, int k)
    {
        if (k % Q8Gemm.BlockValues != 0) throw new ArgumentException($"K = {k} is not a multiple of {Q8Gemm.BlockValues}");
        if (x.Length < (long)rows * k) throw new ArgumentException("x is too short");
        Rows = rows; K = k; PaddedK = Q8Gemm.PaddedK(k);
        int capacity = (rows + 3) / 4 * 4, kp = PaddedK, sPerRow = kp / Q8Gemm.BlockValues;
        if (Quants.Length < (long)capacity * kp) Quants = new sbyte[(long)capacity * kp];
        if (Scales.Length < (long)capacity * sPerRow) Scales = new float[(long)capacity * sPerRow];
        Quants.AsSpan((int)((long)rows * kp), (capacity - rows) * kp).Clear();
        Scales.AsSpan(rows * sPerRow, (capacity - rows) * sPerRow).Clear();
        unsafe
        {
            fixed (float* px = x)
            {
                nint xa = (nint)px;
                int blocks = k / Q8Gemm.BlockValues;
                KernelLoop.For((rows + 15) / 16, Gemm.MaxThreads, g =>
                {
                    Span<sbyte> q = stackalloc sbyte[Q8Gemm.BlockValues];
                    for (int n = g * 16; n < Math.Min(rows, g * 16 + 16); n++)
                    {
                        var src = new ReadOnlySpan<float>((float*)xa + (long)n * k, k);
                        var dq = Quants.AsSpan((int)((long)n * kp), kp);
                        var ds = Scales.AsSpan(n * sPerRow, sPerRow);
                        dq.Clear(); ds.Clear();
                        for (int b = 0; b < blocks; b++)
                        {
                            ds[b] = Q8Gemm.QuantizeBlock(src.Slice(b * Q8Gemm.BlockValues, Q8Gemm.BlockValues), q);
                            int chunkBase = b / Q8Gemm.ChunkBlocks * Q8Gemm.ChunkValues, j = b % Q8Gemm.ChunkBlocks;
                            for (int t = 0; t < 8; t++)
                                Unsafe.WriteUnaligned(ref Unsafe.As<sbyte, byte>(ref dq[chunkBase + 64 * t + 4 * j]),
                                    Unsafe.ReadUnaligned<uint>(ref Unsafe.As<sbyte, byte>(ref q[4 * t])));
                        }
                    }
                });
            }
        }
    }
}
