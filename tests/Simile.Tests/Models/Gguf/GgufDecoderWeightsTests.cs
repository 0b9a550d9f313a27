using Simile.Engine;
using Simile.Models.Gguf;
using Xunit;

namespace Simile.Tests.Models.Gguf;

/// <summary>
/// Tiny decoders of each architecture written as llama.cpp's converter writes them (names, reversed dims, q/k rows
/// permuted for llama only, Gemma norms stored as 1 + w, Llama-3 rope factors as rope_freqs), read back under HF names.
/// </summary>
public class GgufDecoderWeightsTests
{
    private const int D = 32, H = 2, KV = 1, Hd = 16, I = 64, V = 6;

    /// <summary>Random HF tensors (values k/64, exact in float32 and after ±1) for one layer.</summary>
    private static Dictionary<string, (long[] Shape, float[] Values)> HfWeights(bool bias, bool qkNorm, bool tied, int seed)
    {
        var rng = new Random(seed);
        float[] R(long n) => Enumerable.Range(0, (int)n).Select(_ => rng.Next(-64, 65) / 64f).ToArray();
        var w = new Dictionary<string, (long[], float[])>
        {
            ["model.embed_tokens.weight"] = ([V, D], R(V * D)),
            ["model.norm.weight"] = ([D], R(D)),
            ["model.layers.0.input_layernorm.weight"] = ([D], R(D)),
            ["model.layers.0.post_attention_layernorm.weight"] = ([D], R(D)),
            ["model.layers.0.self_attn.q_proj.weight"] = ([H * Hd, D], R(H * Hd * D)),
            ["model.layers.0.self_attn.k_proj.weight"] = ([KV * Hd, D], R(KV * Hd * D)),
            ["model.layers.0.self_attn.v_proj.weight"] = ([KV * Hd, D], R(KV * Hd * D)),
            ["model.layers.0.self_attn.o_proj.weight"] = ([D, H * Hd], R(D * H * Hd)),
            ["model.layers.0.mlp.gate_proj.weight"] = ([I, D], R(I * D)),
            ["model.layers.0.mlp.up_proj.weight"] = ([I, D], R(I * D)),
            ["model.layers.0.mlp.down_proj.weight"] = ([D, I], R(D * I)),
        };
        if (!tied) w["lm_head.weight"] = ([V, D], R(V * D));
        if (bias)
        {
            w["model.layers.0.self_attn.q_proj.bias"] = ([H * Hd], R(H * Hd));
            w["model.layers.0.self_attn.k_proj.bias"] = ([KV * Hd], R(KV * Hd));
            w["model.layers.0.self_attn.v_proj.bias"] = ([KV * Hd], R(KV * Hd));
        }
        if (qkNorm)
        {
            w["model.layers.0.self_attn.q_norm.weight"] = ([Hd], R(Hd));
            w["model.layers.0.self_attn.k_norm.weight"] = ([Hd], R(Hd));
        }
        return w;
    }

    private static readonly Dictionary<string, string> ToGguf = new()
    {
        ["model.embed_tokens.weight"] = "token_embd.weight", ["model.norm.weight"] = "output_norm.weight", ["lm_head.weight"] = "output.weight",
        ["input_layernorm"] = "attn_norm", ["post_attention_layernorm"] = "ffn_norm", ["self_attn.q_proj"] = "attn_q",
        ["self_attn.k_proj"] = "attn_k", ["self_attn.v_proj"] = "attn_v", ["self_attn.o_proj"] = "attn_output",
        ["self_attn.q_norm"] = "attn_q_norm", ["self_attn.k_norm"] = "attn_k_norm", ["mlp.gate_proj"] = "ffn_gate",
        ["mlp.up_proj"] = "ffn_up", ["mlp.down_proj"] = "ffn_down",
    };

    private static string GgufName(string hf)
    {
        if (ToGguf.TryGetValue(hf, out var n)) return n;
        var parts = hf.Split('.');                                       // model.layers.0.<a>.<b>.<weight|bias>
        string mid = string.Join('.', parts[3..^1]);
        return $"blk.{parts[2]}.{ToGguf[mid]}.{parts[^1]}";
    }

    private static string Write(TempFolder tmp, string arch, Dictionary<string, (long[] Shape, float[] Values)> hf, float[]? ropeFreqs = null)
    {
        var w = new GgufWriter()
            .String("general.architecture", arch)
            .U32($"{arch}.block_count", 1).U32($"{arch}.embedding_length", D).U32($"{arch}.feed_forward_length", I)
            .U32($"{arch}.attention.head_count", H).U32($"{arch}.attention.head_count_kv", KV)
            .F32($"{arch}.attention.layer_norm_rms_epsilon", 1e-6f).F32($"{arch}.rope.freq_base", 500000f)
            .U32($"{arch}.context_length", 4096)
            .String("tokenizer.ggml.model", "gpt2")
            .AddArray("tokenizer.ggml.tokens", GgufValueType.String, new[] { "a", "b", "Ġa", "Ġb", "<s>", "</s>" })
            .AddArray("tokenizer.ggml.merges", GgufValueType.String, new[] { "Ġ a" });
        foreach (var (name, (shape, values)) in hf)
        {
            var v = values;
            if (arch == "llama" && name.Contains("q_proj")) v = LlamaCppPermutation.Apply(v, H, Hd, shape.Length == 2 ? (int)shape[1] : 1);
            if (arch == "llama" && name.Contains("k_proj")) v = LlamaCppPermutation.Apply(v, KV, Hd, shape.Length == 2 ? (int)shape[1] : 1);
            if (arch == "gemma" && name.EndsWith("norm.weight")) v = v.Select(x => x + 1f).ToArray();
            w.TensorF32(GgufName(name), shape.Reverse().ToArray(), v);
        }
        if (ropeFreqs is not null) w.TensorF32("rope_freqs.weight", [ropeFreqs.Length], ropeFreqs);
        return w.Write(tmp.File(arch + ".gguf"));
    }

    private static void AssertReadsBack(GgufDecoderWeights w, Dictionary<string, (long[] Shape, float[] Values)> hf)
    {
        Assert.Equal(hf.Keys.Order(), w.Names.Order());
        foreach (var (name, (shape, values)) in hf)
        {
            Assert.Equal(shape, w.Shape(name));
            Assert.Equal("F32", w.StorageType(name));
            var got = new float[values.Length];
            w.Read(name, got);
            Assert.True(values.AsSpan().SequenceEqual(got), name);
        }
    }

    [Fact]
    public void Llama_q_and_k_rows_are_unpermuted()
    {
        using var tmp = new TempFolder();
        var hf = HfWeights(bias: false, qkNorm: false, tied: false, seed: 1);
        using var w = GgufDecoderWeights.Open(Write(tmp, "llama", hf));
        Assert.Equal(DecoderFamily.Llama, w.Config.Family);
        Assert.Equal((H, KV, Hd, I, V), (w.Config.Heads, w.Config.KeyValueHeads, w.Config.HeadDim, w.Config.Intermediate, w.Config.VocabularySize));
        Assert.False(w.Config.TiedEmbeddings);
        AssertReadsBack(w, hf);
        var rows = new float[2 * D];
        w.ReadRows("model.layers.0.self_attn.k_proj.weight", [1, 8], rows);
        var k = hf["model.layers.0.self_attn.k_proj.weight"].Values;
        Assert.Equal(k.AsSpan(1 * D, D).ToArray(), rows[..D]);
        Assert.Equal(k.AsSpan(8 * D, D).ToArray(), rows[D..]);
    }

    [Fact]
    public void Llama_biases_are_unpermuted_too()
    {
        using var tmp = new TempFolder();
        var hf = HfWeights(bias: true, qkNorm: false, tied: false, seed: 2);
        using var w = GgufDecoderWeights.Open(Write(tmp, "llama", hf));
        Assert.True(w.Config.AttentionBias);
        AssertReadsBack(w, hf);
    }

    [Fact]
    public void Qwen2_has_biases_and_tied_embeddings_and_no_permutation()
    {
        using var tmp = new TempFolder();
        var hf = HfWeights(bias: true, qkNorm: false, tied: true, seed: 3);
        using var w = GgufDecoderWeights.Open(Write(tmp, "qwen2", hf));
        Assert.Equal("Qwen2ForCausalLM", w.Config.Architecture);
        Assert.True(w.Config.AttentionBias);
        Assert.True(w.Config.TiedEmbeddings);
        Assert.False(w.Has("lm_head.weight"));
        AssertReadsBack(w, hf);
    }

    [Fact]
    public void Qwen3_has_query_key_norms()
    {
        using var tmp = new TempFolder();
        var hf = HfWeights(bias: false, qkNorm: true, tied: true, seed: 4);
        using var w = GgufDecoderWeights.Open(Write(tmp, "qwen3", hf));
        Assert.Equal(DecoderFamily.Qwen3, w.Config.Family);
        Assert.True(w.Config.QueryKeyNorm);
        AssertReadsBack(w, hf);
    }

    [Fact]
    public void Gemma_norms_are_handed_out_as_HF_w_for_the_one_plus_w_forward_pass()
    {
        using var tmp = new TempFolder();
        var hf = HfWeights(bias: false, qkNorm: false, tied: true, seed: 5);
        using var w = GgufDecoderWeights.Open(Write(tmp, "gemma", hf));
        var c = w.Config;
        Assert.True(c.NormWeightPlusOne && c.ScaleEmbeddings && c.GeluTanhMlp);
        AssertReadsBack(w, hf);
    }

    [Fact]
    public void Llama3_rope_scaling_is_recovered_from_rope_freqs()
    {
        using var tmp = new TempFolder();
        var hf = HfWeights(bias: false, qkNorm: false, tied: false, seed: 6);
        // The converter's factors for factor 32, low 1, high 4, original 8192 (Llama 3.2), from HF's llama3 rope init.
        var freqs = new float[Hd / 2];
        for (int i = 0; i < freqs.Length; i++)
        {
            double inv = Math.Pow(500000, -2.0 * i / Hd), wavelen = 2 * Math.PI / inv;
            double smooth = (8192 / wavelen - 1) / (4 - 1);
            freqs[i] = (float)(wavelen < 8192 / 4.0 ? 1 : wavelen > 8192 ? 32 : 1 / ((1 - smooth) / 32 + smooth));
        }
        Assert.Contains(freqs, f => f > 1 && f < 32);   // the smooth region is exercised
        using var w = GgufDecoderWeights.Open(Write(tmp, "llama", hf, freqs));
        Assert.Equal(new RopeScaling(RopeScalingKind.Llama3, 32, 1, 4, 8192), w.Config.RopeScaling);
        Assert.False(w.Has("rope_freqs.weight"));

        freqs[3] *= 1.5f;
        using var tmp2 = new TempFolder();
        string bad = Write(tmp2, "llama", hf, freqs);
        Assert.Throws<SimileException>(() => GgufDecoderWeights.Open(bad));
    }

    [Fact]
    public void Unsupported_architecture_and_missing_or_misshapen_tensors_are_clear_errors()
    {
        using var tmp = new TempFolder();
        var hf = HfWeights(bias: false, qkNorm: false, tied: false, seed: 7);
        string path = Write(tmp, "llama", hf);
        var bytes = File.ReadAllBytes(path);
        // "llama" → "falco": same length, an architecture the forward pass does not run.
        var text = System.Text.Encoding.ASCII.GetBytes("llama");
        int at = bytes.AsSpan().IndexOf(text);
        System.Text.Encoding.ASCII.GetBytes("falco").CopyTo(bytes, at);
        string other = tmp.File("other.gguf");
        File.WriteAllBytes(other, bytes);
        var e = Assert.Throws<SimileException>(() => GgufDecoderWeights.Open(other));
        Assert.Contains("falco", e.Message);
        Assert.Contains("qwen2", e.Fix);

        hf.Remove("model.layers.0.mlp.up_proj.weight");
        using var tmp2 = new TempFolder();
        var e2 = Assert.Throws<SimileException>(() => GgufDecoderWeights.Open(Write(tmp2, "llama", hf)));
        Assert.Contains("mlp.up_proj", e2.Message);
    }

    [Fact]
    public void Permutation_map_is_the_inverse_of_the_converters()
    {
        // HF row r = h·hd + j·hd/2 + i lives at GGUF row h·hd + 2i + j.
        Assert.Equal(0, GgufDecoderWeights.GgufRowOf(0, 16));
        Assert.Equal(2, GgufDecoderWeights.GgufRowOf(1, 16));
        Assert.Equal(1, GgufDecoderWeights.GgufRowOf(8, 16));
        Assert.Equal(15, GgufDecoderWeights.GgufRowOf(15, 16));
        Assert.Equal(16 + 3, GgufDecoderWeights.GgufRowOf(16 + 9, 16));
    }
}
