using Simile.Engine;
using Simile.Models.Gguf;
using Simile.Tests.Engine;
using Simile.Tests.Models.HuggingFace;
using Xunit;

namespace Simile.Tests.Models.Gguf;

/// <summary>
/// Gemma 2, Gemma 3, Phi-3 and OLMo 2 as GGUF files written in the layout of llama.cpp's convert_hf_to_gguf.py (its
/// tensor names, Gemma norms stored as 1 + w, Phi-3's fused attn_qkv and ffn_up, no q/k permutation for these
/// NEOX-rope architectures, the metadata keys it writes and not the ones it omits), through the native pass, against
/// the float64 reference of <see cref="ModernDecoderTests"/> with the settings llama.cpp derives from such a file:
/// Gemma scores scaled by 1/√key_length (no query_pre_attn_scalar key), Gemma 3's sliding pattern 6 with rope base
/// 10000 on sliding layers, Phi-3 without its sliding window.
/// </summary>
public class GgufModernDecoderTests
{
    /// <summary>The HF spec whose weights are written, and the spec llama.cpp runs on the converted file.</summary>
    private static (ModernDecoderTests.Spec Hf, ModernDecoderTests.Spec LlamaCpp, string Arch) Case(string family) => family switch
    {
        "gemma2" => (ModernDecoderTests.Family("gemma2"), ModernDecoderTests.Family("gemma2") with { QueryScalar = 12 }, "gemma2"),
        "gemma3" => (ModernDecoderTests.Family("gemma3") with { L = 7 },
                     ModernDecoderTests.Family("gemma3") with { L = 7, Pattern = 6, LocalTheta = 10000, QueryScalar = 12 }, "gemma3"),
        "phi3" => (ModernDecoderTests.Family("phi3"), ModernDecoderTests.Family("phi3") with { Window = 0 }, "phi3"),
        "olmo2" => (ModernDecoderTests.Family("olmo2"), ModernDecoderTests.Family("olmo2"), "olmo2"),
        _ => throw new ArgumentException(family),
    };

    /// <summary>convert_hf_to_gguf.py's tensor name for an HF name of this family.</summary>
    private static string GgufName(string hf, string arch)
    {
        if (hf == "model.embed_tokens.weight") return "token_embd.weight";
        if (hf == "model.norm.weight") return "output_norm.weight";
        if (hf == "lm_head.weight") return "output.weight";
        var parts = hf.Split('.');                       // model.layers.{l}.{module...}.weight
        string l = parts[2], module = string.Join('.', parts[3..^1]);
        string name = module switch
        {
            "input_layernorm" => "attn_norm",
            "self_attn.q_proj" => "attn_q",
            "self_attn.k_proj" => "attn_k",
            "self_attn.v_proj" => "attn_v",
            "self_attn.qkv_proj" => "attn_qkv",
            "self_attn.o_proj" => "attn_output",
            "self_attn.q_norm" => "attn_q_norm",
            "self_attn.k_norm" => "attn_k_norm",
            "post_attention_layernorm" => arch is "phi3" ? "ffn_norm" : "post_attention_norm",
            "pre_feedforward_layernorm" => "ffn_norm",
            "post_feedforward_layernorm" => "post_ffw_norm",
            "mlp.gate_proj" => "ffn_gate",
            "mlp.up_proj" => "ffn_up",
            "mlp.gate_up_proj" => "ffn_up",
            "mlp.down_proj" => "ffn_down",
            _ => throw new ArgumentException(hf),
        };
        return $"blk.{l}.{name}.weight";
    }

    private static string WriteGguf(ModernDecoderTests.Spec s, string arch, Dictionary<string, float[]> w, Dictionary<string, int[]> shapes, string path)
    {
        var g = new GgufWriter().String("general.architecture", arch).String("general.name", arch + "-tiny")
            .U32($"{arch}.context_length", 64).U32($"{arch}.embedding_length", (uint)s.D).U32($"{arch}.block_count", (uint)s.L)
            .U32($"{arch}.feed_forward_length", (uint)s.I).U32($"{arch}.attention.head_count", (uint)s.H)
            .U32($"{arch}.attention.head_count_kv", (uint)s.KV).F32($"{arch}.attention.layer_norm_rms_epsilon", (float)s.Eps)
            .U32($"{arch}.attention.key_length", (uint)s.HeadDim).U32($"{arch}.attention.value_length", (uint)s.HeadDim);
        if (arch != "gemma2") g.F32($"{arch}.rope.freq_base", (float)s.Theta);   // Gemma2Model writes no rope base (llama.cpp: 10000)
        if (s.Gemma)
        {
            g.U32($"{arch}.attention.sliding_window", (uint)s.Window);
            if (s.SoftCap > 0) g.F32($"{arch}.attn_logit_softcapping", (float)s.SoftCap);
            g.F32($"{arch}.final_logit_softcapping", 30f);
        }
        if (s.Gemma3 && s.LinearFactor > 0) g.String($"{arch}.rope.scaling.type", "linear").F32($"{arch}.rope.scaling.factor", (float)s.LinearFactor);
        if (s.Phi3)
        {
            g.U32($"{arch}.rope.dimension_count", (uint)s.RotaryDims);
            g.U32($"{arch}.attention.sliding_window", 4);                          // written by the converter, unused by llama.cpp
        }
        foreach (var (name, values) in w)
        {
            var v = s.Gemma && name.EndsWith("norm.weight", StringComparison.Ordinal) ? values.Select(x => x + 1f).ToArray() : values;
            g.TensorF32(GgufName(name, arch), shapes[name].Reverse().Select(d => (long)d).ToArray(), v);
        }
        return g.Write(path);
    }

    [Theory]
    [InlineData("gemma2")]
    [InlineData("gemma3")]
    [InlineData("phi3")]
    [InlineData("olmo2")]
    public void A_converted_file_runs_as_llama_cpp_reads_it(string family)
    {
        var (hf, cpp, arch) = Case(family);
        using var dir = new TempFolder();
        var w = ModernDecoderTests.WriteCheckpoint(hf, dir.Path, seed: family.Length * 5 + 2);
        Dictionary<string, int[]> shapes;
        using (var ckpt = Simile.Models.HuggingFace.SafetensorsCheckpoint.Open(dir.Path))
            shapes = w.Keys.ToDictionary(k => k, k => ckpt.Info(k).Shape.Select(d => (int)d).ToArray());
        string path = WriteGguf(cpp, arch, w, shapes, dir.File(family + ".gguf"));
        using var weights = GgufDecoderWeights.Open(path);
        var c = weights.Config;
        Assert.Equal(cpp.Gemma ? 1 / Math.Sqrt(cpp.HeadDim) : 0, c.QueryScale, 12);
        var model = new LlamaModel(weights);
        var outputs = model.Forward(ModernDecoderTests.Sequences, withAttention: true);
        for (int b = 0; b < ModernDecoderTests.Sequences.Length; b++)
        {
            var ids = ModernDecoderTests.Sequences[b];
            var (hidden, attention) = ModernDecoderTests.Reference(cpp, w, ids);
            for (int r = 0; r < hidden.Length; r++)
            {
                double worst = 0, scale = 0;
                for (int t = 0; t < ids.Length; t++)
                    for (int d = 0; d < cpp.D; d++)
                    {
                        worst = Math.Max(worst, Math.Abs(outputs[b].Hidden[r][t * cpp.D + d] - hidden[r][t][d]));
                        scale = Math.Max(scale, Math.Abs(hidden[r][t][d]));
                    }
                Assert.True(worst <= 1e-4 * Math.Max(1, scale), $"{family} GGUF sequence {b} {model.Labels[r]}: max diff {worst:E3}");
            }
            int T = ids.Length;
            for (int l = 0; l < cpp.L; l++)
                for (int h = 0; h < cpp.H; h++)
                    for (int i = 0; i < T; i++)
                        for (int j = 0; j < T; j++)
                            Assert.True(Math.Abs(outputs[b].Attention![l][(h * T + i) * T + j] - attention[l][h][i][j]) <= 1e-5, $"{family} GGUF layer {l} h{h} {i},{j}");
        }
    }

    [Fact]
    public void A_phi3_file_with_longrope_factors_is_one_line_naming_it()
    {
        var (hf, cpp, arch) = Case("phi3");
        using var dir = new TempFolder();
        var w = ModernDecoderTests.WriteCheckpoint(hf, dir.Path, seed: 3);
        Dictionary<string, int[]> shapes;
        using (var ckpt = Simile.Models.HuggingFace.SafetensorsCheckpoint.Open(dir.Path))
            shapes = w.Keys.ToDictionary(k => k, k => ckpt.Info(k).Shape.Select(d => (int)d).ToArray());
        w["rope_factors_long.weight"] = Enumerable.Repeat(2f, cpp.RotaryDims / 2).ToArray();
        shapes["rope_factors_long.weight"] = [cpp.RotaryDims / 2];
        string path = dir.File("longrope.gguf");
        var g = new GgufWriter().String("general.architecture", arch)
            .U32($"{arch}.embedding_length", (uint)cpp.D).U32($"{arch}.block_count", (uint)cpp.L).U32($"{arch}.feed_forward_length", (uint)cpp.I)
            .U32($"{arch}.attention.head_count", (uint)cpp.H).U32($"{arch}.attention.head_count_kv", (uint)cpp.KV)
            .F32($"{arch}.attention.layer_norm_rms_epsilon", 1e-5f);
        foreach (var (name, values) in w)
            g.TensorF32(name.StartsWith("rope_", StringComparison.Ordinal) ? name : GgufName(name, arch), shapes[name].Reverse().Select(d => (long)d).ToArray(), values);
        g.Write(path);
        var e = Assert.Throws<SimileException>(() => GgufDecoderWeights.Open(path));
        Assert.Contains("longrope", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
