using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Simile.Engine;

/// <summary>The ggml k-quant block types the integer product reads (super-blocks of 256 values).</summary>
public enum KQuantType { Q4_K, Q5_K, Q6_K }

/// <summary>
/// The integer product of llama.cpp for k-quant weights: <c>C[N × M] = X[N × K] · Wᵀ</c>, W [M × K] stored as ggml Q4_K,
/// Q5_K or Q6_K, X float32 activations quantised per super-block of 256 to Q8_K as ggml's <c>quantize_row_q8_K</c> does
/// (the x86 build uses the reference routine):
/// <code>
///   per 256 activations: max = the value of largest |x| (sign kept), iscale = −127/max, q = min(127, round_half_even(iscale·x)),
///                        d_x = 1/iscale (all 0 if max = 0); bsum_g = Σ of the 16 quants of group g
/// </code>
/// and the block formulas of <c>ggml_vec_dot_q4_K_q8_K</c>, <c>_q5_K_q8_K</c>, <c>_q6_K_q8_K</c>. Every weight block is read
/// as 16 groups of 16 values w = d·sc_g·u − dm·mn_g with an unsigned integer u, an integer scale sc_g and an integer
/// offset mn_g: Q4_K/Q5_K u = the 4/5-bit quant, sc_g/mn_g = the 6-bit scale/min of sub-block g/2, dm = dmin;
/// Q6_K u = q + 32 (0 … 63), sc_g = the int8 scale, mn_g = 32·sc_g, dm = d. Then
/// <code>
///   C[n, m] = Σ_blocks  d_w·d_x · Σ_g sc_g · Σ_{16} u·q_x      −  Σ_blocks dm·d_x · Σ_g mn_g · bsum_g
///             (integer inside, exact in int32)                     (ggml: the "mins" term, integer inside)
/// </code>
/// The first term is the integer kernel (u8 × s8 <c>vpmaddubsw</c> pairs, then <c>vpmaddwd</c> with the group scales:
/// exact, |u| ≤ 63, |q| ≤ 127); the mins term is taken in the same micro-kernel, per block 16 float32 products
/// (dm·mn_g)·(d_x·bsum_g) lane by lane into the main term's float32 sums (ggml's integer sum Σ_g mn_g·bsum_g in float32
/// products, each exact to float32 rounding: far below the activation rounding that both share).
/// Weights are unpacked once per load into bytes (<see cref="KQuantMatrix"/>), so one kernel serves all three types and a
/// fused matrix may mix them (Q4_K_M files keep some attn_v rows in Q6_K).
/// Layout (weights and activations alike): inside a block, value 16g + 4c + i (group g, i &lt; 4) is stored at byte
/// 64c + 4g + i, so each 64-byte chunk c holds 4 values of every group and a group's pair sums always land in the same two
/// int16 lanes. The kernel adds the <c>vpmaddubsw</c> pair sums of the 4 chunks in int16 (u ≤ 31: |sum| ≤ 4·2·31·127 &lt;
/// 2¹⁵; Q6_K rows, u ≤ 63: two chunks at a time) and applies the group scales once per block with one <c>vpmaddwd</c>.
/// Tiles: weight rows in tiles that stay in L2, shared out over <see cref="Gemm.MaxThreads"/> threads; a 4 × 4
/// (tokens × weight rows) micro-kernel runs over all of K; every output is computed by the same operations whatever the
/// thread count. Kernels: Vector512 (AVX-512BW), Vector256 (AVX2), scalar.
/// </summary>
public static unsafe class KQuantGemm
{
    public const int BlockValues = 256;     // QK_K
    public const int Groups = 16;           // groups of 16 values per block (one scale each)
    internal const int TokenGroup = 4, RowGroup = 4;

    public enum Kernel { Scalar, Vector256, Vector512 }

    public static Kernel Best { get; } =
        Avx512BW.IsSupported && Avx512F.IsSupported ? Kernel.Vector512 : Avx2.IsSupported ? Kernel.Vector256 : Kernel.Scalar;

    /// <summary>The kernel in use (tests force the others).</summary>
    public static Kernel Selected { get; set; } = Best;

    public static string KernelDescription => Selected switch
    {
        Kernel.Vector512 => "k-quant×Q8_K integer, Vector512 (AVX-512BW vpmaddubsw/vpmaddwd) 4x4 micro-kernel",
        Kernel.Vector256 => "k-quant×Q8_K integer, Vector256 (AVX2 vpmaddubsw/vpmaddwd) 4x4 micro-kernel (two 4x2 halves)",
        _ => "k-quant×Q8_K integer, scalar",
    };

    /// <summary>Bytes of one ggml block of <paramref name="type"/>.</summary>
    public static int BlockBytes(KQuantType type) => type switch
    {
        KQuantType.Q4_K => 144, KQuantType.Q5_K => 176, _ => 210,
    };

    /// <summary>
    /// ggml's nearest_int: round half to even through the float32 magic constant 1.5·2²³ (|v| &lt; 2²²).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int NearestInt(float v)
    {
        int bits = BitConverter.SingleToInt32Bits(v + 12582912f);
        return (bits & 0x007FFFFF) - 0x00400000;
    }

    /// <summary>
    /// Quantises 256 activations to Q8_K (quantize_row_q8_K_ref): returns d_x and writes the quants and the 16 group sums.
    /// </summary>
    public static float QuantizeBlock(ReadOnlySpan<float> x, Span<sbyte> q, Span<short> bsums)
    {
        if (Avx2.IsSupported && x.Length >= BlockValues && q.Length >= BlockValues && bsums.Length >= Groups)
            return QuantizeBlock256(x, q, bsums);
        float max = 0, amax = 0;
        for (int j = 0; j < BlockValues; j++)
        {
            float ax = MathF.Abs(x[j]);
            if (ax > amax) { amax = ax; max = x[j]; }
        }
        if (amax == 0)
        {
            q[..BlockValues].Clear();
            bsums[..Groups].Clear();
            return 0f;
        }
        float iscale = -127f / max;
        for (int j = 0; j < BlockValues; j++) q[j] = (sbyte)Math.Min(127, NearestInt(iscale * x[j]));
        for (int g = 0; g < Groups; g++)
        {
            int s = 0;
            for (int i = 0; i < 16; i++) s += q[16 * g + i];
            bsums[g] = (short)s;
        }
        return 1f / iscale;
    }

    /// <summary>
    /// <see cref="QuantizeBlock"/> with AVX2: the same float32 products iscale·x, rounded half to even by the conversion
    /// (the default rounding mode, what ggml's nearest_int computes), the first value of largest |x| as max.
    /// </summary>
    private static float QuantizeBlock256(ReadOnlySpan<float> x, Span<sbyte> q, Span<short> bsums)
    {
        ref float r = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
        var m = Vector256<float>.Zero;
        for (int j = 0; j < BlockValues; j += 8) m = Vector256.Max(m, Vector256.Abs(Vector256.LoadUnsafe(ref r, (nuint)j)));
        float amax = 0;
        for (int i = 0; i < 8; i++) amax = MathF.Max(amax, m[i]);
        if (amax == 0)
        {
            q[..BlockValues].Clear();
            bsums[..Groups].Clear();
            return 0f;
        }
        int first = 0;
        while (MathF.Abs(x[first]) != amax) first++;
        float iscale = -127f / x[first];
        var s = Vector256.Create(iscale);
        var limit = Vector256.Create(127);
        ref sbyte qr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(q);
        for (int g = 0; g < Groups; g++)
        {
            var a = Vector256.Min(Avx.ConvertToVector256Int32(Vector256.LoadUnsafe(ref r, (nuint)(16 * g)) * s), limit);
            var b = Vector256.Min(Avx.ConvertToVector256Int32(Vector256.LoadUnsafe(ref r, (nuint)(16 * g + 8)) * s), limit);
            bsums[g] = (short)Vector256.Sum(a + b);
            var h = Vector256.Narrow(a, b);
            Vector128.Narrow(h.GetLower(), h.GetUpper()).StoreUnsafe(ref qr, (nuint)(16 * g));
        }
        return 1f / iscale;
    }

    /// <summary>C[n·ldc + m] for n &lt; a.Rows, m &lt; w.Rows (the products of ggml_vec_dot_qX_K_q8_K).</summary>
    public static void Multiply(Q8KActivations a, KQuantMatrix w, Span<float> c, int ldc)
    {
        if (a.K != w.K) throw new ArgumentException($"inner sizes differ: activations K={a.K}, weights K={w.K}");
        if (ldc < w.Rows) throw new ArgumentException($"ldc {ldc} < {w.Rows} columns");
        if (a.Rows == 0 || w.Rows == 0) return;
        if (c.Length < (long)(a.Rows - 1) * ldc + w.Rows) throw new ArgumentException("C is too short");
        fixed (float* pc = c)
        fixed (sbyte* xq = a.Quants)
        fixed (float* xd = a.Scales, wd = w.Scales, xmn = a.MinColumns, wmn = w.MinRows, xmp = a.MinPairColumns, wmp = w.MinPairRows)
        fixed (byte* wq = w.Quants)
        fixed (short* ws = w.GroupScales)
        {
            // pinned once for the whole product; the micro-kernel calls read through these pointers
            var blocks = new Blocks(Selected, a.Rows, w.Rows, w.K, w.Wide, xq, xd, new Mins(xmn, wmn, w.K / 16),
                new Mins(xmp, wmp, w.K / 32), wq, wd, ws, pc, ldc);
            IntegerGemmTiles.Run(blocks, a.Rows, w.Rows, w.K, TokenGroup, RowGroup);
        }
    }

    /// <summary>
    /// One micro-kernel call of <see cref="IntegerGemmTiles"/>: the 4 × 4 outputs C[n0 … n0+3, m0 … m0+3] (those inside
    /// the matrix), from the pinned arrays of the activations (quants, d_x, mins columns) and the weights (quants, d,
    /// group scales, mins rows); the mins operands per group (<paramref name="groupMins"/>) and per pair of groups
    /// (<paramref name="pairMins"/>, for row groups without Q6_K rows, whose two groups of a sub-block share one min).
    /// </summary>
    private readonly struct Blocks(Kernel kernel, int tokens, int rows, int k, bool[] wideRows,
        sbyte* xq, float* xd, Mins groupMins, Mins pairMins, byte* wq, float* wd, short* ws, float* c, int ldc) : IntegerGemmTiles.IBlock
    {
        public void Run(int n0, int m0)
        {
            int blocks = k / BlockValues;
            sbyte* x = xq + (long)n0 * k;
            byte* wr = wq + (long)m0 * k;
            float* xs = xd + (long)n0 * blocks, wsc = wd + (long)m0 * blocks;
            short* sc = ws + (long)m0 * blocks * ScaleLanes;
            var mins = groupMins.At(n0, m0);
            bool wide = wideRows[m0] || wideRows[m0 + 1] || wideRows[m0 + 2] || wideRows[m0 + 3];
            float* result = stackalloc float[TokenGroup * RowGroup];   // result[t·4 + r]
            switch (kernel)
            {
                case Kernel.Vector512:
                    // Q4_K/Q5_K rows only and whole vectors of pairs: the mins term over K/32 pairs of groups, half the work
                    Micro512(x, xs, wr, wsc, sc, k, blocks, wide, !wide && k % 512 == 0 ? pairMins.At(n0, m0) : mins, result);
                    break;
                case Kernel.Vector256:
                    // two 4 × 2 halves: rows m0, m0+1 and m0+2, m0+3
                    Micro256(x, xs, wr, wsc, sc, k, blocks, wide, mins, result);
                    Micro256(x, xs, wr + 2L * k, wsc + 2L * blocks, sc + 2L * blocks * ScaleLanes, k, blocks, wide,
                        mins.FromRow(2), result + 2);
                    break;
                default: MicroScalar(x, xs, wr, wsc, sc, k, blocks, mins, result); break;
            }
            for (int t = 0; t < TokenGroup && n0 + t < tokens; t++)
                for (int r = 0; r < RowGroup && m0 + r < rows; r++)
                    c[(long)(n0 + t) * ldc + m0 + r] = result[t * RowGroup + r];
        }
    }

    /// <summary>
    /// The mins term's operands: per token row the values d_x·bsum_g of each block (<see cref="Q8KActivations.MinColumns"/>),
    /// per weight row the values dm·mn_g (<see cref="KQuantMatrix.MinRows"/>), both with row stride K/16; or the same
    /// per pair of groups, K/32 a row (<see cref="Q8KActivations.MinPairColumns"/>: d_x·(bsum_2s + bsum_2s+1),
    /// <see cref="KQuantMatrix.MinPairRows"/>: dm·mn_2s, the sub-block's one min). A token's term for a row is
    /// Σ Columns[t, ·]·Rows[r, ·] over the row: the kernels take the products lane by lane into float32 sums.
    /// </summary>
    private readonly struct Mins(float* columns, float* rows, long stride)
    {
        public readonly float* Columns = columns, Rows = rows;
        public readonly long Stride = stride;

        /// <summary>The operands of the micro-kernel call at token <paramref name="n0"/>, weight row <paramref name="m0"/>.</summary>
        public Mins At(int n0, int m0) => new(Columns + n0 * Stride, Rows + m0 * Stride, Stride);

        /// <summary>The same operands from weight row <paramref name="offset"/> on.</summary>
        public Mins FromRow(int offset) => new(Columns, Rows + offset * Stride, Stride);
    }

    /// <summary>int16 lanes of scales per block: group g's scale in lanes 2g and 2g+1 (the two pair sums of its 4 values per chunk).</summary>
    internal const int ScaleLanes = 32;

    /// <summary>Byte position of value v (0 … 255) inside a block in the kernel's layout.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Position(int v) => 64 * ((v >> 2) & 3) + 4 * (v >> 4) + (v & 3);

    /// <summary>One block from natural order into the kernel's layout: as 4-byte words, word 4g + c goes to 16c + g.</summary>
    internal static void ToLayout(ReadOnlySpan<byte> natural, Span<byte> block)
    {
        var src = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(natural[..BlockValues]);
        var dst = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(block[..BlockValues]);
        for (int g = 0; g < Groups; g++)
            for (int c = 0; c < 4; c++) dst[16 * c + g] = src[4 * g + c];
    }

    // x: 4 token rows of k quants (stride k), xs: their d_x (stride blocks); w: 4 (Micro256: 2) weight rows of k bytes,
    // ws: their d, sc: their scale lanes (stride blocks·32); result[t·4 + r].
    private static void MicroScalar(sbyte* x, float* xs, byte* w, float* ws, short* sc, int k, int blocks, Mins mins, float* result)
    {
        int* dot = stackalloc int[Groups];
        for (int t = 0; t < TokenGroup; t++)
            for (int r = 0; r < RowGroup; r++)
            {
                sbyte* xt = x + (long)t * k;
                byte* wrow = w + (long)r * k;
                short* s = sc + (long)r * blocks * ScaleLanes;
                float acc = 0;
                for (int b = 0; b < blocks; b++)
                {
                    new Span<int>(dot, Groups).Clear();
                    int o = b * BlockValues;
                    for (int p = 0; p < BlockValues; p++) dot[(p & 63) >> 2] += wrow[o + p] * xt[o + p];
                    int isum = 0;
                    for (int g = 0; g < Groups; g++) isum += s[b * ScaleLanes + 2 * g] * dot[g];
                    acc += ws[r * blocks + b] * xs[t * blocks + b] * isum;
                    for (int g = 0; g < Groups; g++)
                        acc -= mins.Columns[t * mins.Stride + b * Groups + g] * mins.Rows[r * mins.Stride + b * Groups + g];
                }
                result[t * RowGroup + r] = acc;
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c)
        => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;

    /// <summary>c − a·b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MulSub(Vector256<float> a, Vector256<float> b, Vector256<float> c)
        => Fma.IsSupported ? Fma.MultiplyAddNegated(a, b, c) : c - a * b;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro256(sbyte* x, float* xs, byte* w, float* ws, short* sc, int k, int blocks, bool wide, Mins mins, float* result)
    {
        Vector256<float> f00 = default, f01 = default, f10 = default, f11 = default,
                         f20 = default, f21 = default, f30 = default, f31 = default;
        long s1 = (long)blocks * ScaleLanes;
        int span = wide ? 2 : 4;    // chunks summed in int16 before the scales
        for (int b = 0; b < blocks; b++)
        {
            Vector256<int> i00 = default, i01 = default, i10 = default, i11 = default,
                           i20 = default, i21 = default, i30 = default, i31 = default;
            for (int h = 0; h < 2; h++)
            {
                var v0 = Vector256.Load(sc + (long)b * ScaleLanes + 16 * h);
                var v1 = Vector256.Load(sc + s1 + (long)b * ScaleLanes + 16 * h);
                for (int c0 = 0; c0 < 4; c0 += span)
                {
                    Vector256<short> a00 = default, a01 = default, a10 = default, a11 = default,
                                     a20 = default, a21 = default, a30 = default, a31 = default;
                    for (int c = c0; c < c0 + span; c++)
                    {
                        int o = b * BlockValues + 64 * c + 32 * h;
                        var w0 = Vector256.Load(w + o);
                        var w1 = Vector256.Load(w + k + o);
                        var xv = Vector256.Load(x + o);
                        a00 += Avx2.MultiplyAddAdjacent(w0, xv); a01 += Avx2.MultiplyAddAdjacent(w1, xv);
                        xv = Vector256.Load(x + k + o);
                        a10 += Avx2.MultiplyAddAdjacent(w0, xv); a11 += Avx2.MultiplyAddAdjacent(w1, xv);
                        xv = Vector256.Load(x + 2 * k + o);
                        a20 += Avx2.MultiplyAddAdjacent(w0, xv); a21 += Avx2.MultiplyAddAdjacent(w1, xv);
                        xv = Vector256.Load(x + 3 * k + o);
                        a30 += Avx2.MultiplyAddAdjacent(w0, xv); a31 += Avx2.MultiplyAddAdjacent(w1, xv);
                    }
                    i00 += Avx2.MultiplyAddAdjacent(a00, v0); i01 += Avx2.MultiplyAddAdjacent(a01, v1);
                    i10 += Avx2.MultiplyAddAdjacent(a10, v0); i11 += Avx2.MultiplyAddAdjacent(a11, v1);
                    i20 += Avx2.MultiplyAddAdjacent(a20, v0); i21 += Avx2.MultiplyAddAdjacent(a21, v1);
                    i30 += Avx2.MultiplyAddAdjacent(a30, v0); i31 += Avx2.MultiplyAddAdjacent(a31, v1);
                }
            }
            float d0 = ws[b], d1 = ws[blocks + b];
            float e0 = xs[b], e1 = xs[blocks + b], e2 = xs[2 * blocks + b], e3 = xs[3 * blocks + b];
            f00 = MulAdd(Vector256.ConvertToSingle(i00), Vector256.Create(d0 * e0), f00);
            f01 = MulAdd(Vector256.ConvertToSingle(i01), Vector256.Create(d1 * e0), f01);
            f10 = MulAdd(Vector256.ConvertToSingle(i10), Vector256.Create(d0 * e1), f10);
            f11 = MulAdd(Vector256.ConvertToSingle(i11), Vector256.Create(d1 * e1), f11);
            f20 = MulAdd(Vector256.ConvertToSingle(i20), Vector256.Create(d0 * e2), f20);
            f21 = MulAdd(Vector256.ConvertToSingle(i21), Vector256.Create(d1 * e2), f21);
            f30 = MulAdd(Vector256.ConvertToSingle(i30), Vector256.Create(d0 * e3), f30);
            f31 = MulAdd(Vector256.ConvertToSingle(i31), Vector256.Create(d1 * e3), f31);
            // the mins term: f_tr −= Columns[t, g]·Rows[r, g], 16 groups as two halves of 8 lanes
            for (int h = 0; h < 2; h++)
            {
                long o = (long)b * Groups + 8 * h;
                var r0 = Vector256.Load(mins.Rows + o);
                var r1 = Vector256.Load(mins.Rows + mins.Stride + o);
                var c0 = Vector256.Load(mins.Columns + o);
                f00 = MulSub(c0, r0, f00); f01 = MulSub(c0, r1, f01);
                c0 = Vector256.Load(mins.Columns + mins.Stride + o);
                f10 = MulSub(c0, r0, f10); f11 = MulSub(c0, r1, f11);
                c0 = Vector256.Load(mins.Columns + 2 * mins.Stride + o);
                f20 = MulSub(c0, r0, f20); f21 = MulSub(c0, r1, f21);
                c0 = Vector256.Load(mins.Columns + 3 * mins.Stride + o);
                f30 = MulSub(c0, r0, f30); f31 = MulSub(c0, r1, f31);
            }
        }
        result[0] = Vector256.Sum(f00); result[1] = Vector256.Sum(f01);                  // result[t·4 + r], r < 2
        result[4] = Vector256.Sum(f10); result[5] = Vector256.Sum(f11);
        result[8] = Vector256.Sum(f20); result[9] = Vector256.Sum(f21);
        result[12] = Vector256.Sum(f30); result[13] = Vector256.Sum(f31);
    }

    /// <summary>
    /// 4 tokens × 4 weight rows over all of K. Per block: the <c>vpmaddubsw</c> pair sums of 16 (token, row) pairs summed
    /// in int16 over the block's 4 chunks (Q6_K rows, u ≤ 63: over 2 chunks at a time), then per pair one
    /// <c>vpmaddwd</c> with the row's group scales (the block's integer sum, exact, |·| &lt; 2²⁴ so exact in float32) and
    /// one FMA by d_w·d_x into a float32 accumulator; the 16 accumulators reduced by a horizontal-add tree at the end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro512(sbyte* x, float* xs, byte* w, float* ws, short* sc, int k, int blocks, bool wide, Mins mins, float* result)
    {
        Vector512<float> f00 = default, f01 = default, f02 = default, f03 = default, f10 = default, f11 = default, f12 = default, f13 = default,
                         f20 = default, f21 = default, f22 = default, f23 = default, f30 = default, f31 = default, f32 = default, f33 = default;
        long s1 = (long)blocks * ScaleLanes;
        int span = wide ? 2 : 4;    // chunks summed in int16 before the scales
        float* de = stackalloc float[16];   // d_w·d_x of the block for (token t, row r) at 4t + r
        for (int b = 0; b < blocks; b++)
        {
            var d4 = Vector128.Create(ws[b], ws[blocks + b], ws[2 * blocks + b], ws[3 * blocks + b]);
            var d8 = Vector256.Create(d4, d4);
            var e = Vector512.Create(Vector256.Create(Vector128.Create(xs[b]), Vector128.Create(xs[blocks + b])),
                                     Vector256.Create(Vector128.Create(xs[2 * blocks + b]), Vector128.Create(xs[3 * blocks + b])));
            (Vector512.Create(d8, d8) * e).Store(de);
            for (int c0 = 0; c0 < 4; c0 += span)
            {
                Vector512<short> a00 = default, a01 = default, a02 = default, a03 = default, a10 = default, a11 = default, a12 = default, a13 = default,
                                 a20 = default, a21 = default, a22 = default, a23 = default, a30 = default, a31 = default, a32 = default, a33 = default;
                for (int c = c0; c < c0 + span; c++)
                {
                    int o = b * BlockValues + 64 * c;
                    var x0 = Vector512.Load(x + o);
                    var x1 = Vector512.Load(x + k + o);
                    var x2 = Vector512.Load(x + 2 * k + o);
                    var x3 = Vector512.Load(x + 3 * k + o);
                    var wv = Vector512.Load(w + o);
                    a00 += Avx512BW.MultiplyAddAdjacent(wv, x0); a10 += Avx512BW.MultiplyAddAdjacent(wv, x1);
                    a20 += Avx512BW.MultiplyAddAdjacent(wv, x2); a30 += Avx512BW.MultiplyAddAdjacent(wv, x3);
                    wv = Vector512.Load(w + k + o);
                    a01 += Avx512BW.MultiplyAddAdjacent(wv, x0); a11 += Avx512BW.MultiplyAddAdjacent(wv, x1);
                    a21 += Avx512BW.MultiplyAddAdjacent(wv, x2); a31 += Avx512BW.MultiplyAddAdjacent(wv, x3);
                    wv = Vector512.Load(w + 2 * k + o);
                    a02 += Avx512BW.MultiplyAddAdjacent(wv, x0); a12 += Avx512BW.MultiplyAddAdjacent(wv, x1);
                    a22 += Avx512BW.MultiplyAddAdjacent(wv, x2); a32 += Avx512BW.MultiplyAddAdjacent(wv, x3);
                    wv = Vector512.Load(w + 3 * k + o);
                    a03 += Avx512BW.MultiplyAddAdjacent(wv, x0); a13 += Avx512BW.MultiplyAddAdjacent(wv, x1);
                    a23 += Avx512BW.MultiplyAddAdjacent(wv, x2); a33 += Avx512BW.MultiplyAddAdjacent(wv, x3);
                }
                // row r: its scale lanes v; f_tr += float(Σ_g sc_g · pair sums) · d_r·e_t
                var v = Vector512.Load(sc + (long)b * ScaleLanes);
                f00 = ScaleAdd(a00, v, de[0], f00); f10 = ScaleAdd(a10, v, de[4], f10);
                f20 = ScaleAdd(a20, v, de[8], f20); f30 = ScaleAdd(a30, v, de[12], f30);
                v = Vector512.Load(sc + s1 + (long)b * ScaleLanes);
                f01 = ScaleAdd(a01, v, de[1], f01); f11 = ScaleAdd(a11, v, de[5], f11);
                f21 = ScaleAdd(a21, v, de[9], f21); f31 = ScaleAdd(a31, v, de[13], f31);
                v = Vector512.Load(sc + 2 * s1 + (long)b * ScaleLanes);
                f02 = ScaleAdd(a02, v, de[2], f02); f12 = ScaleAdd(a12, v, de[6], f12);
                f22 = ScaleAdd(a22, v, de[10], f22); f32 = ScaleAdd(a32, v, de[14], f32);
                v = Vector512.Load(sc + 3 * s1 + (long)b * ScaleLanes);
                f03 = ScaleAdd(a03, v, de[3], f03); f13 = ScaleAdd(a13, v, de[7], f13);
                f23 = ScaleAdd(a23, v, de[11], f23); f33 = ScaleAdd(a33, v, de[15], f33);
            }
        }
        Sum4(f00, f01, f02, f03).Store(result);
        Sum4(f10, f11, f12, f13).Store(result + 4);
        Sum4(f20, f21, f22, f23).Store(result + 8);
        Sum4(f30, f31, f32, f33).Store(result + 12);
        MinsTerm512(mins, result);
    }

    /// <summary>
    /// result[t·4 + r] −= the mins term Σ Columns[t, ·]·Rows[r, ·] over the row: 16 float32 sums lane by lane, in a
    /// method of its own so they stay in registers (in the main loop's method they would be spilled).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void MinsTerm512(Mins mins, float* result)
    {
        Vector512<float> f00 = default, f01 = default, f02 = default, f03 = default, f10 = default, f11 = default, f12 = default, f13 = default,
                         f20 = default, f21 = default, f22 = default, f23 = default, f30 = default, f31 = default, f32 = default, f33 = default;
        long st = mins.Stride;
        for (long o = 0; o < st; o += Groups)
        {
            var c0 = Vector512.Load(mins.Columns + o);
            var c1 = Vector512.Load(mins.Columns + st + o);
            var c2 = Vector512.Load(mins.Columns + 2 * st + o);
            var c3 = Vector512.Load(mins.Columns + 3 * st + o);
            var r = Vector512.Load(mins.Rows + o);
            f00 = Avx512F.FusedMultiplyAdd(c0, r, f00); f10 = Avx512F.FusedMultiplyAdd(c1, r, f10);
            f20 = Avx512F.FusedMultiplyAdd(c2, r, f20); f30 = Avx512F.FusedMultiplyAdd(c3, r, f30);
            r = Vector512.Load(mins.Rows + st + o);
            f01 = Avx512F.FusedMultiplyAdd(c0, r, f01); f11 = Avx512F.FusedMultiplyAdd(c1, r, f11);
            f21 = Avx512F.FusedMultiplyAdd(c2, r, f21); f31 = Avx512F.FusedMultiplyAdd(c3, r, f31);
            r = Vector512.Load(mins.Rows + 2 * st + o);
            f02 = Avx512F.FusedMultiplyAdd(c0, r, f02); f12 = Avx512F.FusedMultiplyAdd(c1, r, f12);
            f22 = Avx512F.FusedMultiplyAdd(c2, r, f22); f32 = Avx512F.FusedMultiplyAdd(c3, r, f32);
            r = Vector512.Load(mins.Rows + 3 * st + o);
            f03 = Avx512F.FusedMultiplyAdd(c0, r, f03); f13 = Avx512F.FusedMultiplyAdd(c1, r, f13);
            f23 = Avx512F.FusedMultiplyAdd(c2, r, f23); f33 = Avx512F.FusedMultiplyAdd(c3, r, f33);
        }
        (Vector128.Load(result) - Sum4(f00, f01, f02, f03)).Store(result);
        (Vector128.Load(result + 4) - Sum4(f10, f11, f12, f13)).Store(result + 4);
        (Vector128.Load(result + 8) - Sum4(f20, f21, f22, f23)).Store(result + 8);
        (Vector128.Load(result + 12) - Sum4(f30, f31, f32, f33)).Store(result + 12);
    }

    /// <summary>f + float(vpmaddwd(pair sums, scales)) · de.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ScaleAdd(Vector512<short> pairs, Vector512<short> scales, float de, Vector512<float> f)
        => Avx512F.FusedMultiplyAdd(Vector512.ConvertToSingle(Avx512BW.MultiplyAddAdjacent(pairs, scales)), Vector512.Create(de), f);

    /// <summary>The lane sums of four vectors, [Σa, Σb, Σc, Σd] (halves folded, then a horizontal-add tree).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Sum4(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d)
    {
        var ab = Avx.HorizontalAdd(a.GetLower() + a.GetUpper(), b.GetLower() + b.GetUpper());
        var cd = Avx.HorizontalAdd(c.GetLower() + c.GetUpper(), d.GetLower() + d.GetUpper());
        var abcd = Avx.HorizontalAdd(ab, cd);          // per 128-bit half: partial [Σa, Σb, Σc, Σd]
        return abcd.GetLower() + abcd.GetUpper();
    }
}

/// <summary>
/// A k-quant weight matrix [Rows × K] unpacked for <see cref="KQuantGemm"/>: per value an unsigned byte u (Quants,
/// rows × K, in the kernel's layout <see cref="KQuantGemm.Position"/>), per block of 256 the float d (Scales), per group
/// of 16 the integer scale sc_g (GroupScales, twice) and the
/// float dm·mn_g of the mins term (MinRows, rows × K/16); the value is d·sc_g·u − dm·mn_g. Rows padded to an even
/// count with zeros. Reusable: <see cref="SetRows"/> fills rows from ggml's block bytes of any of the three types.
/// </summary>
public sealed class KQuantMatrix
{
    public int Rows { get; }
    public int K { get; }
    internal readonly byte[] Quants;
    internal readonly float[] Scales;
    internal readonly short[] GroupScales;   // [capacity × blocks × 32]: group g's integer scale in lanes 2g, 2g+1
    internal readonly float[] MinRows;
    internal readonly float[] MinPairRows;   // [capacity × K/32]: dm·mn of each sub-block of 32 (Q4_K/Q5_K rows; 0 for Q6_K)
    internal readonly bool[] Wide;           // per row: quants up to 63 (Q6_K), else up to 31

    public KQuantMatrix(int rows, int k)
    {
        if (k % KQuantGemm.BlockValues != 0) throw new ArgumentException($"K = {k} is not a multiple of {KQuantGemm.BlockValues}");
        Rows = rows; K = k;
        int capacity = (rows + KQuantGemm.RowGroup - 1) / KQuantGemm.RowGroup * KQuantGemm.RowGroup;
        int blocks = k / KQuantGemm.BlockValues;
        Quants = new byte[(long)capacity * k];
        Scales = new float[(long)capacity * blocks];
        GroupScales = new short[(long)capacity * blocks * KQuantGemm.ScaleLanes];
        MinRows = new float[(long)capacity * blocks * KQuantGemm.Groups];
        MinPairRows = new float[(long)capacity * blocks * KQuantGemm.Groups / 2];
        Wide = new bool[capacity];
    }

    /// <summary>Bytes of ggml blocks of <paramref name="type"/> for <paramref name="count"/> rows of K values.</summary>
    public static long BlockBytesOf(KQuantType type, long count, int k) => count * (k / KQuantGemm.BlockValues) * KQuantGemm.BlockBytes(type);

    /// <summary>The value at (row, column) as stored here: d·sc_g·u − dm·mn_g (for tests against ggml's dequantization).</summary>
    public float ValueAt(int row, int col)
    {
        int blocks = K / KQuantGemm.BlockValues, b = col / KQuantGemm.BlockValues, g = col / 16;
        float d = Scales[(long)row * blocks + b];
        int sc = GroupScales[((long)row * blocks + b) * KQuantGemm.ScaleLanes + 2 * (g % KQuantGemm.Groups)];
        int u = Quants[(long)row * K + b * KQuantGemm.BlockValues + KQuantGemm.Position(col % KQuantGemm.BlockValues)];
        return d * sc * u - MinRows[(long)row * (K / 16) + g];
    }

    /// <summary>Rows [first, first + count) from ggml blocks of <paramref name="type"/> (count × K/256 blocks, row after row).</summary>
    public void SetRows(KQuantType type, int first, int count, ReadOnlySpan<byte> blocks)
    {
        int perRow = K / KQuantGemm.BlockValues, bb = KQuantGemm.BlockBytes(type);
        if (first < 0 || count < 0 || first + count > Rows) throw new ArgumentOutOfRangeException(nameof(first));
        if (blocks.Length != BlockBytesOf(type, count, K)) throw new ArgumentException($"{blocks.Length} bytes for {count} rows of {K} {type} values");
        unsafe
        {
            fixed (byte* src = blocks)
            {
                nint s = (nint)src;
                KernelLoop.For(count, Gemm.MaxThreads, r =>
                {
                    long row = first + r;
                    Span<short> sc = stackalloc short[KQuantGemm.Groups];
                    Wide[row] = type == KQuantType.Q6_K;
                    for (int b = 0; b < perRow; b++)
                    {
                        var blk = new ReadOnlySpan<byte>((byte*)s + ((long)r * perRow + b) * bb, bb);
                        var u = Quants.AsSpan((int)(row * K + (long)b * KQuantGemm.BlockValues), KQuantGemm.BlockValues);
                        var lanes = GroupScales.AsSpan((int)((row * perRow + b) * KQuantGemm.ScaleLanes), KQuantGemm.ScaleLanes);
                        var mn = MinRows.AsSpan((int)((row * perRow + b) * KQuantGemm.Groups), KQuantGemm.Groups);
                        Scales[row * perRow + b] = Unpack(type, blk, u, sc, mn);
                        for (int g = 0; g < KQuantGemm.Groups; g++) lanes[2 * g] = lanes[2 * g + 1] = sc[g];
                        for (int p = 0; p < KQuantGemm.Groups / 2; p++)
                            MinPairRows[(row * perRow + b) * (KQuantGemm.Groups / 2) + p] = type == KQuantType.Q6_K ? 0f : mn[2 * p];
                    }
                });
            }
        }
    }

    /// <summary>
    /// One ggml block into u (256 bytes, in the kernel's layout <see cref="KQuantGemm.Position"/>), sc (16) and dm·mn (16);
    /// returns d. The quants of each sub-block of 32 values are made as one 32-byte vector (the bit formulas of
    /// <c>dequantize_row_q4_K</c>/<c>_q5_K</c>/<c>_q6_K</c>) and placed by <see cref="Place"/>.
    /// </summary>
    internal static float Unpack(KQuantType type, ReadOnlySpan<byte> blk, Span<byte> u, Span<short> sc, Span<float> mins)
    {
        ref byte b0 = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(blk);
        var low4 = Vector256.Create((byte)0x0F);
        switch (type)
        {
            case KQuantType.Q4_K:
            case KQuantType.Q5_K:
            {
                if (blk.Length < KQuantGemm.BlockBytes(type)) throw new ArgumentException("block too short");
                float d = (float)BinaryPrimitives.ReadHalfLittleEndian(blk);
                float dmin = (float)BinaryPrimitives.ReadHalfLittleEndian(blk[2..]);
                var scales = blk.Slice(4, 12);
                bool five = type == KQuantType.Q5_K;
                var qh = five ? Vector256.LoadUnsafe(ref b0, 16) : default;
                nuint qs = five ? 48u : 16u;
                for (int sub = 0; sub < 8; sub++)
                {
                    // get_scale_min_k4
                    int s, m;
                    if (sub < 4) { s = scales[sub] & 63; m = scales[sub + 4] & 63; }
                    else
                    {
                        s = (scales[sub + 4] & 0xF) | ((scales[sub - 4] >> 6) << 4);
                        m = (scales[sub + 4] >> 4) | ((scales[sub] >> 6) << 4);
                    }
                    sc[2 * sub] = sc[2 * sub + 1] = (short)s;
                    mins[2 * sub] = mins[2 * sub + 1] = dmin * m;
                    // sub-block 2j: low nibbles of qs[32j …], 2j+1: high nibbles; Q5_K's 5th bit is bit sub of qh[l]
                    var q = Vector256.LoadUnsafe(ref b0, qs + (nuint)(32 * (sub / 2)));
                    var v = Vector256.ShiftRightLogical(q, (sub & 1) * 4) & low4;
                    if (five) v |= Vector256.ShiftLeft(Vector256.ShiftRightLogical(qh, sub) & Vector256<byte>.One, 4);
                    Place(v, sub, u);
                }
                return d;
            }
            default:
            {
                if (blk.Length < KQuantGemm.BlockBytes(type)) throw new ArgumentException("block too short");
                var scales = blk.Slice(192, 16);
                float d = (float)BinaryPrimitives.ReadHalfLittleEndian(blk[208..]);
                for (int g = 0; g < 16; g++)
                {
                    sc[g] = (sbyte)scales[g];
                    mins[g] = d * (32 * (sbyte)scales[g]);
                }
                var three = Vector256.Create((byte)3);
                for (int n = 0; n < 2; n++)
                {
                    // ql[64n …] low/high nibbles and qh[32n …] 2-bit pairs: sub-block 4n + j, j = 0 … 3
                    var l0 = Vector256.LoadUnsafe(ref b0, (nuint)(64 * n));
                    var l1 = Vector256.LoadUnsafe(ref b0, (nuint)(64 * n + 32));
                    var h = Vector256.LoadUnsafe(ref b0, (nuint)(128 + 32 * n));
                    Place((l0 & low4) | Vector256.ShiftLeft(h & three, 4), 4 * n, u);
                    Place((l1 & low4) | Vector256.ShiftLeft(Vector256.ShiftRightLogical(h, 2) & three, 4), 4 * n + 1, u);
                    Place(Vector256.ShiftRightLogical(l0, 4) | Vector256.ShiftLeft(Vector256.ShiftRightLogical(h, 4) & three, 4), 4 * n + 2, u);
                    Place(Vector256.ShiftRightLogical(l1, 4) | Vector256.ShiftLeft(Vector256.ShiftRightLogical(h, 6), 4), 4 * n + 3, u);
                }
                return d;
            }
        }
    }

    /// <summary>
    /// Values 32j … 32j+31 of a block (groups 2j and 2j+1, as 4-byte words w = 4·(g − 2j) + c) into the kernel's layout:
    /// word c of group g goes to word 16c + g, so the two groups' words c sit side by side at byte 64c + 8j.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Place(Vector256<byte> values, int j, Span<byte> block)
    {
        if (block.Length < KQuantGemm.BlockValues) throw new ArgumentException("block too short");
        var pairs = Vector256.Shuffle(values.AsUInt32(), Vector256.Create(0u, 4, 1, 5, 2, 6, 3, 7)).AsUInt64();
        ref byte dst = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(block);
        for (int c = 0; c < 4; c++)
            System.Runtime.CompilerServices.Unsafe.WriteUnaligned(ref System.Runtime.CompilerServices.Unsafe.Add(ref dst, 64 * c + 8 * j), pairs.GetElement(c));
    }
}

/// <summary>
/// Activations [Rows × K] quantised to Q8_K (ggml's quantize_row_q8_K) for <see cref="KQuantGemm"/>: Quants
/// [capacity × K] in the kernel's layout (<see cref="KQuantGemm.Position"/>) with rows padded to a multiple of 4 (zeros), Scales d_x [capacity × K/256], and MinColumns
/// d_x·bsum_g [Rows × K/16] for the mins term (and MinPairColumns d_x·(bsum_2s + bsum_2s+1) [Rows × K/32]).
/// </summary>
public sealed class Q8KActivations
{
    public int Rows { get; private set; }
    public int K { get; private set; }
    internal sbyte[] Quants = [];
    internal float[] Scales = [];
    internal float[] MinColumns = [];
    internal float[] MinPairColumns = [];   // [capacity × K/32]: d_x·(bsum_2s + bsum_2s+1)

    /// <summary>Quantises x [rows × k] (row stride k), reusing the buffers when they are large enough.</summary>
    public void Quantize(ReadOnlySpan<float> x, int rows, int k)
    {
        if (k % KQuantGemm.BlockValues != 0) throw new ArgumentException($"K = {k} is not a multiple of {KQuantGemm.BlockValues}");
        if (x.Length < (long)rows * k) throw new ArgumentException("x is too short");
        Rows = rows; K = k;
        int capacity = (rows + KQuantGemm.TokenGroup - 1) / KQuantGemm.TokenGroup * KQuantGemm.TokenGroup;
        int blocks = k / KQuantGemm.BlockValues, groups = k / 16;
        if (Quants.Length < (long)capacity * k) Quants = new sbyte[(long)capacity * k];
        if (Scales.Length < (long)capacity * blocks) Scales = new float[(long)capacity * blocks];
        if (MinColumns.Length < (long)capacity * groups) MinColumns = new float[(long)capacity * groups];
        if (MinPairColumns.Length < (long)capacity * groups / 2) MinPairColumns = new float[(long)capacity * groups / 2];
        Quants.AsSpan((int)((long)rows * k), (capacity - rows) * k).Clear();
        Scales.AsSpan(rows * blocks, (capacity - rows) * blocks).Clear();
        unsafe
        {
            fixed (float* px = x)
            {
                nint xa = (nint)px;
                KernelLoop.For((rows + 15) / 16, Gemm.MaxThreads, grp =>
                {
                    Span<short> bsums = stackalloc short[KQuantGemm.Groups];
                    Span<sbyte> natural = stackalloc sbyte[KQuantGemm.BlockValues];
                    for (int n = grp * 16; n < Math.Min(rows, grp * 16 + 16); n++)
                        for (int b = 0; b < blocks; b++)
                        {
                            var src = new ReadOnlySpan<float>((float*)xa + (long)n * k + b * KQuantGemm.BlockValues, KQuantGemm.BlockValues);
                            float d = KQuantGemm.QuantizeBlock(src, natural, bsums);
                            var q = Quants.AsSpan((int)((long)n * k + b * KQuantGemm.BlockValues), KQuantGemm.BlockValues);
                            KQuantGemm.ToLayout(System.Runtime.InteropServices.MemoryMarshal.AsBytes(natural), System.Runtime.InteropServices.MemoryMarshal.AsBytes(q));
                            Scales[n * blocks + b] = d;
                            for (int g = 0; g < KQuantGemm.Groups; g++) MinColumns[(long)n * groups + b * KQuantGemm.Groups + g] = d * bsums[g];
                            for (int p = 0; p < KQuantGemm.Groups / 2; p++)
                                MinPairColumns[(long)n * groups / 2 + b * KQuantGemm.Groups / 2 + p] = d * (bsums[2 * p] + bsums[2 * p + 1]);
                        }
                });
            }
        }
    }
}
