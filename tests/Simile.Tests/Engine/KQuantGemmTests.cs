using System.Runtime.Intrinsics.X86;
using Simile.Engine;
using Simile.Models.Gguf;
using Simile.Tests.Models.Gguf;
using Xunit;

namespace Simile.Tests.Engine;

/// <summary>
/// The k-quant integer product (<see cref="KQuantGemm"/>) against a naive loop written here from ggml's definitions:
/// activations quantised to Q8_K as quantize_row_q8_K_ref (max by |x| with its sign, iscale = −127/max, round half to
/// even, clamp at 127, d = 1/iscale), each weight value read from the block bytes by the test's per-element reader of
/// the layout (<see cref="GgufDequantizeTests.Naive"/>), and Σ_blocks d_x · Σ w·q_x summed in float64. Every kernel, random
/// blocks of Q4_K, Q5_K and Q6_K (random bytes, finite half scales), odd row and token counts, 1 and 2 threads.
/// </summary>
[Collection("KQuantGemm kernel selection")]
public class KQuantGemmTests
{
    public static TheoryData<KQuantGemm.Kernel, KQuantType> Cases()
    {
        var d = new TheoryData<KQuantGemm.Kernel, KQuantType>();
        var kernels = new List<KQuantGemm.Kernel> { KQuantGemm.Kernel.Scalar };
        if (Avx2.IsSupported) kernels.Add(KQuantGemm.Kernel.Vector256);
        if (Avx512BW.IsSupported) kernels.Add(KQuantGemm.Kernel.Vector512);
        foreach (var k in kernels)
            foreach (var t in new[] { KQuantType.Q4_K, KQuantType.Q5_K, KQuantType.Q6_K })
                d.Add(k, t);
        return d;
    }

    private static GgmlType Ggml(KQuantType t) => t switch
    {
        KQuantType.Q4_K => GgmlType.Q4_K, KQuantType.Q5_K => GgmlType.Q5_K, _ => GgmlType.Q6_K,
    };

    // ---- naive reference, written from ggml's definitions

    private static (float D, sbyte[] Q) NaiveQ8K(ReadOnlySpan<float> x)
    {
        float max = 0, amax = 0;
        for (int j = 0; j < 256; j++)
            if (Math.Abs(x[j]) > amax) { amax = Math.Abs(x[j]); max = x[j]; }
        var q = new sbyte[256];
        if (amax == 0) return (0f, q);
        float iscale = -127f / max;
        for (int j = 0; j < 256; j++) q[j] = (sbyte)Math.Min(127, (int)MathF.Round(iscale * x[j], MidpointRounding.ToEven));
        return (1f / iscale, q);
    }

    /// <summary>y[n, m] = Σ_b d_x · Σ_e w_e · q_e in float64; also Σ |terms| (the scale of float32 rounding).</summary>
    private static (double[] Y, double[] Magnitude) Naive(KQuantType type, float[] x, int n, byte[] blocks, int m, int k)
    {
        var g = Ggml(type);
        int bb = KQuantGemm.BlockBytes(type), nb = k / 256;
        var w = new double[m * k];
        for (int r = 0; r < m; r++)
            for (int b = 0; b < nb; b++)
            {
                var block = blocks.AsSpan((r * nb + b) * bb, bb).ToArray();
                for (int e = 0; e < 256; e++) w[r * k + b * 256 + e] = GgufDequantizeTests.Naive(g, block, e);
            }
        var y = new double[n * m];
        var mag = new double[n * m];
        for (int t = 0; t < n; t++)
            for (int b = 0; b < nb; b++)
            {
                var (dx, qx) = NaiveQ8K(x.AsSpan(t * k + b * 256, 256));
                for (int r = 0; r < m; r++)
                {
                    double s = 0, a = 0;
                    for (int e = 0; e < 256; e++) { double p = w[r * k + b * 256 + e] * qx[e]; s += p; a += Math.Abs(p); }
                    y[t * m + r] += dx * s;
                    mag[t * m + r] += Math.Abs(dx) * a;
                }
            }
        return (y, mag);
    }

    private static byte[] Blocks(KQuantType type, Random rng, int rows, int k)
    {
        var bytes = GgufDequantizeTests.RandomBlocks(Ggml(type), rows * (k / 256), rng);
        return bytes;
    }

    private static float[] Run(KQuantGemm.Kernel kernel, KQuantType type, float[] x, int n, byte[] blocks, int m, int k, int threads)
    {
        var w = new KQuantMatrix(m, k);
        w.SetRows(type, 0, m, blocks);
        var a = new Q8KActivations();
        a.Quantize(x, n, k);
        var y = Enumerable.Repeat(float.NaN, n * (m + 3)).ToArray();
        var (savedKernel, savedThreads) = (KQuantGemm.Selected, Gemm.MaxThreads);
        try
        {
            KQuantGemm.Selected = kernel;
            Gemm.MaxThreads = threads;
            KQuantGemm.Multiply(a, w, y, m + 3);       // ldc > m: the 3 extra columns must stay untouched
        }
        finally { (KQuantGemm.Selected, Gemm.MaxThreads) = (savedKernel, savedThreads); }
        for (int t = 0; t < n; t++)
            for (int c = m; c < m + 3; c++) Assert.True(float.IsNaN(y[t * (m + 3) + c]));
        return Enumerable.Range(0, n).SelectMany(t => y.Skip(t * (m + 3)).Take(m)).ToArray();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Equals_the_naive_block_formulas(KQuantGemm.Kernel kernel, KQuantType type)
    {
        var rng = new Random(17 + (int)type);
        int n = 7, m = 11, k = 768;
        var x = Enumerable.Range(0, n * k).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        x.AsSpan(2 * k + 256, 256).Clear();     // an all-zero activation block: d_x = 0
        var blocks = Blocks(type, rng, m, k);
        var (want, mag) = Naive(type, x, n, blocks, m, k);
        foreach (int threads in new[] { 1, 2 })
        {
            var got = Run(kernel, type, x, n, blocks, m, k, threads);
            for (int i = 0; i < want.Length; i++)
                Assert.True(Math.Abs(got[i] - want[i]) <= 2e-6 * mag[i] + 1e-30,
                    $"{type} {kernel} threads {threads} [{i / m},{i % m}]: {got[i]} vs {want[i]} (magnitude {mag[i]:E3})");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Kernels_agree_with_the_scalar_kernel(KQuantGemm.Kernel kernel, KQuantType type)
    {
        var rng = new Random(99);
        int n = 9, m = 6, k = 512;
        var x = Enumerable.Range(0, n * k).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var blocks = Blocks(type, rng, m, k);
        var scalar = Run(KQuantGemm.Kernel.Scalar, type, x, n, blocks, m, k, 1);
        var got = Run(kernel, type, x, n, blocks, m, k, 2);
        var (_, mag) = Naive(type, x, n, blocks, m, k);
        for (int i = 0; i < got.Length; i++) Assert.True(Math.Abs(got[i] - scalar[i]) <= 2e-6 * mag[i] + 1e-30);
    }

    [Fact]
    public void Q8K_quantisation_follows_ggml()
    {
        var rng = new Random(4);
        var x = Enumerable.Range(0, 256).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        x[77] = -1.5f;                       // the largest |x|: iscale = −127/max maps it to −127 (whatever its sign)
        x[3] = 0.5f * 1.5f / 127f;           // lands on a half step: rounds to even
        var q = new sbyte[256];
        var bsums = new short[16];
        float d = KQuantGemm.QuantizeBlock(x, q, bsums);
        var (wantD, wantQ) = NaiveQ8K(x);
        Assert.Equal(wantD, d);
        Assert.Equal(wantQ, q);
        Assert.Equal(-127, q[77]);
        for (int g = 0; g < 16; g++) Assert.Equal(wantQ.Skip(16 * g).Take(16).Sum(v => (int)v), bsums[g]);
        Assert.Equal(0f, KQuantGemm.QuantizeBlock(new float[256], q, bsums));
        Assert.All(q, v => Assert.Equal(0, v));
    }

    /// <summary>The unpacked form holds ggml's values: bit for bit for Q4_K/Q5_K (same two roundings), Q6_K (d·sc·u − d·32·sc against d·sc·(u − 32)) to float32 rounding of the block's largest value.</summary>
    [Theory]
    [InlineData(KQuantType.Q4_K)]
    [InlineData(KQuantType.Q5_K)]
    [InlineData(KQuantType.Q6_K)]
    public void Unpacked_weights_are_ggmls_dequantized_values(KQuantType type)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(
            Path.Combine(TestPaths.Reference, "gguf-dequant", "ggml-dequant-reference.json")));
        var entry = doc.RootElement.GetProperty("types").GetProperty(type.ToString());
        var input = Convert.FromBase64String(entry.GetProperty("input").GetString()!);
        var want = Convert.FromBase64String(entry.GetProperty("values").GetString()!);
        int blocks = input.Length / KQuantGemm.BlockBytes(type);
        var w = new KQuantMatrix(blocks, 256);
        w.SetRows(type, 0, blocks, input);
        for (int b = 0; b < blocks; b++)
        {
            float blockMax = 0;
            for (int e = 0; e < 256; e++) blockMax = Math.Max(blockMax, Math.Abs(BitConverter.ToSingle(want, 4 * (b * 256 + e))));
            for (int e = 0; e < 256; e++)
            {
                float expected = BitConverter.ToSingle(want, 4 * (b * 256 + e)), got = w.ValueAt(b, e);
                if (type == KQuantType.Q6_K) Assert.True(Math.Abs(got - expected) <= 4e-7 * blockMax, $"block {b} value {e}: {got} vs {expected}");
                else Assert.Equal(expected, got);
            }
        }
    }
}

[CollectionDefinition("KQuantGemm kernel selection", DisableParallelization = true)]
public class KQuantGemmKernelSelection;
