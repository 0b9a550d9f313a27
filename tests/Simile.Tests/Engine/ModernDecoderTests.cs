using System.Globalization;
using Simile.Engine;
using Simile.Models;
using Simile.Models.HuggingFace;
using Simile.Tests.Models.HuggingFace;
using Xunit;

namespace Simile.Tests.Engine;

/// <summary>
/// Tiny random Gemma 2, Gemma 3 (text, and the language model of Gemma3ForConditionalGeneration), Phi-3 and OLMo 2
/// checkpoints in the Hugging Face layouts (tensor names, fused Phi-3 projections, config.json keys), through the native
/// pass, against a naive float64 forward pass written below from the published modeling files (modeling_gemma2.py,
/// modeling_gemma3.py, modeling_phi3.py, modeling_olmo2.py, masking_utils.sliding_window_overlay) with plain loops and
/// no engine code. Windows, soft-caps and query scalars are set small so that each one changes the numbers.
/// </summary>
public class ModernDecoderTests
{
    internal sealed record Spec(string ModelType, string Architecture, int D, int L, int H, int KV, int HeadDim, int I, int V,
        double Eps, double Theta, SafetensorsDType DType)
    {
        public double QueryScalar { get; init; }           // Gemma: query_pre_attn_scalar
        public double SoftCap { get; init; }               // Gemma 2: attn_logit_softcapping
        public int Window { get; init; }                   // sliding_window
        public int Pattern { get; init; }                  // Gemma 3: sliding_window_pattern
        public string? LayerTypes { get; init; }           // layer_types JSON
        public double LocalTheta { get; init; }            // Gemma 3: rope_local_base_freq
        public double LinearFactor { get; init; }          // Gemma 3: rope_scaling linear factor (global layers)
        public double PartialRotary { get; init; } = 1;    // Phi-3
        public bool Conditional { get; init; }             // Gemma3ForConditionalGeneration layout
        public double[]? ShortFactors { get; init; }       // Phi-3.5 / Phi-4-mini: rope_scaling longrope short_factor
        public int OriginalMax { get; init; }              // original_max_position_embeddings (max_position_embeddings is 64)

        public bool Gemma => ModelType is "gemma2" or "gemma3_text";
        public bool Gemma3 => ModelType == "gemma3_text";
        public bool Phi3 => ModelType == "phi3";
        public bool Olmo2 => ModelType == "olmo2";
        public int RotaryDims => (int)(HeadDim * PartialRotary);

        /// <summary>Sliding layers as HF's default layer_types (or the explicit list) say.</summary>
        public bool Sliding(int l)
        {
            if (Phi3) return Window > 0;
            if (!Gemma) return false;
            if (LayerTypes is not null) return LayerTypes.Split(',')[l].Contains("sliding");
            int pattern = Gemma3 ? Pattern : 2;
            return (l + 1) % pattern != 0;
        }

        public string ConfigJson()
        {
            var inv = CultureInfo.InvariantCulture;
            var parts = new List<string>
            {
                $"\"model_type\":\"{ModelType}\"", $"\"hidden_size\":{D}", $"\"num_hidden_layers\":{L}",
                $"\"num_attention_heads\":{H}", $"\"num_key_value_heads\":{KV}", $"\"head_dim\":{HeadDim}",
                $"\"intermediate_size\":{I}", $"\"vocab_size\":{V}", string.Create(inv, $"\"rms_norm_eps\":{Eps:R}"),
                string.Create(inv, $"\"rope_theta\":{Theta:R}"), "\"max_position_embeddings\":64",
                $"\"tie_word_embeddings\":{(Gemma ? "true" : "false")}",
            };
            if (!Conditional) parts.Insert(0, $"\"architectures\":[\"{Architecture}\"]");
            parts.Add(Gemma ? "\"hidden_activation\":\"gelu_pytorch_tanh\"" : "\"hidden_act\":\"silu\"");
            if (Gemma)
            {
                parts.Add(string.Create(inv, $"\"query_pre_attn_scalar\":{QueryScalar:R}"));
                parts.Add(SoftCap > 0 ? string.Create(inv, $"\"attn_logit_softcapping\":{SoftCap:R}") : "\"attn_logit_softcapping\":null");
                parts.Add("\"final_logit_softcapping\":30.0");
                parts.Add($"\"sliding_window\":{Window}");
            }
            if (Gemma3)
            {
                parts.Add($"\"sliding_window_pattern\":{Pattern}");
                parts.Add(string.Create(inv, $"\"rope_local_base_freq\":{LocalTheta:R}"));
                parts.Add(LinearFactor > 0 ? string.Create(inv, $"\"rope_scaling\":{{\"rope_type\":\"linear\",\"factor\":{LinearFactor:R}}}") : "\"rope_scaling\":null");
            }
            if (LayerTypes is not null)
                parts.Add("\"layer_types\":[" + string.Join(",", LayerTypes.Split(',').Select(t => $"\"{t}\"")) + "]");
            if (Phi3)
            {
                parts.Add(string.Create(inv, $"\"partial_rotary_factor\":{PartialRotary:R}"));
                parts.Add(Window > 0 ? $"\"sliding_window\":{Window}" : "\"sliding_window\":null");
                if (ShortFactors is null) parts.Add("\"rope_scaling\":null");
                else
                {
                    string sf = string.Join(",", ShortFactors.Select(v => v.ToString("R", inv)));
                    string lf = string.Join(",", ShortFactors.Select(v => (v * 3).ToString("R", inv)));
                    parts.Add($"\"rope_scaling\":{{\"type\":\"longrope\",\"short_factor\":[{sf}],\"long_factor\":[{lf}]}}");
                }
                parts.Add($"\"original_max_position_embeddings\":{(OriginalMax > 0 ? OriginalMax : 64)}");
            }
            if (Olmo2) parts.Add("\"attention_bias\":false");
            string text = "{" + string.Join(",", parts) + "}";
            return Conditional
                ? "{\"architectures\":[\"Gemma3ForConditionalGeneration\"],\"model_type\":\"gemma3\",\"text_config\":" + text +
                  ",\"vision_config\":{\"model_type\":\"siglip_vision_model\",\"hidden_size\":16},\"mm_tokens_per_image\":4}"
                : text;
        }
    }

    internal static Spec Family(string name) => name switch
    {
        "gemma2" => new Spec("gemma2", "Gemma2ForCausalLM", 32, 3, 4, 2, 12, 48, 40, 1e-6, 10000, SafetensorsDType.F32)
            { QueryScalar = 20, SoftCap = 1.5, Window = 3 },
        "gemma3" => new Spec("gemma3_text", "Gemma3ForCausalLM", 32, 3, 4, 2, 12, 48, 40, 1e-6, 1e6, SafetensorsDType.BF16)
            { QueryScalar = 20, Window = 3, Pattern = 2, LocalTheta = 50, LinearFactor = 4 },
        "gemma3-layer-types" => new Spec("gemma3_text", "Gemma3ForCausalLM", 32, 3, 4, 1, 8, 48, 40, 1e-6, 1e4, SafetensorsDType.F32)
            { QueryScalar = 8, Window = 2, Pattern = 6, LayerTypes = "full_attention,sliding_attention,full_attention", LocalTheta = 100 },
        "gemma3-conditional" => Family("gemma3") with { Conditional = true },
        "phi3" => new Spec("phi3", "Phi3ForCausalLM", 32, 2, 4, 2, 8, 48, 40, 1e-5, 10000, SafetensorsDType.BF16)
            { PartialRotary = 0.5, Window = 4 },
        // Phi-3.5-style LongRoPE: factor 64/16 = 4, attention factor √(1 + ln 4 / ln 16) = √1.5
        "phi3-longrope" => Family("phi3") with { ShortFactors = [1.0, 2.5], OriginalMax = 16 },
        "olmo2" => new Spec("olmo2", "Olmo2ForCausalLM", 32, 2, 4, 2, 8, 48, 40, 1e-6, 500000, SafetensorsDType.F16),
        _ => throw new ArgumentException(name),
    };

    /// <summary>Random weights (values after rounding to the dtype) by HF name (without the conditional-generation prefix).</summary>
    internal static Dictionary<string, float[]> WriteCheckpoint(Spec s, string folder, int seed)
    {
        var rng = new Random(seed);
        var tensors = new List<TestTensor>();
        string prefix = s.Conditional ? "language_model." : "";
        float[] Add(string name, double scale, double center, params int[] shape)
        {
            var v = new float[shape.Aggregate(1, (a, b) => a * b)];
            for (int i = 0; i < v.Length; i++) v[i] = (float)(center + scale * Gaussian(rng));
            tensors.Add(new TestTensor(prefix + name, s.DType, shape, v));
            return v;
        }
        int q = s.H * s.HeadDim, kv = s.KV * s.HeadDim;
        double normCenter = s.Gemma ? 0 : 1;   // Gemma stores w with the norm multiplying by (1 + w)
        Add("model.embed_tokens.weight", s.Gemma ? 0.2 : 1.0, 0, s.V, s.D);
        for (int l = 0; l < s.L; l++)
        {
            string p = $"model.layers.{l}.";
            if (!s.Olmo2) Add(p + "input_layernorm.weight", 0.1, normCenter, s.D);
            if (s.Phi3) Add(p + "self_attn.qkv_proj.weight", 0.3, 0, q + 2 * kv, s.D);
            else
            {
                Add(p + "self_attn.q_proj.weight", 0.3, 0, q, s.D);
                Add(p + "self_attn.k_proj.weight", 0.3, 0, kv, s.D);
                Add(p + "self_attn.v_proj.weight", 0.3, 0, kv, s.D);
            }
            if (s.Gemma3)
            {
                Add(p + "self_attn.q_norm.weight", 0.1, 0, s.HeadDim);
                Add(p + "self_attn.k_norm.weight", 0.1, 0, s.HeadDim);
            }
            if (s.Olmo2)
            {
                Add(p + "self_attn.q_norm.weight", 0.1, 1, q);
                Add(p + "self_attn.k_norm.weight", 0.1, 1, kv);
            }
            Add(p + "self_attn.o_proj.weight", 0.2, 0, s.D, q);
            Add(p + "post_attention_layernorm.weight", 0.1, normCenter, s.D);
            if (s.Gemma) Add(p + "pre_feedforward_layernorm.weight", 0.1, normCenter, s.D);
            if (s.Gemma || s.Olmo2) Add(p + "post_feedforward_layernorm.weight", 0.1, normCenter, s.D);
            if (s.Phi3) Add(p + "mlp.gate_up_proj.weight", 0.2, 0, 2 * s.I, s.D);
            else
            {
                Add(p + "mlp.gate_proj.weight", 0.2, 0, s.I, s.D);
                Add(p + "mlp.up_proj.weight", 0.2, 0, s.I, s.D);
            }
            Add(p + "mlp.down_proj.weight", 0.2, 0, s.D, s.I);
        }
        Add("model.norm.weight", 0.1, normCenter, s.D);
        if (!s.Gemma) Add("lm_head.weight", 0.2, 0, s.V, s.D);
        if (s.Conditional)   // the vision tower and projector, never read
        {
            tensors.Add(new TestTensor("vision_tower.vision_model.embeddings.patch_embedding.weight", s.DType, [16, 3, 2, 2], new float[192]));
            tensors.Add(new TestTensor("multi_modal_projector.mm_input_projection_weight", s.DType, [16, s.D], new float[16 * s.D]));
        }
        Directory.CreateDirectory(folder);
        SafetensorsWriter.Write(Path.Combine(folder, "model.safetensors"), tensors);   // rounds the values to the dtype
        File.WriteAllText(Path.Combine(folder, "config.json"), s.ConfigJson());
        return tensors.ToDictionary(t => t.Name[prefix.Length..], t => t.Values);
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    // ------------------------------------------------------------------ naive float64 reference (HF equations)

    /// <summary>Hidden states [token, 0, 1..L, final][t][d] and every layer's attention probabilities [l][h][i][j].</summary>
    internal static (double[][][] Hidden, double[][][][] Attention) Reference(Spec s, Dictionary<string, float[]> w, int[] ids)
    {
        int T = ids.Length, D = s.D, hd = s.HeadDim, H = s.H, KV = s.KV, rd = s.RotaryDims;
        var states = new List<double[][]>();
        var attention = new List<double[][][]>();
        var x = new double[T][];
        for (int t = 0; t < T; t++) x[t] = Enumerable.Range(0, D).Select(d => (double)w["model.embed_tokens.weight"][ids[t] * D + d]).ToArray();
        states.Add(Copy(x));
        // Gemma: inputs_embeds * embed_scale, embed_scale = hidden_size ** 0.5 as a float32 tensor (the model runs float32)
        if (s.Gemma)
            for (int t = 0; t < T; t++) for (int d = 0; d < D; d++) x[t][d] *= (float)Math.Sqrt(D);
        states.Add(Copy(x));

        for (int l = 0; l < s.L; l++)
        {
            string p = $"model.layers.{l}.";
            bool sliding = s.Sliding(l);
            // inv_freq over dim = int(head_dim · partial_rotary_factor); Gemma 3: local layers rope_local_base_freq and no
            // scaling, global layers rope_theta with linear scaling (inv_freq / factor)
            double theta = s.Gemma3 && sliding ? s.LocalTheta : s.Theta;
            // LongRoPE (modeling_rope_utils._compute_longrope_parameters, texts within the original context):
            // inv_freq = 1 / (short_factor · base^(2i/dim)), cos and sin × attention_factor
            var inv = new double[rd / 2];
            for (int i = 0; i < rd / 2; i++) inv[i] = 1.0 / ((s.ShortFactors?[i] ?? 1.0) * Math.Pow(theta, 2.0 * i / rd));
            double mscale = s.ShortFactors is null ? 1 : Math.Sqrt(1 + Math.Log(64.0 / s.OriginalMax) / Math.Log(s.OriginalMax));
            if (s.Gemma3 && !sliding && s.LinearFactor > 0) for (int i = 0; i < inv.Length; i++) inv[i] /= s.LinearFactor;

            var h = s.Olmo2 ? Copy(x) : x.Select(row => Rms(row, w[p + "input_layernorm.weight"], s.Eps, s.Gemma)).ToArray();
            double[][] q, k, v;
            if (s.Phi3)
            {
                var qkv = h.Select(row => Lin(row, w[p + "self_attn.qkv_proj.weight"], (H + 2 * KV) * hd)).ToArray();
                q = qkv.Select(r => r[..(H * hd)]).ToArray();
                k = qkv.Select(r => r[(H * hd)..((H + KV) * hd)]).ToArray();
                v = qkv.Select(r => r[((H + KV) * hd)..]).ToArray();
            }
            else
            {
                q = h.Select(row => Lin(row, w[p + "self_attn.q_proj.weight"], H * hd)).ToArray();
                k = h.Select(row => Lin(row, w[p + "self_attn.k_proj.weight"], KV * hd)).ToArray();
                v = h.Select(row => Lin(row, w[p + "self_attn.v_proj.weight"], KV * hd)).ToArray();
            }
            if (s.Olmo2)   // q_norm(q_proj(x)) over the whole projection, before the view into heads
            {
                q = q.Select(r => Rms(r, w[p + "self_attn.q_norm.weight"], s.Eps, false)).ToArray();
                k = k.Select(r => Rms(r, w[p + "self_attn.k_norm.weight"], s.Eps, false)).ToArray();
            }
            for (int t = 0; t < T; t++)
            {
                for (int hh = 0; hh < H; hh++) HeadNormAndRope(q[t], hh * hd, hd, rd, t, inv, mscale, s, s.Gemma3 ? w[p + "self_attn.q_norm.weight"] : null);
                for (int hh = 0; hh < KV; hh++) HeadNormAndRope(k[t], hh * hd, hd, rd, t, inv, mscale, s, s.Gemma3 ? w[p + "self_attn.k_norm.weight"] : null);
            }
            double scaling = s.Gemma ? Math.Pow(s.QueryScalar, -0.5) : Math.Pow(hd, -0.5);
            var ctx = new double[T][];
            for (int t = 0; t < T; t++) ctx[t] = new double[H * hd];
            var probs = new double[H][][];
            for (int hh = 0; hh < H; hh++)
            {
                int g = hh / (H / KV);
                probs[hh] = new double[T][];
                for (int i = 0; i < T; i++)
                {
                    var sc = new double[T];
                    var visible = new bool[T];
                    double max = double.NegativeInfinity;
                    for (int j = 0; j < T; j++)
                    {
                        // causal, and in a sliding layer kv_idx > q_idx − sliding_window
                        visible[j] = j <= i && (!sliding || j > i - s.Window);
                        if (!visible[j]) continue;
                        double dot = 0;
                        for (int d = 0; d < hd; d++) dot += q[i][hh * hd + d] * k[j][g * hd + d];
                        double score = dot * scaling;
                        if (s.SoftCap > 0) score = Math.Tanh(score / s.SoftCap) * s.SoftCap;
                        sc[j] = score;
                        max = Math.Max(max, score);
                    }
                    double sum = 0;
                    for (int j = 0; j < T; j++) { sc[j] = visible[j] ? Math.Exp(sc[j] - max) : 0; sum += sc[j]; }
                    for (int j = 0; j < T; j++) sc[j] /= sum;
                    probs[hh][i] = sc;
                    for (int j = 0; j < T; j++)
                        for (int d = 0; d < hd; d++) ctx[i][hh * hd + d] += sc[j] * v[j][g * hd + d];
                }
            }
            attention.Add(probs);
            for (int t = 0; t < T; t++)
            {
                var o = Lin(ctx[t], w[p + "self_attn.o_proj.weight"], D);
                if (s.Gemma || s.Olmo2) o = Rms(o, w[p + "post_attention_layernorm.weight"], s.Eps, s.Gemma);
                for (int d = 0; d < D; d++) x[t][d] += o[d];
            }
            for (int t = 0; t < T; t++)
            {
                var m = s.Olmo2 ? (double[])x[t].Clone()
                    : s.Gemma ? Rms(x[t], w[p + "pre_feedforward_layernorm.weight"], s.Eps, true)
                    : Rms(x[t], w[p + "post_attention_layernorm.weight"], s.Eps, false);
                double[] gate, up;
                if (s.Phi3)   // gate, up_states = gate_up_proj(x).chunk(2, dim=-1)
                {
                    var gu = Lin(m, w[p + "mlp.gate_up_proj.weight"], 2 * s.I);
                    gate = gu[..s.I];
                    up = gu[s.I..];
                }
                else
                {
                    gate = Lin(m, w[p + "mlp.gate_proj.weight"], s.I);
                    up = Lin(m, w[p + "mlp.up_proj.weight"], s.I);
                }
                var hsn = new double[s.I];
                for (int i = 0; i < s.I; i++)
                {
                    double gv = gate[i];
                    double act = s.Gemma
                        ? 0.5 * gv * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (gv + 0.044715 * gv * gv * gv)))
                        : gv / (1 + Math.Exp(-gv));
                    hsn[i] = act * up[i];
                }
                var down = Lin(hsn, w[p + "mlp.down_proj.weight"], D);
                if (s.Gemma || s.Olmo2) down = Rms(down, w[p + "post_feedforward_layernorm.weight"], s.Eps, s.Gemma);
                for (int d = 0; d < D; d++) x[t][d] += down[d];
            }
            states.Add(Copy(x));
        }
        states.Add(x.Select(row => Rms(row, w["model.norm.weight"], s.Eps, s.Gemma)).ToArray());
        return (states.ToArray(), attention.ToArray());
    }

    private static double[][] Copy(double[][] x) => x.Select(r => (double[])r.Clone()).ToArray();

    private static double[] Rms(double[] x, float[] w, double eps, bool plusOne)
    {
        double ms = x.Sum(v => v * v) / x.Length;
        double r = 1 / Math.Sqrt(ms + eps);
        return x.Select((v, i) => v * r * (plusOne ? 1.0 + w[i] : w[i])).ToArray();
    }

    private static double[] Lin(double[] x, float[] weight, int outDims)
    {
        var y = new double[outDims];
        for (int o = 0; o < outDims; o++)
        {
            double sum = 0;
            for (int i = 0; i < x.Length; i++) sum += weight[o * x.Length + i] * x[i];
            y[o] = sum;
        }
        return y;
    }

    /// <summary>Gemma 3's per-head RMSNorm (1 + w) when given; then on q[..., :rotary_dim]: q·cos + rotate_half(q)·sin with
    /// emb = cat(freqs, freqs); q[..., rotary_dim:] passes through (Phi-3's partial rotary).</summary>
    private static void HeadNormAndRope(double[] v, int off, int hd, int rd, int pos, double[] inv, double mscale, Spec s, float[]? norm)
    {
        var head = v.Skip(off).Take(hd).ToArray();
        if (norm is not null) head = Rms(head, norm, s.Eps, plusOne: true);
        var rotated = (double[])head.Clone();
        for (int d = 0; d < rd; d++)
        {
            double angle = pos * inv[d % (rd / 2)];
            double rh = d < rd / 2 ? -head[d + rd / 2] : head[d - rd / 2];
            rotated[d] = head[d] * Math.Cos(angle) * mscale + rh * Math.Sin(angle) * mscale;
        }
        rotated.CopyTo(v, off);
    }

    // ------------------------------------------------------------------ tests

    internal static readonly int[][] Sequences = [[1, 5, 9, 3, 22, 7, 30], [2, 17], [4, 4, 39, 0, 12]];

    [Theory]
    [InlineData("gemma2")]
    [InlineData("gemma3")]
    [InlineData("gemma3-layer-types")]
    [InlineData("gemma3-conditional")]
    [InlineData("phi3")]
    [InlineData("phi3-longrope")]
    [InlineData("olmo2")]
    public void EveryRepresentationAndAttentionMatchTheNaiveFloat64Pass(string family)
    {
        var s = Family(family);
        using var dir = new TempFolder();
        var w = WriteCheckpoint(s, dir.Path, seed: family.Length * 11 + 3);
        var config = HuggingFaceConfig.Load(dir.Path).Decoder!;
        using var ckpt = SafetensorsCheckpoint.Open(dir.Path);
        using var weights = new SafetensorsDecoderWeights(ckpt, config);
        var model = new LlamaModel(weights);
        var outputs = model.Forward(Sequences, withAttention: true);
        Assert.Equal(s.L + 3, model.Labels.Count);
        for (int b = 0; b < Sequences.Length; b++)
        {
            var (hidden, attention) = Reference(s, w, Sequences[b]);
            HiddenStateReference.AssertWithinScale(outputs[b].Hidden, hidden, model.Labels, $"{family} sequence {b}");
            int T = Sequences[b].Length;
            for (int l = 0; l < s.L; l++)
                for (int h = 0; h < s.H; h++)
                    for (int i = 0; i < T; i++)
                        for (int j = 0; j < T; j++)
                            Assert.True(Math.Abs(outputs[b].Attention![l][(h * T + i) * T + j] - attention[l][h][i][j]) <= 1e-5,
                                $"{family} layer {l} attention h{h} {i},{j}: {outputs[b].Attention![l][(h * T + i) * T + j]} vs {attention[l][h][i][j]}");
        }
    }

    [Theory]
    [InlineData("gemma2")]
    [InlineData("gemma3")]
    [InlineData("phi3")]
    public void EachFamilySwitchChangesTheReferenceSoTheTestAboveCanSeeIt(string family)
    {
        // The window, the soft-cap, the query scalar, the local θ, the rope scaling and the partial rotary each move the
        // float64 states; otherwise the comparison above would not be checking them.
        var s = Family(family);
        using var dir = new TempFolder();
        var w = WriteCheckpoint(s, dir.Path, seed: 9);
        var ids = Sequences[0];
        double Moved(Spec other)
        {
            var a = Reference(s, w, ids).Hidden[^1];
            var c = Reference(other, w, ids).Hidden[^1];
            double m = 0;
            for (int t = 0; t < ids.Length; t++) for (int d = 0; d < s.D; d++) m = Math.Max(m, Math.Abs(a[t][d] - c[t][d]));
            return m;
        }
        var variants = new List<(string, Spec)> { ("window", s with { Window = 1000 }) };
        if (s.Gemma) variants.Add(("query_pre_attn_scalar", s with { QueryScalar = s.HeadDim }));
        if (s.SoftCap > 0) variants.Add(("softcap", s with { SoftCap = 0 }));
        if (s.Gemma3) { variants.Add(("local theta", s with { LocalTheta = s.Theta })); variants.Add(("linear", s with { LinearFactor = 0 })); }
        if (s.Phi3) variants.Add(("partial rotary", s with { PartialRotary = 1 }));
        if (s.Phi3) variants.Add(("longrope", s with { ShortFactors = [1.0, 2.5], OriginalMax = 16 }));
        foreach (var (what, other) in variants)
            Assert.True(Moved(other) > 1e-3, $"{family}: {what} does not change the final states");
    }

    [Fact]
    public void ConfigSwitchesFollowTheHuggingFaceDefaults()
    {
        DecoderConfig Parse(string json) => HuggingFaceConfig.Parse(System.Text.Encoding.UTF8.GetBytes(json), "config.json").Decoder!;
        var g2 = Parse(Family("gemma2").ConfigJson());
        Assert.Equal((NormPlacement.Sandwich, 1.5, 3), (g2.Norms, g2.AttentionSoftCap, g2.SlidingWindow));
        Assert.Equal([true, false, true], g2.SlidingLayers!);
        Assert.Equal(1 / Math.Sqrt(20), g2.QueryScale, 15);
        var g3 = Parse(Family("gemma3-conditional").ConfigJson());
        Assert.Equal(("Gemma3ForConditionalGeneration", DecoderFamily.Gemma3, 0.0, 50.0), (g3.Architecture, g3.Family, g3.AttentionSoftCap, g3.LocalRopeTheta));
        Assert.Equal(new RopeScaling(RopeScalingKind.Linear, 4), g3.RopeScaling);
        Assert.Equal(QueryKeyNormKind.PerHead, g3.QueryKeyNormKind);
        // Gemma3TextConfig defaults: pattern 6 (layers 5, 11, … global), window 4096, query_pre_attn_scalar 256, 8 heads, 4 KV
        var d3 = Parse("{\"model_type\":\"gemma3_text\",\"hidden_size\":64,\"intermediate_size\":96,\"num_hidden_layers\":12,\"vocab_size\":50}");
        Assert.Equal((8, 4, 256, 4096, 1e6, 10000.0), (d3.Heads, d3.KeyValueHeads, d3.HeadDim, d3.SlidingWindow, d3.RopeTheta, d3.LocalRopeTheta));
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (i + 1) % 6 != 0), d3.SlidingLayers!);
        Assert.Equal(1 / 16.0, d3.QueryScale, 15);
        var phi = Parse(Family("phi3").ConfigJson());
        Assert.Equal((4, 4, true), (phi.RotaryDimsOrHead, phi.SlidingWindow, phi.FusedProjections));
        Assert.Null(phi.SlidingLayers);
        var longrope = Parse(Family("phi3-longrope").ConfigJson());
        Assert.Equal((RopeScalingKind.LongRope, 4.0, 16), (longrope.RopeScaling!.Kind, longrope.RopeScaling.Factor, longrope.MaxPositions));
        Assert.Equal(Math.Sqrt(1.5), longrope.RopeScaling.AttentionFactor, 14);
        var olmo = Parse(Family("olmo2").ConfigJson());
        Assert.Equal((NormPlacement.Post, QueryKeyNormKind.WholeProjection), (olmo.Norms, olmo.QueryKeyNormKind));
    }

    [Theory]
    [InlineData("phi3", "\"rope_scaling\":null", "\"rope_scaling\":{\"type\":\"yarn\",\"factor\":4}", "yarn")]
    [InlineData("phi3", "\"rope_scaling\":null", "\"rope_scaling\":{\"type\":\"longrope\",\"short_factor\":[1,1,1],\"long_factor\":[2,2,2]}", "short_factor")]
    [InlineData("phi3", "\"rope_scaling\":null", "\"rope_scaling\":{\"type\":\"longrope\",\"short_factor\":[1,-1],\"long_factor\":[2,2]}", "short_factor")]
    [InlineData("gemma2", "\"sliding_window\":3", "\"sliding_window\":0", "sliding_window")]
    [InlineData("gemma2", "\"num_attention_heads\":4", "\"num_attention_heads\":0", "num_attention_heads")]
    [InlineData("gemma2", "\"num_key_value_heads\":2", "\"num_key_value_heads\":3", "not a multiple")]
    [InlineData("gemma2", "\"query_pre_attn_scalar\":20", "\"query_pre_attn_scalar\":-1", "query_pre_attn_scalar")]
    [InlineData("gemma3", "\"sliding_window_pattern\":2", "\"sliding_window_pattern\":0", "sliding_window_pattern")]
    [InlineData("gemma3", "\"rope_local_base_freq\":50", "\"rope_local_base_freq\":0.5", "rope_local_base_freq")]
    [InlineData("phi3", "\"partial_rotary_factor\":0.5", "\"partial_rotary_factor\":0.1", "partial_rotary_factor")]
    [InlineData("olmo2", "\"num_hidden_layers\":2", "\"num_hidden_layers\":-2", "num_hidden_layers")]
    public void BadConfigsAreOneLineErrors(string family, string from, string to, string named)
    {
        string json = Family(family).ConfigJson();
        Assert.Contains(from, json);
        var e = Assert.Throws<SimileException>(() => HuggingFaceConfig.Parse(System.Text.Encoding.UTF8.GetBytes(json.Replace(from, to)), "config.json"));
        Assert.Contains(named, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void LayerTypesOfTheWrongLengthAreRefused()
    {
        string json = Family("gemma3-layer-types").ConfigJson().Replace("\"full_attention\",\"sliding_attention\",\"full_attention\"", "\"full_attention\"");
        var e = Assert.Throws<SimileException>(() => HuggingFaceConfig.Parse(System.Text.Encoding.UTF8.GetBytes(json), "config.json"));
        Assert.Contains("layer_types", e.Message);
    }

    [Fact]
    public void AnUnsupportedArchitectureNamesItselfAndTheSupportedList()
    {
        var c = HuggingFaceConfig.Parse(System.Text.Encoding.UTF8.GetBytes(
            "{\"architectures\":[\"MambaForCausalLM\"],\"model_type\":\"mamba\",\"hidden_size\":8,\"vocab_size\":10}"), "config.json");
        Assert.Contains("MambaForCausalLM", c.Unsupported);
        foreach (var arch in new[] { "Gemma2ForCausalLM", "Gemma3ForCausalLM", "Phi3ForCausalLM", "Olmo2ForCausalLM" })
            Assert.Contains(arch, c.Unsupported);
    }
}
