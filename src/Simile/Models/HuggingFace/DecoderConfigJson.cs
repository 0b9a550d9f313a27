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
        ["gemma2"] = DecoderFamily.Gemma2,
        ["gemma3_text"] = DecoderFamily.Gemma3,
        ["gemma3"] = DecoderFamily.Gemma3,          // Gemma3ForConditionalGeneration: its text_config
        ["phi3"] = DecoderFamily.Phi3,
        ["olmo2"] = DecoderFamily.Olmo2,
        ["mixtral"] = DecoderFamily.Mixtral,
        ["qwen3_moe"] = DecoderFamily.Qwen3Moe,
    };

    /// <summary>The architectures the native forward pass runs, for messages and the README table.</summary>
    public static readonly string[] SupportedArchitectures =
        ["LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM", "Qwen3ForCausalLM", "GemmaForCausalLM", "Gemma2ForCausalLM",
         "Gemma3ForCausalLM", "Gemma3ForConditionalGeneration (its language model)", "Phi3ForCausalLM", "Olmo2ForCausalLM",
         "BertModel", "GPT2LMHeadModel", "GPTNeoXForCausalLM", "RobertaModel", "XLMRobertaModel", "MixtralForCausalLM", "Qwen3MoeForCausalLM"];

    /// <summary>Defaults of the Hugging Face configuration classes where a family's differ from "required".</summary>
    private static int? DefaultInt(DecoderFamily f, string name) => (f, name) switch
    {
        (DecoderFamily.Gemma2, "vocab_size") => 256000,
        (DecoderFamily.Gemma2, "hidden_size") => 2304,
        (DecoderFamily.Gemma2, "intermediate_size") => 9216,
        (DecoderFamily.Gemma2, "num_hidden_layers") => 26,
        (DecoderFamily.Gemma2 or DecoderFamily.Gemma3, "num_attention_heads") => 8,
        (DecoderFamily.Gemma2 or DecoderFamily.Gemma3, "head_dim") => 256,
        (DecoderFamily.Gemma2 or DecoderFamily.Gemma3, "query_pre_attn_scalar") => 256,
        (DecoderFamily.Gemma2 or DecoderFamily.Gemma3, "sliding_window") => 4096,
        (DecoderFamily.Gemma2, "max_position_embeddings") => 8192,
        (DecoderFamily.Gemma3, "vocab_size") => 262208,
        (DecoderFamily.Gemma3, "hidden_size") => 2304,
        (DecoderFamily.Gemma3, "intermediate_size") => 9216,
        (DecoderFamily.Gemma3, "num_hidden_layers") => 26,
        (DecoderFamily.Gemma3, "max_position_embeddings") => 131072,
        (DecoderFamily.Gemma3, "sliding_window_pattern") => 6,
        (DecoderFamily.Phi3, "max_position_embeddings") => 4096,
        (DecoderFamily.Olmo2, "max_position_embeddings") => 2048,
        _ => null,
    };

    public static HuggingFaceConfig Parse(JsonElement root, string path, string modelType)
    {
        var family = Families[modelType];
        string arch = Architecture(root) ?? family switch
        {
            DecoderFamily.Llama => "LlamaForCausalLM",
            DecoderFamily.Mistral => "MistralForCausalLM",
            DecoderFamily.Qwen2 => "Qwen2ForCausalLM",
            DecoderFamily.Qwen3 => "Qwen3ForCausalLM",
            DecoderFamily.Gemma2 => "Gemma2ForCausalLM",
            DecoderFamily.Gemma3 => modelType == "gemma3" ? "Gemma3ForConditionalGeneration" : "Gemma3ForCausalLM",
            DecoderFamily.Phi3 => "Phi3ForCausalLM",
            DecoderFamily.Olmo2 => "Olmo2ForCausalLM",
            DecoderFamily.Mixtral => "MixtralForCausalLM",
            DecoderFamily.Qwen3Moe => "Qwen3MoeForCausalLM",
            _ => "GemmaForCausalLM",
        };
        string where = $"'{path}' ({arch})";
        // Gemma3ForConditionalGeneration: the language model is text_config (a Gemma3TextConfig); the vision tower is ignored
        var r = root;
        if (modelType == "gemma3")
        {
            if (!root.TryGetProperty("text_config", out r) || r.ValueKind != JsonValueKind.Object)
                throw new SimileException($"{where}: model_type \"gemma3\" has no object 'text_config' (the language model's settings)", "fix config.json");
        }
        int Int(string name, int? fallback = null) => HuggingFaceConfig.Int(r, path, name, fallback ?? DefaultInt(family, name));
        int hidden = Int("hidden_size");
        int layers = Int("num_hidden_layers");
        int heads = Int("num_attention_heads");
        int kvHeads = Int("num_key_value_heads", family is DecoderFamily.Gemma2 or DecoderFamily.Gemma3 ? 4 : heads);
        int? derivedHeadDim = DefaultInt(family, "head_dim") ?? (hidden % heads == 0 ? hidden / heads : null);
        if (derivedHeadDim is null && !(r.TryGetProperty("head_dim", out var hd) && hd.ValueKind != JsonValueKind.Null))
            throw new SimileException($"{where}: hidden_size {hidden} is not a multiple of num_attention_heads {heads}, and no head_dim is given",
                "fix config.json (give head_dim when the heads do not split hidden_size evenly)");
        int headDim = Int("head_dim", derivedHeadDim);
        int inter = Int("intermediate_size");
        int vocab = Int("vocab_size", family == DecoderFamily.Phi3 ? 32064 : null);
        int maxPos = Int("max_position_embeddings", DefaultInt(family, "max_position_embeddings") ?? 2048);
        double eps = HuggingFaceConfig.Dbl(r, path, "rms_norm_eps", family is DecoderFamily.Phi3 or DecoderFamily.Olmo2 ? 1e-5 : 1e-6);
        double theta = HuggingFaceConfig.Dbl(r, path, "rope_theta", family == DecoderFamily.Gemma3 ? 1e6 : 10000);
        if (heads % kvHeads != 0)
            throw new SimileException($"{where}: num_attention_heads {heads} is not a multiple of num_key_value_heads {kvHeads}", "fix config.json");
        if (headDim % 2 != 0)
            throw new SimileException($"{where}: head_dim {headDim} is odd, so rotary embeddings do not apply", "fix config.json");
        if (!(eps > 0 && eps <= 1))
            throw new SimileException($"{where}: rms_norm_eps {eps} is not in (0, 1]", "fix config.json");
        if (!(theta > 1) || double.IsInfinity(theta))
            throw new SimileException($"{where}: rope_theta {theta} is not a number above 1", "fix config.json");

        bool gemma = family is DecoderFamily.Gemma or DecoderFamily.Gemma2 or DecoderFamily.Gemma3;
        string act = gemma
            ? HuggingFaceConfig.Str(r, path, "hidden_activation", "gelu_pytorch_tanh")
            : HuggingFaceConfig.Str(r, path, "hidden_act", "silu");
        if (gemma ? act is not ("gelu_pytorch_tanh" or "gelu_tanh" or "gelu_new") : act != "silu")
            throw new SimileException($"{where}: activation \"{act}\" is not supported (the native {family} pass uses {(gemma ? "gelu_pytorch_tanh" : "silu")})",
                "use a checkpoint with the family's standard activation");
        if (True(r, "mlp_bias"))
            throw new SimileException($"{where}: mlp_bias = true is not supported by the native pass", "use a checkpoint without MLP biases");
        if (True(r, "use_bidirectional_attention"))
            throw new SimileException($"{where}: use_bidirectional_attention = true (an embedding model) is not supported by the native causal pass", "use a causal checkpoint");
        bool attentionBias = family == DecoderFamily.Qwen2 || True(r, "attention_bias");
        if (attentionBias && family != DecoderFamily.Qwen2)
            throw new SimileException($"{where}: attention_bias = true is not supported for {family} by the native pass", "use a checkpoint without attention biases");

        // Phi-3: partial_rotary_factor (rotary on int(hd · factor) values); others rotate the whole head
        int rotaryDims = headDim;
        if (r.TryGetProperty("partial_rotary_factor", out var prf) && prf.ValueKind == JsonValueKind.Number && prf.GetDouble() != 1.0)
        {
            double factor = prf.GetDouble();
            if (family != DecoderFamily.Phi3)
                throw new SimileException($"{where}: partial_rotary_factor {prf.GetRawText()} is not supported for {family} (rotary on the whole head only)", "use a standard checkpoint");
            rotaryDims = (int)(headDim * factor);
            if (!(factor > 0 && factor <= 1) || rotaryDims < 2 || rotaryDims % 2 != 0)
                throw new SimileException($"{where}: partial_rotary_factor {prf.GetRawText()} gives {rotaryDims} rotary values of a {headDim}-value head, not an even number ≥ 2", "fix config.json");
        }

        // Sliding windows. Mistral, Qwen2 (use_sliding_window): a window on every layer equals full attention on texts no
        // longer than it, so the window bounds the text length. Phi-3: every layer windowed as the HF mask does.
        // Gemma 2/3: the layers layer_types marks "sliding_attention" (default: Gemma 2 every other layer from 0,
        // Gemma 3 all but every sliding_window_pattern-th).
        int window = 0;
        IReadOnlyList<bool>? slidingLayers = null;
        int? configWindow = r.TryGetProperty("sliding_window", out var sw) && sw.ValueKind == JsonValueKind.Number
            ? HuggingFaceConfig.Int(r, path, "sliding_window") : null;
        if (configWindow is { } cw && (family is DecoderFamily.Mistral or DecoderFamily.Mixtral || True(r, "use_sliding_window")))
            maxPos = Math.Min(maxPos, cw);
        if (family == DecoderFamily.Phi3 && configWindow is { } pw)
            window = pw;
        if (family is DecoderFamily.Gemma2 or DecoderFamily.Gemma3)
        {
            window = configWindow ?? DefaultInt(family, "sliding_window")!.Value;
            slidingLayers = LayerTypes(r, path, where, layers,
                family == DecoderFamily.Gemma2 ? 2 : HuggingFaceConfig.Int(r, path, "sliding_window_pattern", 6));
        }

        var scaling = RopeScalingOf(r, where);
        if (family == DecoderFamily.Phi3 && scaling is not null)
            throw new SimileException($"{where}: Phi-3 rope_scaling other than none is not supported by the native pass", "use a checkpoint with rope_scaling null");
        bool tied = r.TryGetProperty("tie_word_embeddings", out var tie) ? tie.ValueKind == JsonValueKind.True
            : root.TryGetProperty("tie_word_embeddings", out var rootTie) ? rootTie.ValueKind == JsonValueKind.True
            : gemma;
        double softCap = 0, queryScale = 0;
        if (family is DecoderFamily.Gemma2 or DecoderFamily.Gemma3)
        {
            softCap = HuggingFaceConfig.Dbl(r, path, "attn_logit_softcapping", family == DecoderFamily.Gemma2 ? 50.0 : 0);
            double scalar = HuggingFaceConfig.Dbl(r, path, "query_pre_attn_scalar", 256);
            if (!(scalar > 0) || double.IsInfinity(scalar))
                throw new SimileException($"{where}: query_pre_attn_scalar {scalar} is not a positive number", "fix config.json");
            if (softCap < 0 || double.IsNaN(softCap) || double.IsInfinity(softCap))
                throw new SimileException($"{where}: attn_logit_softcapping {softCap} is not a positive number or null", "fix config.json");
            queryScale = 1 / Math.Sqrt(scalar);
        }
        double localTheta = family == DecoderFamily.Gemma3 ? HuggingFaceConfig.Dbl(r, path, "rope_local_base_freq", 10000) : 0;
        if (family == DecoderFamily.Gemma3 && (!(localTheta > 1) || double.IsInfinity(localTheta)))
            throw new SimileException($"{where}: rope_local_base_freq {localTheta} is not a number above 1", "fix config.json");
        var config = new DecoderConfig(arch, family, hidden, layers, heads, kvHeads, headDim, inter, vocab, eps, theta, scaling, maxPos,
            AttentionBias: attentionBias,
            QueryKeyNorm: family is DecoderFamily.Qwen3 or DecoderFamily.Qwen3Moe or DecoderFamily.Gemma3 or DecoderFamily.Olmo2,
            ScaleEmbeddings: gemma,
            NormWeightPlusOne: gemma,
            GeluTanhMlp: gemma,
            TiedEmbeddings: tied)
        {
            Norms = family switch
            {
                DecoderFamily.Gemma2 or DecoderFamily.Gemma3 => NormPlacement.Sandwich,
                DecoderFamily.Olmo2 => NormPlacement.Post,
                _ => NormPlacement.Pre,
            },
            QueryKeyNormOverProjection = family == DecoderFamily.Olmo2,
            RotaryDims = rotaryDims,
            QueryScale = queryScale,
            AttentionSoftCap = softCap,
            SlidingWindow = window,
            SlidingLayers = slidingLayers,
            LocalRopeTheta = localTheta,
            FusedProjections = family == DecoderFamily.Phi3,
        };
        if (family is DecoderFamily.Mixtral or DecoderFamily.Qwen3Moe) config = MoeConfigJson.WithExperts(r, path, where, config);
        config = config.Checked(where, "fix config.json");
        foreach (var (name, a, b) in new[] { ("vocab × hidden", vocab, hidden), ("intermediate × hidden", inter, hidden) })
            if ((long)a * b > int.MaxValue)
                throw new SimileException($"{where}: {name} = {(long)a * b} elements is larger than one tensor Simile reads", "use a smaller model");
        return new HuggingFaceConfig(modelType, hidden, layers, heads, inter, maxPos, 0, vocab, eps, act) { Decoder = config };
    }

    /// <summary>
    /// Which layers use sliding-window attention: <c>layer_types</c> ("sliding_attention" / "full_attention") when given,
    /// otherwise layer i slides unless (i + 1) is a multiple of <paramref name="pattern"/> (HF's default layer_types).
    /// </summary>
    private static bool[] LayerTypes(JsonElement r, string path, string where, int layers, int pattern)
    {
        var sliding = new bool[layers];
        if (r.TryGetProperty("layer_types", out var lt) && lt.ValueKind == JsonValueKind.Array)
        {
            if (lt.GetArrayLength() != layers)
                throw new SimileException($"{where}: layer_types has {lt.GetArrayLength()} entries for {layers} layers", "fix config.json");
            int i = 0;
            foreach (var e in lt.EnumerateArray())
            {
                string? type = e.ValueKind == JsonValueKind.String ? e.GetString() : null;
                sliding[i++] = type switch
                {
                    "sliding_attention" => true,
                    "full_attention" => false,
                    _ => throw new SimileException($"{where}: layer_types[{i - 1}] is {e.GetRawText()}, expected \"sliding_attention\" or \"full_attention\"", "fix config.json"),
                };
            }
            return sliding;
        }
        for (int i = 0; i < layers; i++) sliding[i] = (i + 1) % pattern != 0;
        return sliding;
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
