using Simile.Models.Gguf;
using Xunit;

namespace Simile.Tests.Models.Gguf;

/// <summary>
/// The plain Q4_K/Q6_K quantizer that writes the benchmark's and tests' Q4_K_M files: its blocks, read back by
/// <see cref="GgmlDequantize"/> (bit for bit ggml's dequantize_row_q4_K/q6_K, see GgufDequantizeTests), are within
/// one quantization step of the input everywhere, and its round-trip error on the reference weights is of the size of
/// ggml's own quantize_row_*_ref round trip (tests/reference/gguf-dequant/ggml-quantized-reference.json).
/// </summary>
public class KQuantizeTests
{
    private static float[] Weights(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++)
        {
            double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
            x[i] = (float)(0.02 * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        for (int i = 0; i < n; i += 97) x[i] *= 8;                  // outliers
        x.AsSpan(512, 32).Clear();                                  // an all-zero sub-block
        x.AsSpan(768, 32).Fill(0.01f);                              // a constant positive sub-block
        return x;
    }

    [Theory]
    [InlineData(GgmlType.Q4_K, 32, 15)]
    [InlineData(GgmlType.Q6_K, 16, 31)]
    public void Blocks_read_back_within_one_step(GgmlType type, int group, int levels)
    {
        var x = Weights(8 * 256, 3);
        var blocks = type == GgmlType.Q4_K ? KQuantize.Q4_K(x) : KQuantize.Q6_K(x);
        Assert.Equal(x.Length / 256 * GgmlTypes.TypeSize(type), blocks.Length);
        var back = new float[x.Length];
        GgmlDequantize.Row(type, blocks, back);
        for (int b = 0; b < x.Length / 256; b++)
        {
            // the largest step and offset of the block (what the 6-bit / int8 scales are relative to)
            double maxStep = 0, maxOffset = 0;
            for (int g = 0; g < 256 / group; g++)
            {
                var s = x.AsSpan(b * 256 + g * group, group).ToArray();
                double lo = Math.Min(0, s.Min()), hi = s.Max();
                maxStep = Math.Max(maxStep, type == GgmlType.Q4_K ? (hi - lo) / levels : s.Max(Math.Abs) / levels);
                maxOffset = Math.Max(maxOffset, -lo);
            }
            for (int g = 0; g < 256 / group; g++)
            {
                var s = x.AsSpan(b * 256 + g * group, group).ToArray();
                double step = type == GgmlType.Q4_K ? (s.Max() - Math.Min(0, s.Min())) / levels : s.Max(Math.Abs) / levels;
                // rounding to the nearest level (half a step of at most step + maxStep/63) and, for Q4_K, the 6-bit offset
                double bound = 0.6 * (step + maxStep / (type == GgmlType.Q4_K ? 63 : 127))
                               + (type == GgmlType.Q4_K ? 0.6 * maxOffset / 63 : 0) + 1e-7;
                for (int i = 0; i < group; i++)
                {
                    int e = b * 256 + g * group + i;
                    Assert.True(Math.Abs(back[e] - x[e]) <= bound, $"{type} value {e}: {back[e]} vs {x[e]} (bound {bound:E3})");
                }
            }
        }
    }

    [Theory]
    [InlineData("Q4_K")]
    [InlineData("Q6_K")]
    public void Round_trip_error_is_that_of_ggmls_quantizer(string type)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(
            Path.Combine(TestPaths.Reference, "gguf-dequant", "ggml-quantized-reference.json")));
        var bytes = Convert.FromBase64String(doc.RootElement.GetProperty("weights").GetString()!);
        var x = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, x, 0, bytes.Length);
        double ggml = doc.RootElement.GetProperty("types").GetProperty(type).GetProperty("rms_error").GetDouble();
        var t = Enum.Parse<GgmlType>(type);
        var back = new float[x.Length];
        GgmlDequantize.Row(t, t == GgmlType.Q4_K ? KQuantize.Q4_K(x) : KQuantize.Q6_K(x), back);
        double rms = Math.Sqrt(x.Select((v, i) => (double)(v - back[i]) * (v - back[i])).Sum() / x.Length);
        // ggml searches for its scales; this one takes the range: the same order of error, never far above
        Assert.True(rms <= 1.6 * ggml, $"{type}: rms {rms:E3} vs ggml {ggml:E3}");
    }
}
