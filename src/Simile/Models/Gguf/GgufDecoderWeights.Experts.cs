using System.Globalization;
using System.Text.RegularExpressions;
using Simile.Engine;

namespace Simile.Models.Gguf;

/// <summary>
/// Mixture-of-experts files: Mixtral as llama.cpp's converter writes it (architecture <c>llama</c> with
/// <c>llama.expert_count</c> and <c>llama.expert_used_count</c>) and <c>qwen3moe</c>. The router <c>ffn_gate_inp</c>
/// [E × D] and the merged expert tensors <c>ffn_{gate,up,down}_exps</c> ([E × I × D], [E × D × I] in numpy order) are
/// handed out under the Hugging Face names of one expert (Mixtral <c>block_sparse_moe.experts.{e}.w1|w3|w2</c>,
/// Qwen3-MoE <c>mlp.experts.{e}.gate_proj|up_proj|down_proj</c>): expert e is rows e·R … (e+1)·R − 1 of the merged
/// tensor seen as a matrix, dequantized alone. What the file does not say is taken as llama.cpp takes it: the top-k
/// weights are always renormalised (llama.cpp's <c>build_moe_ffn</c> for both architectures), every layer is sparse,
/// and a Qwen3-MoE file without <c>expert_feed_forward_length</c> has experts feed_forward_length / expert_used_count wide.
/// </summary>
public sealed partial class GgufDecoderWeights
{
    [GeneratedRegex(@"^model\.layers\.(\d{1,6})\.(?:block_sparse_moe\.experts\.(\d{1,6})\.(w1|w2|w3)|mlp\.experts\.(\d{1,6})\.(gate_proj|up_proj|down_proj))\.weight$")]
    private static partial Regex ExpertName();

    /// <summary>Mixtral names its router block_sparse_moe.gate.</summary>
    private void RenameRouters()
    {
        if (Config.Family != DecoderFamily.Mixtral) return;
        foreach (var name in _byHfName.Keys.Where(k => k.EndsWith(".mlp.gate.weight", StringComparison.Ordinal)).ToList())
        {
            _byHfName[name.Replace(".mlp.gate.weight", ".block_sparse_moe.gate.weight", StringComparison.Ordinal)] = _byHfName[name];
            _byHfName.Remove(name);
        }
    }

    /// <summary>The merged tensor and the expert an HF expert name refers to, or null.</summary>
    private (GgufTensorInfo Tensor, int Expert)? ExpertSlice(string name)
    {
        if (Config.Experts == 0 || !name.Contains(".experts.", StringComparison.Ordinal)) return null;
        var m = ExpertName().Match(name);
        if (!m.Success) return null;
        bool mixtral = m.Groups[2].Success;
        if (mixtral != (Config.Family == DecoderFamily.Mixtral)) return null;
        string part = mixtral ? m.Groups[3].Value switch { "w1" => "gate_proj", "w3" => "up_proj", _ => "down_proj" } : m.Groups[5].Value;
        int expert = int.Parse(mixtral ? m.Groups[2].Value : m.Groups[4].Value, CultureInfo.InvariantCulture);
        string layer = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        if (!_byHfName.TryGetValue($"model.layers.{layer}.mlp.experts.{part}.weight", out var t) || t.Dims.Length != 3) return null;
        if (expert >= t.Dims[2]) return null;
        return (t, expert);
    }

    /// <summary>Dequantizes one expert's rows of a merged expert tensor; false when the name is not an expert's.</summary>
    private bool ReadExpert(string name, Span<float> destination)
    {
        if (ExpertSlice(name) is not var (t, e)) return false;
        long rows = t.Dims[1], cols = t.Dims[0];
        if (destination.Length != rows * cols)
            throw new ArgumentException($"'{name}' has {rows * cols} values, destination {destination.Length}");
        var map = new int[rows];
        for (int r = 0; r < rows; r++) map[r] = checked((int)(e * rows + r));
        _file.DequantizeRows(t, map, destination);
        return true;
    }

    /// <summary>The expert settings of the file's metadata (none without <c>{arch}.expert_count</c>).</summary>
    private static DecoderConfig WithExperts(GgufFile f, string arch, DecoderConfig c)
    {
        int experts = f.GetInt($"{arch}.expert_count", 0, 1 << 16) ?? 0;
        if (experts == 0)
        {
            if (c.Family == DecoderFamily.Qwen3Moe)
                throw new SimileException($"GGUF file '{f.Path}' lacks '{arch}.expert_count'", "use a complete model file written by llama.cpp's converter");
            return c;
        }
        int used = f.GetInt($"{arch}.expert_used_count", 1, 1 << 16)
            ?? throw new SimileException($"GGUF file '{f.Path}' lacks '{arch}.expert_used_count'", "use a complete model file written by llama.cpp's converter");
        if (used > experts)
            throw new SimileException($"GGUF file '{f.Path}': {used} experts per token is more than the {experts} experts",
                "the hyper-parameters are corrupt: convert the model again");
        int width = f.GetInt($"{arch}.expert_feed_forward_length", 1, 1 << 24)
            ?? (c.Family == DecoderFamily.Qwen3Moe ? c.Intermediate / used : c.Intermediate);
        var family = c.Family == DecoderFamily.Llama ? DecoderFamily.Mixtral : c.Family;
        string hf = family == DecoderFamily.Mixtral ? "MixtralForCausalLM" : c.Architecture;
        return c with
        {
            Family = family, Architecture = hf,
            Experts = experts, ExpertsPerToken = used, ExpertIntermediate = width, NormalizeTopK = true, SparseLayers = null,
        };
    }
}
