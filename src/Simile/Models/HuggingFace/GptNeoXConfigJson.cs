using System.Text.Json;
using Simile.Engine;

namespace Simile.Models.HuggingFace;

/// <summary>
/// config.json of a GPT-NeoX folder (<c>GPTNeoXForCausalLM</c>, model_type <c>gpt_neox</c>: Pythia, GPT-NeoX-20B) →
/// <see cref="DecoderConfig"/> (family <see cref="DecoderFamily.GptNeoX"/>), with the defaults of Hugging Face's
/// GPTNeoXConfig: rotary_pct 0.25 (also spelled partial_rotary_factor), rotary_emb_base 10000 (rope_theta),
/// use_parallel_residual true, attention_bias true, layer_norm_eps 1e-5, hidden_act "gelu", untied embed_out.
/// The layer-norm epsilon travels in <see cref="DecoderConfig.RmsNormEpsilon"/> (the one norm epsilon of a decoder).
/// </summary>
public static class GptNeoXConfigJson
{
    public static HuggingFaceConfig Parse(JsonElement r, string path)
    {
        string arch = r.TryGetProperty("architectures", out var a) && a.ValueKind == JsonValueKind.Array && a.GetArrayLength() > 0
            && a[0].ValueKind == JsonValueKind.String ? a[0].GetString()! : "GPTNeoXForCausalLM";
        string where = $"'{path}' ({arch})";
        int hidden = HuggingFaceConfig.Int(r, path, "hidden_size");
        int layers = HuggingFaceConfig.Int(r, path, "num_hidden_layers");
        int heads = HuggingFaceConfig.Int(r, path, "num_attention_heads");
        int inter = HuggingFaceConfig.Int(r, path, "intermediate_size");
        int vocab = HuggingFaceConfig.Int(r, path, "vocab_size");
        int maxPos = HuggingFaceConfig.Int(r, path, "max_position_embeddings", 2048);
        double eps = HuggingFaceConfig.Dbl(r, path, "layer_norm_eps", 1e-5);
        double pct = HuggingFaceConfig.Dbl(r, path, "rotary_pct", HuggingFaceConfig.Dbl(r, path, "partial_rotary_factor", 0.25));
        double theta = HuggingFaceConfig.Dbl(r, path, "rotary_emb_base", HuggingFaceConfig.Dbl(r, path, "rope_theta", 10000));
        string act = HuggingFaceConfig.Str(r, path, "hidden_act", "gelu");
        bool parallel = Flag(r, path, "use_parallel_residual", true);
        bool bias = Flag(r, path, "attention_bias", true);
        bool tied = Flag(r, path, "tie_word_embeddings", false);

        if (hidden % heads != 0)
            throw new SimileException($"{where}: hidden_size {hidden} is not a multiple of num_attention_heads {heads}", "fix config.json");
        int hd = hidden / heads;
        if (!(pct >= 0 && pct <= 1))
            throw new SimileException($"{where}: rotary_pct {pct} is not in [0, 1]", "fix config.json");
        int rotary = (int)(hd * pct);                               // HF: int(head_size * rotary_pct)
        if (rotary % 2 != 0 || rotary == 0)
            throw new SimileException($"{where}: rotary_pct {pct} of head size {hd} gives {rotary} rotary dimensions (it must be a positive even number)", "fix config.json");
        if (!(eps > 0 && eps <= 1))
            throw new SimileException($"{where}: layer_norm_eps {eps} is not in (0, 1]", "fix config.json");
        if (!(theta > 1) || double.IsInfinity(theta))
            throw new SimileException($"{where}: rotary_emb_base {theta} is not a number above 1", "fix config.json");
        bool tanh = act switch
        {
            "gelu" => false,
            "gelu_new" or "gelu_fast" or "gelu_pytorch_tanh" => true,
            _ => throw new SimileException($"{where}: hidden_act \"{act}\" is not supported (gelu, gelu_new, gelu_fast, gelu_pytorch_tanh are)",
                "use a checkpoint with a GELU activation"),
        };
        RopeScaling? scaling = null;
        if (r.TryGetProperty("rope_scaling", out var rs) && rs.ValueKind != JsonValueKind.Null)
        {
            string type = rs.ValueKind == JsonValueKind.Object && (rs.TryGetProperty("type", out var t) || rs.TryGetProperty("rope_type", out t))
                && t.ValueKind == JsonValueKind.String ? t.GetString()! : "?";
            double factor = rs.ValueKind == JsonValueKind.Object && rs.TryGetProperty("factor", out var f) && f.ValueKind == JsonValueKind.Number ? f.GetDouble() : double.NaN;
            if (type == "default") { }
            else if (type == "linear" && factor > 0 && !double.IsInfinity(factor)) scaling = new RopeScaling(RopeScalingKind.Linear, factor);
            else throw new SimileException($"{where}: rope_scaling {rs.GetRawText()} is not supported (null or linear with a positive factor)",
                "use a checkpoint without rope_scaling");
        }
        if (3L * hidden * hidden > int.MaxValue || (long)vocab * hidden > int.MaxValue || (long)inter * hidden > int.MaxValue)
            throw new SimileException($"{where}: a tensor of this model is larger than one tensor Simile reads", "use a smaller model");

        var config = new DecoderConfig(arch, DecoderFamily.GptNeoX, hidden, layers, heads, heads, hd, inter, vocab, eps, theta, scaling, maxPos,
            AttentionBias: bias, QueryKeyNorm: false, ScaleEmbeddings: false, NormWeightPlusOne: false, GeluTanhMlp: tanh, TiedEmbeddings: tied)
        {
            RotaryDims = rotary,
            ParallelResidual = parallel,
        }.Checked(where, "fix config.json");
        return new HuggingFaceConfig("gpt_neox", hidden, layers, heads, inter, maxPos, 0, vocab, eps, act) { Decoder = config };
    }

    private static bool Flag(JsonElement r, string path, string name, bool fallback)
    {
        if (!r.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return fallback;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new SimileException($"'{path}': field '{name}' is {v.GetRawText()}, expected true or false", $"fix \"{name}\" in config.json"),
        };
    }
}
