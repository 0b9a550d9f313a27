using System.Text.Json;
using Simile.Engine;

namespace Simile.Models.HuggingFace;

/// <summary>
/// The mixture-of-experts numbers of a Mixtral or Qwen3-MoE config.json, with the defaults of Hugging Face's
/// MixtralConfig (num_local_experts 8, num_experts_per_tok 2; every layer sparse, the top-k weights always
/// renormalised, each expert intermediate_size wide) and Qwen3MoeConfig (num_experts 128, num_experts_per_tok 8,
/// moe_intermediate_size 768, norm_topk_prob false, decoder_sparse_step 1, mlp_only_layers []: layer l is sparse when
/// it is not in mlp_only_layers and (l + 1) is a multiple of decoder_sparse_step; a dense layer uses intermediate_size).
/// </summary>
public static class MoeConfigJson
{
    public static DecoderConfig WithExperts(JsonElement r, string path, string where, DecoderConfig c)
    {
        bool mixtral = c.Family == DecoderFamily.Mixtral;
        int experts = HuggingFaceConfig.Int(r, path, mixtral ? "num_local_experts" : "num_experts", mixtral ? 8 : 128);
        int perToken = HuggingFaceConfig.Int(r, path, "num_experts_per_tok", mixtral ? 2 : 8);
        int width = mixtral ? c.Intermediate : HuggingFaceConfig.Int(r, path, "moe_intermediate_size", 768);
        if (perToken > experts)
            throw new SimileException($"{where}: num_experts_per_tok {perToken} is more than the {experts} experts", "fix config.json");
        bool normalise = mixtral || (r.TryGetProperty("norm_topk_prob", out var n) && n.ValueKind == JsonValueKind.True);
        IReadOnlyList<bool>? sparse = null;
        if (!mixtral)
        {
            int step = HuggingFaceConfig.Int(r, path, "decoder_sparse_step", 1);
            var dense = new HashSet<int>();
            if (r.TryGetProperty("mlp_only_layers", out var only) && only.ValueKind != JsonValueKind.Null)
            {
                if (only.ValueKind != JsonValueKind.Array)
                    throw new SimileException($"{where}: mlp_only_layers is {only.GetRawText()}, expected a list of layer numbers", "fix config.json");
                foreach (var e in only.EnumerateArray())
                {
                    if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out int l) || l < 0 || l >= c.Layers)
                        throw new SimileException($"{where}: mlp_only_layers has {e.GetRawText()}, not a layer number below {c.Layers}", "fix config.json");
                    dense.Add(l);
                }
            }
            sparse = Enumerable.Range(0, c.Layers).Select(l => !dense.Contains(l) && (l + 1) % step == 0).ToArray();
        }
        if ((long)experts * c.Hidden > int.MaxValue || 2L * width * c.Hidden > int.MaxValue)
            throw new SimileException($"{where}: an expert or the router is larger than one tensor Simile reads", "use a smaller model");
        return c with { Experts = experts, ExpertsPerToken = perToken, ExpertIntermediate = width, NormalizeTopK = normalise, SparseLayers = sparse };
    }
}
