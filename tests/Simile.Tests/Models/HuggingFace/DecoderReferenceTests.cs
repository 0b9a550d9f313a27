using System.Text.Json;
using Simile.Engine;
using Simile.Models.Gguf;
using Simile.Models.HuggingFace;
using Xunit;
using Xunit.Abstractions;

namespace Simile.Tests.Models.HuggingFace;

/// <summary>
/// The tiny Gemma 2, Gemma 3, Phi-3 and OLMo 2 folders of tests/reference/modern and their GGUF copies, against the
/// float64 torch pass written from the Hugging Face modeling equations (tests/reference/modern/tools/decoders_expected.py):
/// every representation within 1e-5 of its scale (float32 against float64; measured 4.6e-7 … 7.8e-7), every layer's
/// attention within 1e-5 (measured ≤ 9.6e-7).
/// </summary>
public class DecoderReferenceTests(ITestOutputHelper output)
{
    private static string Modern => Path.Combine(TestPaths.Reference, "modern");

    public static TheoryData<string, bool> Cases => new()
    {
        { "gemma2", false }, { "gemma3", false }, { "phi3", false }, { "olmo2", false },
        { "gemma2", true }, { "gemma3", true }, { "phi3", true }, { "olmo2", true },
        { "phi3-longrope", false }, { "phi3-longrope", true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_representation_and_attention_matches_the_float64_torch_pass(string family, bool gguf)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Modern, family + "-tiny-expected.json")));
        var inputs = doc.RootElement.GetProperty("inputs").EnumerateArray().ToList();
        var ids = inputs.Select(i => i.GetProperty("ids").EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToList();
        string folder = Path.Combine(Modern, family + "-tiny");
        using var ckpt = gguf ? null : SafetensorsCheckpoint.Open(folder);
        using IDecoderWeights weights = gguf
            ? GgufDecoderWeights.Open(Path.Combine(Modern, family + "-tiny-gguf", family + "-tiny-F32.gguf"))
            : new SafetensorsDecoderWeights(ckpt!, HuggingFaceConfig.Load(folder).Decoder!);
        var model = new LlamaModel(weights);
        var outputs = model.Forward(ids, withAttention: true);
        int D = model.Dims, H = model.Heads;
        double worstState = 0, worstAttention = 0;
        for (int b = 0; b < ids.Count; b++)
        {
            int T = ids[b].Length;
            foreach (var layer in inputs[b].GetProperty("layers").EnumerateObject())
            {
                int slot = model.Labels.ToList().IndexOf(layer.Name);
                Assert.True(slot >= 0, layer.Name);
                var rows = layer.Value.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
                double worst = 0, scale = 0;
                for (int t = 0; t < T; t++)
                    for (int d = 0; d < D; d++)
                    {
                        worst = Math.Max(worst, Math.Abs(outputs[b].Hidden[slot][t * D + d] - rows[t][d]));
                        scale = Math.Max(scale, Math.Abs(rows[t][d]));
                    }
                worstState = Math.Max(worstState, worst / Math.Max(1, scale));
                Assert.True(worst <= 1e-5 * Math.Max(1, scale), $"{family} {(gguf ? "GGUF" : "HF")} input {b} {layer.Name}: max diff {worst:E3}");
            }
            foreach (var att in inputs[b].GetProperty("attentions").EnumerateObject())
            {
                int l = int.Parse(att.Name, System.Globalization.CultureInfo.InvariantCulture);
                var heads = att.Value.EnumerateArray().ToList();
                for (int h = 0; h < H; h++)
                {
                    var m = heads[h].EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
                    for (int i = 0; i < T; i++)
                        for (int j = 0; j < T; j++)
                        {
                            worstAttention = Math.Max(worstAttention, Math.Abs(outputs[b].Attention![l][(h * T + i) * T + j] - m[i][j]));
                            Assert.True(Math.Abs(outputs[b].Attention![l][(h * T + i) * T + j] - m[i][j]) <= 1e-5,
                                $"{family} {(gguf ? "GGUF" : "HF")} input {b} layer {l} head {h} [{i},{j}]");
                        }
                }
            }
        }
        output.WriteLine($"{family} {(gguf ? "GGUF" : "HF")}: states {worstState:E2} of scale, attention {worstAttention:E2}");
    }
}
