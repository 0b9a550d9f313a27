using System.Text.Json;
using Simile.Models.Gguf;
using Xunit;

namespace Simile.Tests.Models.Gguf;

/// <summary>
/// Tiny checkpoints of every quantization type, from blocks made by ggml's own <c>quantize_row_*_ref</c>
/// (tests/reference/gguf-dequant/ggml-quantized-reference.json): written as GGUF, read back whole and row by row,
/// equal bit for bit to ggml's <c>dequantize_row_*</c> output. The test-side quantizers match ggml's byte for byte.
/// </summary>
public class GgufQuantizedCheckpointTests
{
    private static JsonDocument Reference() => JsonDocument.Parse(File.ReadAllBytes(
        Path.Combine(TestPaths.Reference, "gguf-dequant", "ggml-quantized-reference.json")));

    private static float[] Floats(string b64)
    {
        var bytes = Convert.FromBase64String(b64);
        var f = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, f, 0, bytes.Length);
        return f;
    }

    [Fact]
    public void Test_quantizers_make_ggmls_bytes()
    {
        using var doc = Reference();
        var x = Floats(doc.RootElement.GetProperty("weights").GetString()!);
        var types = doc.RootElement.GetProperty("types");
        byte[] Want(string t) => Convert.FromBase64String(types.GetProperty(t).GetProperty("blocks").GetString()!);
        Assert.Equal(Want("Q8_0"), RefQuant.Q8_0(x));
        Assert.Equal(Want("Q4_0"), RefQuant.Q4_0(x));
        Assert.Equal(Want("Q4_1"), RefQuant.Q4_1(x));
        Assert.Equal(Want("Q5_0"), RefQuant.Q5_0(x));
        Assert.Equal(Want("Q5_1"), RefQuant.Q5_1(x));
    }

    [Fact]
    public void A_checkpoint_of_every_type_reads_back_as_ggml_dequantizes_it()
    {
        using var doc = Reference();
        using var tmp = new TempFolder();
        var x = Floats(doc.RootElement.GetProperty("weights").GetString()!);
        var w = new GgufWriter().String("general.architecture", "test").TensorF32("weights.F32", [256, 4], x);
        var expected = new Dictionary<string, (float[] Values, double Rms)>();
        foreach (var t in doc.RootElement.GetProperty("types").EnumerateObject())
        {
            var type = Enum.Parse<GgmlType>(t.Name);
            w.Tensor("weights." + t.Name, type, [256, 4], Convert.FromBase64String(t.Value.GetProperty("blocks").GetString()!));
            expected["weights." + t.Name] = (Floats(t.Value.GetProperty("values").GetString()!), t.Value.GetProperty("rms_error").GetDouble());
        }
        using var f = GgufFile.Open(w.Write(tmp.File("every-type.gguf")));
        Assert.Equal(11, f.Tensors.Count);
        foreach (var (name, (want, rms)) in expected)
        {
            var t = f.Tensor(name);
            var all = new float[1024];
            f.Dequantize(t, all);
            Assert.Equal(want.Select(BitConverter.SingleToInt32Bits), all.Select(BitConverter.SingleToInt32Bits));
            var row = new float[256];
            f.DequantizeRows(t, [3], row);
            Assert.Equal(want.AsSpan(768, 256).ToArray(), row);
            // And the values are the weights up to the quantization error ggml's own round trip has.
            double err = Math.Sqrt(x.Select((v, i) => (double)(v - all[i]) * (v - all[i])).Sum() / x.Length);
            Assert.Equal(rms, err, 1e-9);
            Assert.True(err < 0.02, $"{name}: rms error {err}");
        }
    }
}
