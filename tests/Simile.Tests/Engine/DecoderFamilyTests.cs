using System.Text.Json;
using Simile.Engine;
using Simile.Models.HuggingFace;
using Simile.Tests.Models.HuggingFace;
using Xunit;

namespace Simile.Tests.Engine;

/// <summary>
/// Tiny random Llama / Mistral / Qwen2 / Qwen3 / Gemma checkpoints (written here) through the native pass, against a
/// naive float64 forward pass written below straight from the Hugging Face modeling files (modeling_llama.py,
/// modeling_qwen2.py, modeling_qwen3.py, modeling_gemma.py, modeling_rope_utils.py) with plain loops and no engine code.
/// </summary>
public class DecoderFamilyTests
{
    /// <summary>One tiny architecture: sizes and the family switches, as config.json states them.</summary>
    internal sealed record Spec(string ModelType, string Architecture, int D, int L, int H, int KV, int HeadDim, int I, int V,
        double Eps, double Theta, SafetensorsDType DType, string? RopeScalingJson = null, bool WriteHeadDim = false)
    {
        public bool Bias => ModelType == "qwen2";
        public bool QkNorm => ModelType == "qwen3";
        public bool Gemma => ModelType == "gemma";
        public bool Tied => ModelType is "qwen2" or "gemma";

        public string ConfigJson()
        {
            var parts = new List<string>
            {
                $"\"architectures\":[\"{Architecture}\"]", $"\"model_type\":\"{ModelType}\"", $"\"hidden_size\":{D}",
                $"\"num_hidden_layers\":{L}", $"\"num_attention_heads\":{H}", $"\"num_key_value_heads\":{KV}",
                $"\"intermediate_size\":{I}", $"\"vocab_size\":{V}", $"\"rms_norm_eps\":{Eps:R}", $"\"rope_theta\":{Theta:R}",
                "\"max_position_embeddings\":64", $"\"tie_word_embeddings\":{(Tied ? "true" : "false")}",
                $"\"rope_scaling\":{RopeScalingJson ?? "null"}",
            };
            if (WriteHeadDim || HeadDim != D / H) parts.Add($"\"head_dim\":{HeadDim}");
            parts.Add(Gemma ? "\"hidden_activation\":\"gelu_pytorch_tanh\"" : "\"hidden_act\":\"silu\"");
            if (ModelType == "mistral") parts.Add("\"sliding_window\":4096");
            return "{" + string.Join(",", parts) + "}";
        }
    }

    internal static Spec Family(string name) => name switch
    {
        "llama3-scaled" => new Spec("llama", "LlamaForCausalLM", 32, 2, 4, 2, 8, 48, 40, 1e-5, 10000, SafetensorsDType.BF16,
            "{\"rope_type\":\"llama3\",\"factor\":4.0,\"low_freq_factor\":1.0,\"high_freq_factor\":8.0,\"original_max_position_embeddings\":256}"),
        "llama-linear" => new Spec("llama", "LlamaForCausalLM", 32, 2, 4, 4, 8, 48, 40, 1e-6, 10000, SafetensorsDType.F32,
            "{\"type\":\"linear\",\"factor\":2.0}"),
        "mistral" => new Spec("mistral", "MistralForCausalLM", 32, 2, 4, 1, 8, 48, 40, 1e-5, 1e6, SafetensorsDType.F16),
        "qwen2" => new Spec("qwen2", "Qwen2ForCausalLM", 32, 2, 4, 2, 8, 48, 40, 1e-6, 1e6, SafetensorsDType.BF16),
        "qwen3" => new Spec("qwen3", "Qwen3ForCausalLM", 32, 2, 4, 2, 12, 48, 40, 1e-6, 1e6, SafetensorsDType.BF16, WriteHeadDim: true),
        "gemma" => new Spec("gemma", "GemmaForCausalLM", 32, 2, 4, 1, 12, 48, 40, 1e-6, 10000, SafetensorsDType.F32),
        _ => throw new ArgumentException(name),
    };

    /// <summary>Random weights (stored values, after rounding to the dtype) by HF name.</summary>
    internal static Dictionary<string, float[]> WriteCheckpoint(Spec s, string folder, int seed, IEnumerable<TestTensor>? extra = null, bool sharded = false)
    {
        var rng = new Random(seed);
        var tensors = new List<TestTensor>();
        float[] Add(string name, double scale, double center, params int[] shape)
        {
            var v = new float[shape.Aggregate(1, (a, b) => a * b)];
            for (int i = 0; i < v.Length; i++) v[i] = (float)(center + scale * Gaussian(rng));
            tensors.Add(new TestTensor(name, s.DType, shape, v));
            return v;
        }
        int q = s.H * s.HeadDim, kv = s.KV * s.HeadDim;
        double normCenter = s.Gemma ? 0 : 1;   // Gemma stores w with the norm multiplying by (1 + w)
        Add("model.embed_tokens.weight", s.Gemma ? 0.2 : 1.0, 0, s.V, s.D);
        for (int l = 0; l < s.L; l++)
        {
            string p = $"model.layers.{l}.";
            Add(p + "input_layernorm.weight", 0.1, normCenter, s.D);
            Add(p + "self_attn.q_proj.weight", 0.3, 0, q, s.D);
            Add(p + "self_attn.k_proj.weight", 0.3, 0, kv, s.D);
            Add(p + "self_attn.v_proj.weight", 0.3, 0, kv, s.D);
            if (s.Bias)
            {
                Add(p + "self_attn.q_proj.bias", 0.2, 0, q);
                Add(p + "self_attn.k_proj.bias", 0.2, 0, kv);
                Add(p + "self_attn.v_proj.bias", 0.2, 0, kv);
            }
            if (s.QkNorm)
            {
                Add(p + "self_attn.q_norm.weight", 0.1, 1, s.HeadDim);
                Add(p + "self_attn.k_norm.weight", 0.1, 1, s.HeadDim);
            }
            Add(p + "self_attn.o_proj.weight", 0.2, 0, s.D, q);
            Add(p + "post_attention_layernorm.weight", 0.1, normCenter, s.D);
            Add(p + "mlp.gate_proj.weight", 0.2, 0, s.I, s.D);
            Add(p + "mlp.up_proj.weight", 0.2, 0, s.I, s.D);
            Add(p + "mlp.down_proj.weight", 0.2, 0, s.D, s.I);
        }
        Add("model.norm.weight", 0.1, normCenter, s.D);
        if (!s.Tied) Add("lm_head.weight", 0.2, 0, s.V, s.D);
        if (extra is not null) tensors.AddRange(extra);
        Directory.CreateDirectory(folder);
        if (!sharded)
            SafetensorsWriter.Write(Path.Combine(folder, "model.safetensors"), tensors);   // rounds the values to the dtype
        else
        {
            // Two shards and model.safetensors.index.json, as save_pretrained writes large models.
            int half = tensors.Count / 2;
            string[] files = ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"];
            SafetensorsWriter.Write(Path.Combine(folder, files[0]), tensors[..half]);
            SafetensorsWriter.Write(Path.Combine(folder, files[1]), tensors[half..]);
            var map = tensors.Select((t, i) => $"\"{t.Name}\":\"{files[i < half ? 0 : 1]}\"");
            File.WriteAllText(Path.Combine(folder, "model.safetensors.index.json"), "{\"metadata\":{},\"weight_map\":{" + string.Join(",", map) + "}}");
        }
        File.WriteAllText(Path.Combine(folder, "config.json"), s.ConfigJson());
        return tensors.ToDictionary(t => t.Name, t => t.Values);
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    // ------------------------------------------------------------------ naive float64 reference (HF equations)

    /// <summary>Hidden states [token, 0, 1..L, final][t][d] and the layer-1 attention probabilities [h][i][j].</summary>
    internal static (double[][][] Hidden, double[][][] Attention) Reference(Spec s, Dictionary<string, float[]> w, int[] ids)
    {
        int T = ids.Length, D = s.D, hd = s.HeadDim, H = s.H, KV = s.KV;
        var states = new List<double[][]>();
        var x = new double[T][];
        for (int t = 0; t < T; t++) x[t] = Enumerable.Range(0, D).Select(d => (double)w["model.embed_tokens.weight"][ids[t] * D + d]).ToArray();
        states.Add(Copy(x));
        if (s.Gemma)   // hidden_states * normalizer, normalizer = hidden_size ** 0.5
            for (int t = 0; t < T; t++) for (int d = 0; d < D; d++) x[t][d] *= Math.Sqrt(D);
        states.Add(Copy(x));

        // inv_freq = 1 / theta^(arange(0, hd, 2) / hd), then the rope_scaling rules
        var inv = new double[hd / 2];
        for (int i = 0; i < hd / 2; i++) inv[i] = 1.0 / Math.Pow(s.Theta, (2.0 * i) / hd);
        if (s.RopeScalingJson is string rs)
        {
            using var doc = JsonDocument.Parse(rs);
            var r = doc.RootElement;
            double factor = r.GetProperty("factor").GetDouble();
            string type = r.TryGetProperty("rope_type", out var rt) ? rt.GetString()! : r.GetProperty("type").GetString()!;
            if (type == "linear")
                for (int i = 0; i < inv.Length; i++) inv[i] = inv[i] / factor;
            else
            {
                double lowF = r.GetProperty("low_freq_factor").GetDouble(), highF = r.GetProperty("high_freq_factor").GetDouble();
                double old = r.GetProperty("original_max_position_embeddings").GetDouble();
                double lowWave = old / lowF, highWave = old / highF;
                for (int i = 0; i < inv.Length; i++)
                {
                    double wave = 2 * Math.PI / inv[i];
                    double scaled = wave > lowWave ? inv[i] / factor : inv[i];
                    bool medium = !(wave < highWave) && !(wave > lowWave);
                    if (medium)
                    {
                        double smooth = (old / wave - lowF) / (highF - lowF);
                        scaled = (1 - smooth) * scaled / factor + smooth * scaled;
                    }
                    inv[i] = scaled;
                }
            }
        }

        double[][]? attention1 = null;
        double[][][] firstAttention = [];
        for (int l = 0; l < s.L; l++)
        {
            string p = $"model.layers.{l}.";
            var a = x.Select(row => Rms(row, w[p + "input_layernorm.weight"], s.Eps, s.Gemma)).ToArray();
            var q = a.Select(row => Lin(row, w[p + "self_attn.q_proj.weight"], s.Bias ? w[p + "self_attn.q_proj.bias"] : null, H * hd)).ToArray();
            var k = a.Select(row => Lin(row, w[p + "self_attn.k_proj.weight"], s.Bias ? w[p + "self_attn.k_proj.bias"] : null, KV * hd)).ToArray();
            var v = a.Select(row => Lin(row, w[p + "self_attn.v_proj.weight"], s.Bias ? w[p + "self_attn.v_proj.bias"] : null, KV * hd)).ToArray();
            for (int t = 0; t < T; t++)
            {
                for (int h = 0; h < H; h++) HeadNormAndRope(q[t], h * hd, hd, t, inv, s, s.QkNorm ? w[p + "self_attn.q_norm.weight"] : null);
                for (int h = 0; h < KV; h++) HeadNormAndRope(k[t], h * hd, hd, t, inv, s, s.QkNorm ? w[p + "self_attn.k_norm.weight"] : null);
            }
            var ctx = new double[T][];
            for (int t = 0; t < T; t++) ctx[t] = new double[H * hd];
            var probs = new double[H][][];
            for (int h = 0; h < H; h++)
            {
                int g = h / (H / KV);   // repeat_kv: query head h uses key/value head h // n_rep
                probs[h] = new double[T][];
                for (int i = 0; i < T; i++)
                {
                    var sc = new double[T];
                    double max = double.NegativeInfinity;
                    for (int j = 0; j <= i; j++)
                    {
                        double dot = 0;
                        for (int d = 0; d < hd; d++) dot += q[i][h * hd + d] * k[j][g * hd + d];
                        sc[j] = dot / Math.Sqrt(hd);
                        max = Math.Max(max, sc[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= i; j++) { sc[j] = Math.Exp(sc[j] - max); sum += sc[j]; }
                    for (int j = 0; j <= i; j++) sc[j] /= sum;
                    probs[h][i] = sc;
                    for (int j = 0; j <= i; j++)
                        for (int d = 0; d < hd; d++) ctx[i][h * hd + d] += sc[j] * v[j][g * hd + d];
                }
            }
            if (l == 0) firstAttention = probs;
            for (int t = 0; t < T; t++)
            {
                var o = Lin(ctx[t], w[p + "self_attn.o_proj.weight"], null, D);
                for (int d = 0; d < D; d++) x[t][d] += o[d];
            }
            for (int t = 0; t < T; t++)
            {
                var m = Rms(x[t], w[p + "post_attention_layernorm.weight"], s.Eps, s.Gemma);
                var gate = Lin(m, w[p + "mlp.gate_proj.weight"], null, s.I);
                var up = Lin(m, w[p + "mlp.up_proj.weight"], null, s.I);
                var hsn = new double[s.I];
                for (int i = 0; i < s.I; i++)
                {
                    double gv = gate[i];
                    double act = s.Gemma
                        ? 0.5 * gv * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (gv + 0.044715 * gv * gv * gv)))
                        : gv / (1 + Math.Exp(-gv));
                    hsn[i] = act * up[i];
                }
                var down = Lin(hsn, w[p + "mlp.down_proj.weight"], null, D);
                for (int d = 0; d < D; d++) x[t][d] += down[d];
            }
            states.Add(Copy(x));
        }
        states.Add(x.Select(row => Rms(row, w["model.norm.weight"], s.Eps, s.Gemma)).ToArray());
        _ = attention1;
        return (states.ToArray(), firstAttention);
    }

    private static double[][] Copy(double[][] x) => x.Select(r => (double[])r.Clone()).ToArray();

    private static double[] Rms(double[] x, float[] w, double eps, bool plusOne)
    {
        double ms = x.Sum(v => v * v) / x.Length;
        double r = 1 / Math.Sqrt(ms + eps);
        return x.Select((v, i) => v * r * (plusOne ? 1.0 + w[i] : w[i])).ToArray();
    }

    private static double[] Lin(double[] x, float[] weight, float[]? bias, int outDims)
    {
        var y = new double[outDims];
        for (int o = 0; o < outDims; o++)
        {
            double sum = bias?[o] ?? 0;
            for (int i = 0; i < x.Length; i++) sum += weight[o * x.Length + i] * x[i];
            y[o] = sum;
        }
        return y;
    }

    /// <summary>Qwen3's per-head RMSNorm (when given), then q·cos + rotate_half(q)·sin with emb = cat(freqs, freqs).</summary>
    private static void HeadNormAndRope(double[] v, int off, int hd, int pos, double[] inv, Spec s, float[]? norm)
    {
        var head = v.Skip(off).Take(hd).ToArray();
        if (norm is not null) head = Rms(head, norm, s.Eps, plusOne: false);
        var rotated = new double[hd];
        for (int d = 0; d < hd; d++)
        {
            double angle = pos * inv[d % (hd / 2)];
            double rh = d < hd / 2 ? -head[d + hd / 2] : head[d - hd / 2];
            rotated[d] = head[d] * Math.Cos(angle) + rh * Math.Sin(angle);
        }
        rotated.CopyTo(v, off);
    }

    // ------------------------------------------------------------------ tests

    [Theory]
    [InlineData("llama3-scaled")]
    [InlineData("llama-linear")]
    [InlineData("mistral")]
    [InlineData("qwen2")]
    [InlineData("qwen3")]
    [InlineData("gemma")]
    [InlineData("qwen2-sharded")]
    public void EveryRepresentationMatchesTheNaiveFloat64Pass(string family)
    {
        bool sharded = family.EndsWith("-sharded", StringComparison.Ordinal);
        var s = Family(family.Replace("-sharded", ""));
        using var dir = new TempFolder();
        var w = WriteCheckpoint(s, dir.Path, seed: family.Length * 7 + 1, sharded: sharded);
        Assert.Equal(sharded, File.Exists(Path.Combine(dir.Path, "model.safetensors.index.json")));
        var config = HuggingFaceConfig.Load(dir.Path).Decoder!;
        using var ckpt = SafetensorsCheckpoint.Open(dir.Path);
        using var weights = new SafetensorsDecoderWeights(ckpt, config);
        var model = new LlamaModel(weights);
        int[][] sequences = [[1, 5, 9, 3, 22, 7, 30], [2, 17], [4, 4, 39, 0, 12]];
        var outputs = model.Forward(sequences, withAttention: true);
        Assert.Equal(s.L + 3, model.Labels.Count);
        for (int b = 0; b < sequences.Length; b++)
        {
            var (hidden, attention) = Reference(s, w, sequences[b]);
            HiddenStateReference.AssertWithinScale(outputs[b].Hidden, hidden, model.Labels, $"{family} sequence {b}");
            int T = sequences[b].Length;
            for (int h = 0; h < s.H; h++)
                for (int i = 0; i < T; i++)
                    for (int j = 0; j < T; j++)
                    {
                        double expected = j <= i ? attention[h][i][j] : 0;
                        Assert.True(Math.Abs(outputs[b].Attention![0][(h * T + i) * T + j] - expected) <= 1e-5, $"{family} attention h{h} {i},{j}");
                    }
        }
    }

    [Fact]
    public void RopeScalingChangesTheStatesSoTheTestAboveCanSeeIt()
    {
        // The llama3 rule with these numbers keeps, blends and scales frequencies (all three branches), and the states differ.
        var s = Family("llama3-scaled");
        var c = HuggingFaceConfig.Parse(System.Text.Encoding.UTF8.GetBytes(s.ConfigJson()), "config.json").Decoder!;
        var scaled = LlamaModel.RotaryFrequencies(c);
        var plain = LlamaModel.RotaryFrequencies(c with { RopeScaling = null });
        Assert.Equal(plain[0], scaled[0]);                      // wavelength 6.3 < 32: kept
        Assert.Equal(plain[3] / 4, scaled[3], 12);              // wavelength 6283 > 256: divided by the factor
        Assert.True(scaled[1] < plain[1] && scaled[1] > plain[1] / 4);   // wavelength 63: blended
        using var dir = new TempFolder();
        var w = WriteCheckpoint(s, dir.Path, seed: 5);
        var (withScaling, _) = Reference(s, w, [1, 5, 9, 3, 22, 7, 30]);
        var (without, _) = Reference(s with { RopeScalingJson = null }, w, [1, 5, 9, 3, 22, 7, 30]);
        double diff = 0;
        for (int t = 0; t < 7; t++) for (int d = 0; d < s.D; d++) diff = Math.Max(diff, Math.Abs(withScaling[^1][t][d] - without[^1][t][d]));
        Assert.True(diff > 1e-3, $"rope scaling moved the final states by only {diff:E2}");
    }

    [Fact]
    public void ConfigDefaultsAndFamilySwitches()
    {
        DecoderConfig Parse(string json) => HuggingFaceConfig.Parse(System.Text.Encoding.UTF8.GetBytes(json), "config.json").Decoder!;
        var q2 = Parse(Family("qwen2").ConfigJson());
        Assert.True(q2.AttentionBias && q2.TiedEmbeddings && !q2.QueryKeyNorm && !q2.ScaleEmbeddings);
        var q3 = Parse(Family("qwen3").ConfigJson());
        Assert.True(q3.QueryKeyNorm && !q3.AttentionBias);
        Assert.Equal(12, q3.HeadDim);
        var g = Parse(Family("gemma").ConfigJson());
        Assert.True(g.ScaleEmbeddings && g.NormWeightPlusOne && g.GeluTanhMlp && g.TiedEmbeddings);
        var m = Parse(Family("mistral").ConfigJson());
        Assert.Equal((DecoderFamily.Mistral, 1, 64), (m.Family, m.KeyValueHeads, m.MaxPositions));
        var l = Parse(Family("llama3-scaled").ConfigJson());
        Assert.Equal(new RopeScaling(RopeScalingKind.Llama3, 4, 1, 8, 256), l.RopeScaling);

        var yarn = Assert.Throws<SimileException>(() => Parse(Family("mistral").ConfigJson().Replace("\"rope_scaling\":null", "\"rope_scaling\":{\"type\":\"yarn\",\"factor\":4}")));
        Assert.Contains("yarn", yarn.Message);
        var act = Assert.Throws<SimileException>(() => Parse(Family("qwen2").ConfigJson().Replace("silu", "relu")));
        Assert.Contains("relu", act.Message);
    }
}
