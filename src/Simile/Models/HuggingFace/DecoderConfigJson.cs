using System.Text.Json;
using Simile.Engine;

namespace Simile.Models.HuggingFace;

/// <summary>
/// config.json of a Llama-family folder (LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM,
/// GemmaForCausalLM) → <see cref="DecoderConfig"/>, with the defaults of the Hugging Face configuration classes; and
/// the few numbers of any other architecture whose token embeddings are still usable.
/// </summary>
public static class DecoderConfigJson
{
    /// <summary>model_type → family.</summary>
    public static readonly IReadOnlyDictionary<string, DecoderFamily> Families = new Dictionary<string, DecoderFamily>(StringComparer.Ordinal)
    {
        ["llama"] = DecoderFamily.Llama,
        ["mistral"] = DecoderFamily.Mistral,
        ["qwen2"] = DecoderFamily.Qwen2,
        ["qwen3"] = DecoderFamily.Qwen3,
        ["gemma"] = DecoderFamily.Gemma,
    };

    /// <summary>The architectures the native forward pass runs, for messages and the README table.</summary>
    public static readonly string[] SupportedArchitectures =
        ["LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM", "Qwen3ForCausalLM", "GemmaForCausalLM", "BertModel", "GPT2LMHeadModel"];

    public static HuggingFaceConfig Parse(JsonElement r, string path, string modelType)
    {
        var family = Families[modelType];
        string arch = Architecture(r) ?? family switch
        {
            DecoderFamily.Llama => "LlamaForCausalLM",
            DecoderFamily.Mistral => "MistralForCausalLM",
            DecoderFamily.Qwen2 => "Qwen2ForCausalLM",
            DecoderFamily.Qwen3 => "Qwen3ForCausalLM",
            _ => "GemmaForCausalLM",
        };
        int hidden = HuggingFaceConfig.Int(r, path, "hidden_size");
        int layers = HuggingFaceConfig.Int(r, path, "num_hidden_layers");
        int heads = HuggingFaceConfig.Int(r, path, "num_attention_heads");
        int kvHeads = HuggingFaceConfig.Int(r, path, "num_key_value_heads", heads);
        bool explicitHeadDim = r.TryGetProperty("head_dim", out var hd) && hd.ValueKind != JsonValueKind.Null;
        if (!explicitHeadDim && hidden % heads != 0)
            throw new SimileException($"'{path}' ({arch}): hidden_size {hidden} is not a multiple of num_attention_heads {heads}, and no head_dim is given",
                "fix config.json (give head_dim when the heads do not split hidden_size evenly)");
        int headDim = HuggingFaceConfig.Int(r, path, "head_dim", hidden / heads);
        int inter = HuggingFaceConfig.Int(r, path, "intermediate_size");
        int vocab = HuggingFaceConfig.Int(r, path, "vocab_size");
        int maxPos = HuggingFaceConfig.Int(r, path, "max_position_embeddings", 2048);
        double eps = HuggingFaceConfig.Dbl(r, path, "rms_norm_eps", 1e-6);
        double theta = HuggingFaceConfig.Dbl(r, path, "rope_theta", 10000);
        string where = $"'{path}' ({arch})";
        if (heads % kvHeads != 0)
            throw new SimileException($"{where}: num_attention_heads {heads} is not a multiple of num_key_value_heads {kvHeads}", "fix config.json");
        if (headDim % 2 != 0)
            throw new SimileException($"{where}: head_dim {headDim} is odd, so rotary embeddings do not apply", "fix config.json");
        if (!(eps > 0 && eps <= 1))
            throw new SimileException($"{where}: rms_norm_eps {eps} is not in (0, 1]", "fix config.json");
        if (!(theta > 1) || double.IsInfinity(theta))
            throw new SimileException($"{where}: rope_theta {theta} is not a number above 1", "fix config.json");

        bool gemma = family == DecoderFamily.Gemma;
        string act = gemma
            ? HuggingFaceConfig.Str(r, path, "hidden_activation", "gelu_pytorch_tanh")
            : HuggingFaceConfig.Str(r, path, "hidden_act", "silu");
        if (gemma ? act is not ("gelu_pytorch_tanh" or "gelu_tanh" or "gelu_new") : act != "silu")
            throw new SimileException($"{where}: activation \"{act}\" is not supported (the native {family} pass uses {(gemma ? "gelu_pytorch_tanh" : "silu")})",
                "use a checkpoint with the family's standard activation");
        if (True(r, "mlp_bias"))
            throw new SimileException($"{where}: mlp_bias = true is not supported by the native pass", "use a checkpoint without MLP biases");
        bool attentionBias = family == DecoderFamily.Qwen2 || True(r, "attention_bias");
        if (attentionBias && family is not (DecoderFamily.Qwen2 or DecoderFamily.Qwen3))
            throw new SimileException($"{where}: attention_bias = true is not supported for {family} by the native pass", "use a checkpoint without attention biases");
        if (family == DecoderFamily.Qwen3 && attentionBias)
            throw new SimileException($"{where}: attention_bias = true is not supported for Qwen3 by the native pass", "use a checkpoint without attention biases");
        if (r.TryGetProperty("partial_rotary_factor", out var prf) && prf.ValueKind == JsonValueKind.Number && prf.GetDouble() != 1.0)
            throw new SimileException($"{where}: partial_rotary_factor {prf.GetRawText()} is not supported (rotary on the whole head only)", "use a standard checkpoint");

        // Sliding-window attention (Mistral, Qwen2 with use_sliding_window) equals full attention on texts no longer
        // than the window, so the window bounds the text length instead.
        if (r.TryGetProperty("sliding_window", out var sw) && sw.ValueKind == JsonValueKind.Number && sw.TryGetInt32(out int window) && window > 0
            && (family == DecoderFamily.Mistral || True(r, "use_sliding_window")))
            maxPos = Math.Min(maxPos, window);

        var scaling = RopeScalingOf(r, where);
        bool tied = r.TryGetProperty("tie_word_embeddings", out var tie) ? tie.ValueKind == JsonValueKind.True : gemma;
        var config = new DecoderConfig(arch, family, hidden, layers, heads, kvHeads, headDim, inter, vocab, eps, theta, scaling, maxPos,
            AttentionBias: attentionBias,
            QueryKeyNorm: family == DecoderFamily.Qwen3,
            ScaleEmbeddings: gemma,
            NormWeightPlusOne: gemma,
            GeluTanhMlp: gemma,
            TiedEmbeddings: tied).Checked(where, "fix config.json");
        foreach (var (name, a, b) in new[] { ("vocab × hidden", vocab, hidden), ("intermediate × hidden", inter, hidden) })
            if ((long)a * b > int.MaxValue)
                throw new SimileException($"{where}: {name} = {(long)a * b} elements is larger than one tensor Simile reads", "use a smaller model");
        return new HuggingFaceConfig(modelType, hidden, layers, heads, inter, maxPos, 0, vocab, eps, act) { Decoder = config };
    }

    /// <summary>
    /// Any other architecture: only what the token-embedding matrix needs (its shape is read from the tensor itself),
    /// with <see cref="HuggingFaceConfig.Unsupported"/> saying why the forward pass does not run it.
    /// </summary>
    public static HuggingFaceConfig TokenEmbeddingsOnly(JsonElement r, string path, string modelType)
    {
        string arch = Architecture(r) ?? modelType;
        // The first of the names that is present; a size given as zero or less is a damaged file, not an absent field.
        int First(params string[] names)
        {
            foreach (var n in names)
                if (r.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.Number)
                {
                    if (v.TryGetInt32(out int i) && i > 0) return i;
                    throw new SimileException($"'{path}': field '{n}' is {v.GetRawText()}, expected a positive integer", $"fix \"{n}\" in config.json");
                }
            return 0;
        }
        string why = $"architecture {arch} (model_type \"{modelType}\") is not run by the native forward pass; supported: {string.Join(", ", SupportedArchitectures)}";
        return new HuggingFaceConfig(modelType, First("hidden_size", "n_embd", "d_model", "dim", "word_embed_proj_dim"),
            First("num_hidden_layers", "n_layer", "num_layers", "n_layers"), First("num_attention_heads", "n_head", "num_heads", "n_heads"),
            First("intermediate_size", "n_inner", "ffn_dim"), First("max_position_embeddings", "n_positions", "max_seq_len"), 0,
            First("vocab_size"), 1e-5, "unknown") { Unsupported = why };
    }

    private static string? Architecture(JsonElement r) =>
        r.TryGetProperty("architectures", out var a) && a.ValueKind == JsonValueKind.Array && a.GetArrayLength() > 0
        && a[0].ValueKind == JsonValueKind.String ? a[0].GetString() : null;

    private static bool True(JsonElement r, string name) => r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    /// <summary>rope_scaling: null / "default" → none; "linear" (factor); "llama3" (factor, low/high_freq_factor,
    /// original_max_position_embeddings). Other types change the frequencies in ways the native pass does not follow.</summary>
    private static RopeScaling? RopeScalingOf(JsonElement r, string where)
    {
        if (!r.TryGetProperty("rope_scaling", out var s) || s.ValueKind == JsonValueKind.Null) return null;
        if (s.ValueKind != JsonValueKind.Object)
            throw new SimileException($"{where}: rope_scaling is {s.GetRawText()}, expected an object or null", "fix config.json");
        string type = s.TryGetProperty("rope_type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()!
            : s.TryGetProperty("type", out var t2) && t2.ValueKind == JsonValueKind.String ? t2.GetString()! : "default";
        double Num(string name, double fallback)
        {
            if (!s.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return fallback;
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out double d) || !(d > 0) || double.IsInfinity(d))
                throw new SimileException($"{where}: rope_scaling.{name} is {v.GetRawText()}, expected a positive number", "fix config.json");
            return d;
        }
        switch (type)
        {
            case "default":
                return null;
            case "linear":
                return new RopeScaling(RopeScalingKind.Linear, Num("factor", 1));
            case "llama3":
            {
                double low = Num("low_freq_factor", 1), high = Num("high_freq_factor", 4);
                if (high <= low)
                    throw new SimileException($"{where}: rope_scaling high_freq_factor {high} is not above low_freq_factor {low}", "fix config.json");
                return new RopeScaling(RopeScalingKind.Llama3, Num("factor", 8), low, high, (int)Num("original_max_position_embeddings", 8192));
            }
            default:
                throw new SimileException($"{where}: rope_scaling type \"{type}\" is not supported by the native pass (linear and llama3 are)",
                    "use a checkpoint with rope_scaling null, linear or llama3");
        }
    }
}
