using System.Text.Json;
using Simile.Engine;
using Simile.Models.Gguf;
using Simile.Models.HuggingFace;
using Xunit;
using Xunit.Abstractions;

namespace Simile.Tests.Models.Gguf;

/// <summary>
/// The tiny Gemma 2, Gemma 3, Phi-3 and OLMo 2 GGUF files of tests/reference/modern (written in the layout of llama.cpp's
/// converter) through the native pass, against llama.cpp's own hidden states on the same files (LLamaSharp 0.30.0, CPU,
/// float32; recorded by <c>bench/Simile.Bench llamacpp-reference</c>): the scaled embeddings, every block output and the
/// final norm. The Hugging Face folders beside them hold the same weights with settings under which HF computes the
/// same function, so they are held to the same values.
/// </summary>
public class GgufLlamaCppDecoderTests(ITestOutputHelper output)
{
    private static string Modern => Path.Combine(TestPaths.Reference, "modern");

    /// <summary>
    /// Tolerance, relative to the largest value of the representation. llama.cpp computes in float32 like Simile but sums
    /// in another order: Phi-3 and OLMo 2 (SiLU) agree to 1.3e-6 and 5e-7, so 1e-5. ggml's CPU GELU (Gemma's
    /// feed-forward) reads a float16 table, so Gemma's states carry float16 rounding of the activation: Gemma 2 and 3
    /// agree to 5.2e-4 and 5.4e-4, so 2e-3.
    /// </summary>
    private static double Tolerance(string family) => family.StartsWith("gemma", StringComparison.Ordinal) ? 2e-3 : 1e-5;

    public static TheoryData<string> Families => new() { "gemma2", "gemma3", "phi3", "olmo2", "phi3-longrope" };

    private static (List<int[]> Ids, List<Dictionary<string, double[][]>> Layers) LlamaCpp(string family)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Modern, "decoders-tiny-llamacpp.json")));
        var seqs = doc.RootElement.GetProperty("families").GetProperty(family).GetProperty("sequences").EnumerateArray().ToList();
        var ids = seqs.Select(s => s.GetProperty("ids").EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToList();
        var layers = seqs.Select(s => s.GetProperty("layers").EnumerateObject().ToDictionary(p => p.Name,
            p => p.Value.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray())).ToList();
        return (ids, layers);
    }

    private double Compare(string what, LlamaModel model, List<int[]> ids, List<Dictionary<string, double[][]>> expected, double tolerance)
    {
        var outputs = model.Forward(ids, withAttention: false);
        int D = model.Dims;
        double worstAll = 0;
        for (int b = 0; b < ids.Count; b++)
            foreach (var (label, rows) in expected[b])
            {
                int slot = model.Labels.ToList().IndexOf(label);
                Assert.True(slot >= 0, label);
                double worst = 0, scale = 0;
                for (int t = 0; t < ids[b].Length; t++)
                    for (int d = 0; d < D; d++)
                    {
                        worst = Math.Max(worst, Math.Abs(outputs[b].Hidden[slot][t * D + d] - rows[t][d]));
                        scale = Math.Max(scale, Math.Abs(rows[t][d]));
                    }
                double rel = worst / Math.Max(1, scale);
                worstAll = Math.Max(worstAll, rel);
                Assert.True(rel <= tolerance, $"{what} sequence {b} {label}: max diff {worst:E3} (values up to {scale:G3})");
            }
        output.WriteLine($"{what}: largest difference from llama.cpp {worstAll:E2} of the representation's scale");
        return worstAll;
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void The_gguf_file_matches_llama_cpp_at_every_layer(string family)
    {
        var (ids, expected) = LlamaCpp(family);
        using var weights = GgufDecoderWeights.Open(Path.Combine(Modern, family + "-tiny-gguf", family + "-tiny-F32.gguf"));
        Compare(family + " GGUF", new LlamaModel(weights), ids, expected, Tolerance(family));
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void The_hugging_face_folder_of_the_same_weights_matches_too(string family)
    {
        var (ids, expected) = LlamaCpp(family);
        string folder = Path.Combine(Modern, family + "-tiny");
        var config = HuggingFaceConfig.Load(folder).Decoder!;
        using var ckpt = SafetensorsCheckpoint.Open(folder);
        using var weights = new SafetensorsDecoderWeights(ckpt, config);
        Compare(family + " HF folder", new LlamaModel(weights), ids, expected, Tolerance(family));
    }
}
