using System.Runtime.Intrinsics.X86;
using Simile.Engine;
using Simile.Models.Gguf;
using Simile.Tests.Models;
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
        // K = 768: the mins term per group; K = 1024 (whole vectors of group pairs): per pair of groups on Q4_K/Q5_K rows
        foreach (int k in new[] { 768, 1024 })
        foreach (int threads in new[] { 1, 2 })
        {
            int n = 7, m = 11;
            var x = Enumerable.Range(0, n * k).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            x.AsSpan(2 * k + 256, 256).Clear();     // an all-zero activation block: d_x = 0
            var blocks = Blocks(type, rng, m, k);
            var (want, mag) = Naive(type, x, n, blocks, m, k);
            var got = Run(kernel, type, x, n, blocks, m, k, threads);
            for (int i = 0; i < want.Length; i++)
                Assert.True(Math.Abs(got[i] - want[i]) <= 2e-6 * mag[i] + 1e-30,
                    $"{type} {kernel} K {k} threads {threads} [{i / m},{i % m}]: {got[i]} vs {want[i]} (magnitude {mag[i]:E3})");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Kernels_agree_with_the_scalar_kernel(KQuantGemm.Kernel kernel, KQuantType type)
    {
        var rng = new Random(99);
        // one token and one row (a micro-kernel call of padding), one block, and whole vectors of group pairs
        foreach (var (n, m, k) in new[] { (9, 6, 512), (1, 1, 256), (2, 3, 1024), (5, 4, 512) })
        {
            var x = Enumerable.Range(0, n * k).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            var blocks = Blocks(type, rng, m, k);
            var scalar = Run(KQuantGemm.Kernel.Scalar, type, x, n, blocks, m, k, 1);
            var got = Run(kernel, type, x, n, blocks, m, k, 2);
            var (want, mag) = Naive(type, x, n, blocks, m, k);
            for (int i = 0; i < got.Length; i++)
            {
                Assert.True(Math.Abs(got[i] - scalar[i]) <= 2e-6 * mag[i] + 1e-30, $"{n}×{m}×{k} [{i}]: {got[i]} vs scalar {scalar[i]}");
                Assert.True(Math.Abs(got[i] - want[i]) <= 2e-6 * mag[i] + 1e-30, $"{n}×{m}×{k} [{i}]: {got[i]} vs naive {want[i]}");
            }
        }
    }

    /// <summary>
    /// A matrix whose rows mix Q4_K and Q6_K (as a Q4_K_M file's fused q|k|v does), the boundary inside a row group of the
    /// micro-kernel, so Q4_K rows also run through the narrower int16 span of Q6_K rows: each row equals the naive formulas
    /// of its own type.
    /// </summary>
    [Theory]
    [MemberData(nameof(KernelCases))]
    public void Mixed_types_in_one_matrix_equal_the_naive_formulas(KQuantGemm.Kernel kernel)
    {
        var rng = new Random(5);
        int n = 5, k = 512, m4 = 6, m6 = 5, m = m4 + m6;
        var x = Enumerable.Range(0, n * k).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        x.AsSpan(0, k).Fill(0.75f);             // every quant −127: int16 pair sums near their limit on Q6_K rows
        var b4 = Blocks(KQuantType.Q4_K, rng, m4, k);
        var b6 = Blocks(KQuantType.Q6_K, rng, m6, k);
        var w = new KQuantMatrix(m, k);
        w.SetRows(KQuantType.Q4_K, 0, m4, b4);
        w.SetRows(KQuantType.Q6_K, m4, m6, b6);
        var a = new Q8KActivations();
        a.Quantize(x, n, k);
        var y = new float[n * m];
        var (savedKernel, savedThreads) = (KQuantGemm.Selected, Gemm.MaxThreads);
        try
        {
            KQuantGemm.Selected = kernel;
            Gemm.MaxThreads = 2;
            KQuantGemm.Multiply(a, w, y, m);
        }
        finally { (KQuantGemm.Selected, Gemm.MaxThreads) = (savedKernel, savedThreads); }
        var (want4, mag4) = Naive(KQuantType.Q4_K, x, n, b4, m4, k);
        var (want6, mag6) = Naive(KQuantType.Q6_K, x, n, b6, m6, k);
        for (int t = 0; t < n; t++)
            for (int r = 0; r < m; r++)
            {
                double want = r < m4 ? want4[t * m4 + r] : want6[t * m6 + r - m4];
                double mag = r < m4 ? mag4[t * m4 + r] : mag6[t * m6 + r - m4];
                Assert.True(Math.Abs(y[t * m + r] - want) <= 2e-6 * mag + 1e-30, $"{kernel} [{t},{r}]: {y[t * m + r]} vs {want}");
            }
    }

    public static TheoryData<KQuantGemm.Kernel> KernelCases()
    {
        var d = new TheoryData<KQuantGemm.Kernel> { KQuantGemm.Kernel.Scalar };
        if (Avx2.IsSupported) d.Add(KQuantGemm.Kernel.Vector256);
        if (Avx512BW.IsSupported) d.Add(KQuantGemm.Kernel.Vector512);
        return d;
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
        for (int trial = 0; trial < 50; trial++)      // random scales, ties of |x| with both signs, values on half steps
        {
            double scale = Math.Pow(10, rng.Next(-6, 4));
            var y = Enumerable.Range(0, 256).Select(_ => (float)((rng.NextDouble() * 2 - 1) * scale)).ToArray();
            if (trial % 3 == 0) { y[10] = -y[200]; }
            var (dy, qy) = NaiveQ8K(y);
            Assert.Equal(dy, KQuantGemm.QuantizeBlock(y, q, bsums));
            Assert.Equal(qy, q);
        }
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

    /// <summary>
    /// Blocks written by ggml itself (<c>quantize_row_q4_K_ref</c> etc. on a 4 × 256 matrix, tests/reference/gguf-dequant)
    /// times activations, every kernel: equal to a float64 product of ggml's own dequantized values with the Q8_K
    /// activations, to 2e-6 of the sum of |terms|.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Products_of_blocks_ggml_quantized_equal_its_dequantized_values(KQuantGemm.Kernel kernel, KQuantType type)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(
            Path.Combine(TestPaths.Reference, "gguf-dequant", "ggml-quantized-reference.json")));
        var entry = doc.RootElement.GetProperty("types").GetProperty(type.ToString());
        var blocks = Convert.FromBase64String(entry.GetProperty("blocks").GetString()!);
        var bytes = Convert.FromBase64String(entry.GetProperty("values").GetString()!);
        const int m = 4, k = 256, n = 6;
        var dequantized = new float[m * k];
        Buffer.BlockCopy(bytes, 0, dequantized, 0, bytes.Length);
        var rng = new Random(8);
        var x = Enumerable.Range(0, n * k).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var got = Run(kernel, type, x, n, blocks, m, k, 2);
        for (int t = 0; t < n; t++)
        {
            var (dx, qx) = NaiveQ8K(x.AsSpan(t * k, k));
            for (int r = 0; r < m; r++)
            {
                double want = 0, magnitude = 0;
                for (int e = 0; e < k; e++) { double p = (double)dequantized[r * k + e] * qx[e]; want += p; magnitude += Math.Abs(p); }
                want *= dx; magnitude *= Math.Abs(dx);
                Assert.True(Math.Abs(got[t * m + r] - want) <= 2e-6 * magnitude + 1e-30, $"{type} {kernel} [{t},{r}]: {got[t * m + r]} vs {want}");
            }
        }
    }

    // ---- a tiny Llama GGUF in the Q4_K_M mix: Q4_K, with attn_v and ffn_down in Q6_K (as llama-quantize does on some layers)

    private const int D = 256, H = 4, KV = 2, Hd = 64, I = 512, V = 12, L = 2;

    private static (string Path, Dictionary<string, (float[] Values, GgmlType Type)> Projections) WriteQ4KMLlama(TempFolder tmp)
        => QuantizedLlamaGguf.Write(tmp, "q4km.gguf", new(D, H, KV, Hd, I, V, L),
            (gguf, l) => gguf is "attn_v" or "ffn_down" && l == 0 ? GgmlType.Q6_K : GgmlType.Q4_K,
            (type, values) => type == GgmlType.Q6_K ? KQuantize.Q6_K(values) : KQuantize.Q4_K(values));

    [Fact]
    public void Gguf_hands_out_k_quant_blocks_in_hf_row_order()
    {
        using var tmp = new TempFolder();
        var (path, projections) = WriteQ4KMLlama(tmp);
        using var w = GgufDecoderWeights.Open(path);
        foreach (var (name, (values, type)) in projections)
        {
            var kq = w.KQuantTypeOf(name);
            Assert.Equal(type == GgmlType.Q6_K ? KQuantType.Q6_K : KQuantType.Q4_K, kq);
            var blocks = new byte[values.Length / 256 * KQuantGemm.BlockBytes(kq!.Value)];
            Assert.True(w.TryReadKQuant(name, blocks));
            Assert.Equal(type == GgmlType.Q6_K ? KQuantize.Q6_K(values) : KQuantize.Q4_K(values), blocks);   // HF rows = file rows un-permuted
        }
        Assert.Null(w.KQuantTypeOf("model.layers.0.input_layernorm.weight"));
        Assert.False(w.TryReadKQuant("model.layers.0.input_layernorm.weight", new byte[D * 4]));
    }

    [Fact]
    public void Forward_pass_with_k_quant_integer_products_stays_close_to_the_float32_pass()
    {
        using var tmp = new TempFolder();
        var (path, _) = WriteQ4KMLlama(tmp);
        using var w = GgufDecoderWeights.Open(path);
        var exact = new LlamaModel(w) { IntegerProducts = false };
        var integer = new LlamaModel(w);                            // the default
        Assert.Equal(IntegerProductKind.None, exact.IntegerKind);
        Assert.Equal(IntegerProductKind.KQuant, integer.IntegerKind);
        // Q8_K activations carry a rounding error ≤ 1/254 of the largest of each 256 values (Q8_0: of each 32,
        // whose test allows 2 %); through 2 layers the hidden states stay within 4 % of their largest value (a
        // wrong row order, block or scale would be off by O(1)). forward-llama --values measures the same
        // deviation for llama.cpp on a Q4_K_M file (bench/README.md).
        QuantizedPassChecks.AssertCloseButNotEqual(exact, integer, V, 0.04, "integer");
    }
}

[CollectionDefinition("KQuantGemm kernel selection", DisableParallelization = true)]
public class KQuantGemmKernelSelection;
