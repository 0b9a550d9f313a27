using System.Runtime.Intrinsics.X86;
using Simile.Engine;
using Simile.Models.Gguf;
using Simile.Tests.Models;
using Simile.Tests.Models.Gguf;
using Xunit;

namespace Simile.Tests.Engine;

/// <summary>
/// The int8 Q8_0 product against a naive loop written here from ggml's definition of ggml_vec_dot_q8_0_q8_0 (activations
/// quantised by x86 quantize_row_q8_0: d = fp16(amax/127), q = round-half-even(x·127/amax); per block the int32 dot of
/// the quants times d_w·d_x, summed in float), for every kernel this CPU runs; and the forward pass on a tiny Q8_0
/// Llama file with the int8 path against the float32 path.
/// </summary>
[Collection("Q8Gemm kernel selection")]
public class Q8GemmTests
{
    public static TheoryData<Q8Gemm.Kernel> Kernels()
    {
        var d = new TheoryData<Q8Gemm.Kernel> { Q8Gemm.Kernel.Scalar };
        if (Avx2.IsSupported) d.Add(Q8Gemm.Kernel.Vector256);
        if (Avx512BW.IsSupported) d.Add(Q8Gemm.Kernel.Vector512);
        return d;
    }

    // ---- naive reference, written from ggml's definitions

    private static (float D, sbyte[] Q) NaiveQuantize(ReadOnlySpan<float> x)
    {
        float amax = 0;
        foreach (float v in x) amax = Math.Max(amax, Math.Abs(v));
        float id = amax == 0 ? 0 : 127f / amax;
        var q = new sbyte[32];
        for (int i = 0; i < 32; i++) q[i] = (sbyte)Math.Round(x[i] * id, MidpointRounding.ToEven);
        return ((float)(Half)(amax / 127f), q);
    }

    /// <summary>y[n, m] = Σ_b (d_w·d_x) · Σ q_w·q_x; also returns Σ_b |d_w·d_x · Σ q_w·q_x| (the scale of rounding).</summary>
    private static (float[] Y, double[] Magnitude) Naive(float[] x, int n, byte[] wBlocks, int m, int k)
    {
        var y = new float[n * m];
        var mag = new double[n * m];
        int nb = k / 32;
        for (int r = 0; r < n; r++)
            for (int c = 0; c < m; c++)
            {
                float sum = 0;
                double abs = 0;
                for (int b = 0; b < nb; b++)
                {
                    var (dx, qx) = NaiveQuantize(x.AsSpan(r * k + b * 32, 32));
                    int at = (c * nb + b) * 34;
                    float dw = (float)BitConverter.UInt16BitsToHalf(BitConverter.ToUInt16(wBlocks, at));
                    int isum = 0;
                    for (int i = 0; i < 32; i++) isum += (sbyte)wBlocks[at + 2 + i] * qx[i];
                    sum += isum * (dw * dx);
                    abs += Math.Abs((double)isum * dw * dx);
                }
                y[r * m + c] = sum;
                mag[r * m + c] = abs;
            }
        return (y, mag);
    }

    /// <summary>Random Q8_0 blocks: quants over the whole int8 range (−128 included), fp16 scales in [−0.02, 0.02].</summary>
    private static byte[] RandomBlocks(Random rng, int rows, int k)
    {
        var b = new byte[rows * (k / 32) * 34];
        for (int blk = 0; blk < b.Length / 34; blk++)
        {
            BitConverter.TryWriteBytes(b.AsSpan(blk * 34), BitConverter.HalfToUInt16Bits((Half)(rng.NextDouble() * 0.04 - 0.02)));
            for (int i = 0; i < 32; i++) b[blk * 34 + 2 + i] = (byte)rng.Next(256);
        }
        return b;
    }

    private static float[] Run(Q8Gemm.Kernel kernel, float[] x, int n, byte[] blocks, int m, int k, int threads = 2)
    {
        var w = new Q8Matrix(m, k);
        w.SetRows(0, m, blocks);
        var a = new Q8Activations();
        a.Quantize(x, n, k);
        var y = new float[n * (m + 3)];
        Array.Fill(y, float.NaN);
        var (savedKernel, savedThreads) = (Q8Gemm.Selected, Gemm.MaxThreads);
        try
        {
            Q8Gemm.Selected = kernel;
            Gemm.MaxThreads = threads;
            Q8Gemm.Multiply(a, w, y, m + 3);       // ldc > m: the 3 extra columns must stay untouched
        }
        finally { (Q8Gemm.Selected, Gemm.MaxThreads) = (savedKernel, savedThreads); }
        for (int r = 0; r < n; r++)
            for (int c = m; c < m + 3; c++) Assert.True(float.IsNaN(y[r * (m + 3) + c]), "wrote outside C");
        return Enumerable.Range(0, n * m).Select(i => y[i / m * (m + 3) + i % m]).ToArray();
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Equals_ggmls_q8_0_dot_to_float_rounding(Q8Gemm.Kernel kernel)
    {
        var rng = new Random(7);
        foreach (var (n, m, k, threads) in new[] { (7, 5, 1184, 1), (1, 1, 32, 1), (33, 70, 2048, 2), (9, 3, 544, 2) })
        {
            var x = Enumerable.Range(0, n * k).Select(_ => (float)(rng.NextDouble() * 4 - 2) * (rng.Next(10) == 0 ? 50 : 1)).ToArray();
            for (int i = 0; i < 32; i++) x[i] = 0;                         // an all-zero block: d = 0, quants 0
            var blocks = RandomBlocks(rng, m, k);
            var (want, mag) = Naive(x, n, blocks, m, k);
            var got = Run(kernel, x, n, blocks, m, k, threads);
            for (int i = 0; i < want.Length; i++)
                Assert.True(Math.Abs(got[i] - want[i]) <= 1e-6 * mag[i] + 1e-30,
                    $"{kernel} {n}x{m}x{k} [{i / m},{i % m}]: {got[i]} vs {want[i]} (Σ|terms| {mag[i]})");
        }
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Integer_dots_are_exact(Q8Gemm.Kernel kernel)
    {
        // Scales 1 on both sides (weights d = 1; every activation block holds ±127, so amax = 127 and d = 1, id = 1):
        // every output is an integer below 2^24, which float32 represents exactly whatever the summation order.
        var rng = new Random(11);
        int n = 6, m = 9, k = 544;
        var x = new float[n * k];
        for (int i = 0; i < x.Length; i++) x[i] = rng.Next(-127, 128);
        for (int i = 0; i < x.Length; i += 32) x[i + rng.Next(32)] = rng.Next(2) == 0 ? 127 : -127;
        var blocks = RandomBlocks(rng, m, k);
        for (int b = 0; b < blocks.Length; b += 34) BitConverter.TryWriteBytes(blocks.AsSpan(b), BitConverter.HalfToUInt16Bits((Half)1));
        var got = Run(kernel, x, n, blocks, m, k);
        for (int r = 0; r < n; r++)
            for (int c = 0; c < m; c++)
            {
                long exact = 0;
                for (int i = 0; i < k; i++) exact += (long)x[r * k + i] * (sbyte)blocks[(c * (k / 32) + i / 32) * 34 + 2 + i % 32];
                Assert.Equal(exact, (long)got[r * m + c]);
                Assert.Equal((float)exact, got[r * m + c]);
            }
    }

    [Fact]
    public void Activation_blocks_are_quantised_as_ggml_x86_does()
    {
        var x = new float[32];
        for (int i = 0; i < 32; i++) x[i] = i - 15.5f;             // amax 15.5 → id = 127/15.5
        x[0] = 127; x[1] = 2.5f; x[2] = -3.5f; x[3] = 0.5f;        // amax 127 → id 1: ties 2.5 → 2, −3.5 → −4, 0.5 → 0
        var q = new sbyte[32];
        float d = Q8Gemm.QuantizeBlock(x, q);
        Assert.Equal(1f, d);
        Assert.Equal(new sbyte[] { 127, 2, -4, 0 }, q[..4]);
        var (dn, qn) = NaiveQuantize(x);
        Assert.Equal(dn, d);
        Assert.Equal(qn, q);
        Assert.Equal(0f, Q8Gemm.QuantizeBlock(new float[32], q));
        Assert.All(q, v => Assert.Equal(0, v));
    }

    // ---- the forward pass on a tiny Q8_0 Llama file

    private const int D = 64, H = 4, KV = 2, Hd = 16, I = 128, V = 12, L = 2;

    private static (string Path, Dictionary<string, (float[] Values, GgmlType Type)> Projections) WriteQ8Llama(TempFolder tmp)
        => QuantizedLlamaGguf.Write(tmp, "q8.gguf", new(D, H, KV, Hd, I, V, L), (_, _) => GgmlType.Q8_0, (_, values) => RefQuant.Q8_0(values));

    [Fact]
    public void Gguf_hands_out_q8_0_blocks_in_hf_row_order()
    {
        using var tmp = new TempFolder();
        var (path, projections) = WriteQ8Llama(tmp);
        using var w = GgufDecoderWeights.Open(path);
        foreach (var (name, (values, _)) in projections)
        {
            var blocks = new byte[values.Length / 32 * 34];
            Assert.True(w.TryReadQ8_0(name, blocks));
            Assert.Equal(RefQuant.Q8_0(values), blocks);        // quantising HF rows = the file's rows un-permuted
        }
        Assert.False(w.TryReadQ8_0("model.layers.0.input_layernorm.weight", new byte[D * 4]));
    }

    [Fact]
    public void Forward_pass_with_int8_projections_stays_close_to_the_float32_pass()
    {
        using var tmp = new TempFolder();
        var (path, _) = WriteQ8Llama(tmp);
        using var w = GgufDecoderWeights.Open(path);
        var exact = new LlamaModel(w) { IntegerProducts = false };
        var int8 = new LlamaModel(w) { IntegerProducts = true };
        Assert.False(exact.UsesInt8);
        Assert.True(int8.UsesInt8);
        // int8 activations carry a relative rounding error ≤ 1/254 per value; through 2 layers the hidden
        // states stay within 2 % of their largest value (a wrong row order or block would be off by O(1)).
        QuantizedPassChecks.AssertCloseButNotEqual(exact, int8, V, 0.02, "int8");
    }
}

[CollectionDefinition("Q8Gemm kernel selection", DisableParallelization = true)]
public class Q8GemmKernelSelection;
