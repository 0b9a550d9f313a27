using Simile.Models.Gguf;

namespace Simile.Tests.Models.Gguf;

/// <summary>llama.cpp's q/k row permutation, written here from its definition (independent of the reader's inverse).</summary>
internal static class LlamaCppPermutation
{
    /// <summary>
    /// GGUF row h·hd + 2i + j holds HF row h·hd + j·hd/2 + i (convert_hf_to_gguf.py's permute for llama-architecture
    /// q_proj/k_proj). <paramref name="toGguf"/>: HF → GGUF order; otherwise GGUF → HF. Rows of <paramref name="cols"/> values.
    /// </summary>
    public static float[] Apply(float[] rows, int heads, int hd, int cols, bool toGguf = true)
    {
        var o = new float[rows.Length];
        for (int h = 0; h < heads; h++)
            for (int i = 0; i < hd / 2; i++)
                for (int j = 0; j < 2; j++)
                {
                    int g = h * hd + 2 * i + j, r = h * hd + j * hd / 2 + i;
                    int from = toGguf ? r : g, to = toGguf ? g : r;
                    Array.Copy(rows, from * cols, o, to * cols, cols);
                }
        return o;
    }
}

/// <summary>
/// A tiny llama-architecture GGUF whose seven projections of every layer are stored quantized (the type chosen per
/// tensor, the blocks made by the caller's quantizer), F32 norms and embeddings, written in llama.cpp's layout (q/k rows
/// permuted). Returns the path and each projection's HF name with its float32 values (HF row order) and type.
/// </summary>
internal static class QuantizedLlamaGguf
{
    public sealed record Shape(int D, int H, int KV, int Hd, int I, int V, int L);

    public static (string Path, Dictionary<string, (float[] Values, GgmlType Type)> Projections) Write(
        TempFolder tmp, string file, Shape s, Func<string, int, GgmlType> typeOf, Func<GgmlType, float[], byte[]> quantize)
    {
        var rng = new Random(3);
        float[] R(int count, double scale) => Enumerable.Range(0, count).Select(_ => (float)((rng.NextDouble() * 2 - 1) * scale)).ToArray();
        var w = new GgufWriter()
            .String("general.architecture", "llama")
            .U32("llama.block_count", (uint)s.L).U32("llama.embedding_length", (uint)s.D).U32("llama.feed_forward_length", (uint)s.I)
            .U32("llama.attention.head_count", (uint)s.H).U32("llama.attention.head_count_kv", (uint)s.KV)
            .F32("llama.attention.layer_norm_rms_epsilon", 1e-5f).F32("llama.rope.freq_base", 10000f)
            .U32("llama.context_length", 128)
            .String("tokenizer.ggml.model", "gpt2")
            .AddArray("tokenizer.ggml.tokens", GgufValueType.String, Enumerable.Range(0, s.V).Select(i => "t" + i).ToArray())
            .TensorF32("token_embd.weight", [s.D, s.V], R(s.V * s.D, 1))
            .TensorF32("output_norm.weight", [s.D], R(s.D, 1).Select(v => 1 + 0.2f * v).ToArray());
        var projections = new Dictionary<string, (float[], GgmlType)>();
        for (int l = 0; l < s.L; l++)
        {
            w.TensorF32($"blk.{l}.attn_norm.weight", [s.D], R(s.D, 1).Select(v => 1 + 0.2f * v).ToArray());
            w.TensorF32($"blk.{l}.ffn_norm.weight", [s.D], R(s.D, 1).Select(v => 1 + 0.2f * v).ToArray());
            foreach (var (gguf, hf, rows, cols) in new[]
            {
                ("attn_q", "self_attn.q_proj", s.H * s.Hd, s.D), ("attn_k", "self_attn.k_proj", s.KV * s.Hd, s.D),
                ("attn_v", "self_attn.v_proj", s.KV * s.Hd, s.D), ("attn_output", "self_attn.o_proj", s.D, s.H * s.Hd),
                ("ffn_gate", "mlp.gate_proj", s.I, s.D), ("ffn_up", "mlp.up_proj", s.I, s.D), ("ffn_down", "mlp.down_proj", s.D, s.I),
            })
            {
                var v = R(rows * cols, 1 / Math.Sqrt(cols) * 1.7);
                var type = typeOf(gguf, l);
                projections[$"model.layers.{l}.{hf}.weight"] = (v, type);
                var stored = gguf == "attn_q" ? LlamaCppPermutation.Apply(v, s.H, s.Hd, cols)
                    : gguf == "attn_k" ? LlamaCppPermutation.Apply(v, s.KV, s.Hd, cols) : v;
                w.Tensor($"blk.{l}.{gguf}.weight", type, [cols, rows], quantize(type, stored));
            }
        }
        return (w.Write(tmp.File(file)), projections);
    }
}

/// <summary>
/// A tiny <c>qwen3moe</c> GGUF in llama.cpp's layout whose attention projections and merged expert tensors
/// (<c>ffn_gate_exps</c>, <c>ffn_up_exps</c> [E × I × D], <c>ffn_down_exps</c> [E × D × I]) are stored in the caller's
/// quantized type (the blocks made by the caller's quantizer; the attention projections may stay F32); norms, router
/// and embeddings F32, q/k norms per head. Returns the path and each merged expert tensor's float32 values by GGUF name
/// (expert after expert, each expert's rows in order).
/// </summary>
internal static class QuantizedMoeGguf
{
    public sealed record Shape(int D, int H, int KV, int Hd, int E, int K, int ExpertI, int V, int L);

    public static (string Path, Dictionary<string, float[]> Experts) Write(TempFolder tmp, string file, Shape s, GgmlType type,
        Func<float[], byte[]> quantize, bool attentionF32 = false)
    {
        var experts = new Dictionary<string, float[]>();
        var rng = new Random(7);
        float[] R(int count, double scale) => Enumerable.Range(0, count).Select(_ => (float)((rng.NextDouble() * 2 - 1) * scale)).ToArray();
        float[] Norm(int count) => R(count, 1).Select(v => 1 + 0.2f * v).ToArray();
        const string a = "qwen3moe";
        var w = new GgufWriter()
            .String("general.architecture", a)
            .U32($"{a}.block_count", (uint)s.L).U32($"{a}.embedding_length", (uint)s.D).U32($"{a}.feed_forward_length", (uint)(2 * s.ExpertI))
            .U32($"{a}.attention.head_count", (uint)s.H).U32($"{a}.attention.head_count_kv", (uint)s.KV)
            .U32($"{a}.attention.key_length", (uint)s.Hd).U32($"{a}.attention.value_length", (uint)s.Hd)
            .F32($"{a}.attention.layer_norm_rms_epsilon", 1e-6f).F32($"{a}.rope.freq_base", 1e6f)
            .U32($"{a}.context_length", 128)
            .U32($"{a}.expert_count", (uint)s.E).U32($"{a}.expert_used_count", (uint)s.K).U32($"{a}.expert_feed_forward_length", (uint)s.ExpertI)
            .String("tokenizer.ggml.model", "gpt2")
            .AddArray("tokenizer.ggml.tokens", GgufValueType.String, Enumerable.Range(0, s.V).Select(i => "t" + i).ToArray())
            .TensorF32("token_embd.weight", [s.D, s.V], R(s.V * s.D, 1))
            .TensorF32("output_norm.weight", [s.D], Norm(s.D));
        for (int l = 0; l < s.L; l++)
        {
            w.TensorF32($"blk.{l}.attn_norm.weight", [s.D], Norm(s.D));
            w.TensorF32($"blk.{l}.ffn_norm.weight", [s.D], Norm(s.D));
            w.TensorF32($"blk.{l}.attn_q_norm.weight", [s.Hd], Norm(s.Hd));
            w.TensorF32($"blk.{l}.attn_k_norm.weight", [s.Hd], Norm(s.Hd));
            foreach (var (name, rows, cols) in new[] { ("attn_q", s.H * s.Hd, s.D), ("attn_k", s.KV * s.Hd, s.D), ("attn_v", s.KV * s.Hd, s.D), ("attn_output", s.D, s.H * s.Hd) })
                if (attentionF32) w.TensorF32($"blk.{l}.{name}.weight", [cols, rows], R(rows * cols, 1.7 / Math.Sqrt(cols)));
                else w.Tensor($"blk.{l}.{name}.weight", type, [cols, rows], quantize(R(rows * cols, 1.7 / Math.Sqrt(cols))));
            w.TensorF32($"blk.{l}.ffn_gate_inp.weight", [s.D, s.E], R(s.E * s.D, 1));
            foreach (var (name, rows, cols) in new[] { ("ffn_gate_exps", s.ExpertI, s.D), ("ffn_up_exps", s.ExpertI, s.D), ("ffn_down_exps", s.D, s.ExpertI) })
            {
                var values = experts[$"blk.{l}.{name}.weight"] = R(s.E * rows * cols, 1.7 / Math.Sqrt(cols));
                w.Tensor($"blk.{l}.{name}.weight", type, [cols, rows, s.E], quantize(values));
            }
        }
        return (w.Write(tmp.File(file)), experts);
    }
}
