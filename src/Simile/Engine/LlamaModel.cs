using System.Numerics.Tensors;

namespace Simile.Engine;

/// <summary>
/// The Llama-family decoder (Llama, Mistral, Qwen2, Qwen3, Gemma), float32, as in Hugging Face's modeling_llama.py and
/// its siblings, reading its weights from an <see cref="IDecoderWeights"/> one layer at a time:
/// <code>
///   e = embed_tokens[ids]                                                   → representation "token"
///   x = e            (Gemma: x = e · √D, √D rounded to float32)             → representation "0"
///   for each block:  a = RMSNorm₁(x)
///                    q, k, v = a·Wqᵀ (+bq), a·Wkᵀ (+bk), a·Wvᵀ (+bv)        (Qwen2: biases)
///                    q, k = RMSNorm_q(q), RMSNorm_k(k) per head               (Qwen3)
///                    q, k = RoPE(q), RoPE(k)                                  (rotate_half form, rope_theta, rope_scaling)
///                    x = x + o_proj(softmax(q kᵀ/√hd, causal) v)              (grouped-query: head j reads KV head j/(H/KV))
///                    a = RMSNorm₂(x)
///                    x = x + down_proj(act(gate_proj(a)) ⊙ up_proj(a))        → representation "l"
///                                                                             (act = SiLU; Gemma: GELU-tanh)
///   RMSNorm_final(x)                                                          → representation "final"
///   RMSNorm(x) = x / √(mean(x²) + eps) · w      (Gemma: · (1 + w))
/// </code>
/// Sequences of a batch are packed one after another and each attends causally to its own earlier tokens only.
/// Memory: the weights stay in their source (memory-mapped); each layer's matrices are converted to float32 into
/// buffers that are reused for every layer, and each layer is applied to all tokens of the batch at once.
/// Quantized weights (GGUF): with <see cref="IntegerProducts"/> (the default) the projections multiply the stored blocks
/// by activations quantised as llama.cpp does (Q8_0: <see cref="Q8Gemm"/>; Q4_K/Q5_K/Q6_K: <see cref="KQuantGemm"/>)
/// where <see cref="IntegerProjection.For"/> allows it; off, every weight is widened to float32, the dequantized weights'
/// exact float32 pass (as Hugging Face on a GGUF file).
/// </summary>
public sealed class LlamaModel
{
    public IDecoderWeights Weights { get; }
    public DecoderConfig Config { get; }
    public int Dims => Config.Hidden;
    public int Heads => Config.Heads;
    public int LayerCount => Config.Layers;
    public int VocabularySize => Config.VocabularySize;

    /// <summary>Labels of <see cref="ForwardOutput.Hidden"/>: "token", "0", …, "L", "final".</summary>
    public IReadOnlyList<string> Labels => ["token", .. Enumerable.Range(0, LayerCount + 1).Select(i => i.ToString()), "final"];

    private readonly double[] _inverseFrequencies;   // [hd/2] rotary frequencies after rope_scaling

    /// <summary>
    /// Multiply quantized projection weights in integers, activations quantised as llama.cpp does (faster, and differs
    /// from the float32 pass by the activation rounding, as llama.cpp does), where <see cref="IntegerProjection.For"/>
    /// allows it. Default on; off: weights widened to float32 (exact dequantized values).
    /// </summary>
    public bool IntegerProducts { get; init; } = true;

    /// <summary>The integer product a forward pass uses (<see cref="IntegerProductKind.None"/>: float32 widening).</summary>
    public IntegerProductKind IntegerKind => IntegerProducts
        ? IntegerProjection.For(Weights, [.. Enumerable.Range(0, Config.Layers).SelectMany(l => ProjectionNames.Select(t => LayerPrefix(l) + t))])
        : IntegerProductKind.None;

    /// <summary>True when the projections run through an integer product (see <see cref="IntegerProducts"/>).</summary>
    public bool UsesInt8 => IntegerKind != IntegerProductKind.None;

    private static readonly string[] ProjectionNames =
        ["self_attn.q_proj.weight", "self_attn.k_proj.weight", "self_attn.v_proj.weight", "self_attn.o_proj.weight",
         "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight"];

    public LlamaModel(IDecoderWeights weights)
    {
        Weights = weights;
        Config = weights.Config;
        CheckShapes();
        _inverseFrequencies = RotaryFrequencies(Config);
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (available > 0 && LayerBufferBytes > available / 2)
            throw new SimileException(
                $"{Config.Architecture}: one layer converted to float32 needs {LayerBufferBytes / 1e9:F1} GB, more than half of the {available / 1e9:F1} GB this process may use",
                "free memory or use a smaller model");
    }

    /// <summary>Bytes of the float32 buffers that hold one layer's weights (reused for every layer).</summary>
    public long LayerBufferBytes
    {
        get
        {
            var c = Config;
            long q = (long)c.Heads * c.HeadDim, kv = (long)c.KeyValueHeads * c.HeadDim;
            return 4 * ((q + 2 * kv) * c.Hidden + c.Hidden * q + 3L * c.Intermediate * c.Hidden + 2L * c.Hidden + q + 2 * kv + 2L * c.HeadDim);
        }
    }

    /// <summary>The tensor names of block <paramref name="l"/> (Hugging Face names).</summary>
    public static string LayerPrefix(int l) => $"model.layers.{l}.";

    /// <summary>
    /// inv_freq[i] = θ^(−2i/hd), i = 0 … hd/2 − 1, then rope_scaling: <c>linear</c> divides every frequency by the factor;
    /// <c>llama3</c> (modeling_rope_utils._compute_llama3_parameters) divides the low frequencies (wavelength longer than
    /// original_max_positions / low_freq_factor) by the factor, keeps the high ones (wavelength shorter than
    /// original_max_positions / high_freq_factor), and blends in between with
    /// s = (original_max_positions / wavelength − low_freq_factor) / (high_freq_factor − low_freq_factor):
    /// (1 − s) · f / factor + s · f.
    /// </summary>
    public static double[] RotaryFrequencies(DecoderConfig c)
    {
        int half = c.HeadDim / 2;
        var f = new double[half];
        for (int i = 0; i < half; i++) f[i] = 1.0 / Math.Pow(c.RopeTheta, 2.0 * i / c.HeadDim);
        var s = c.RopeScaling;
        if (s is null || s.Kind == RopeScalingKind.None) return f;
        if (s.Kind == RopeScalingKind.Linear)
        {
            for (int i = 0; i < half; i++) f[i] /= s.Factor;
            return f;
        }
        double lowWavelength = s.OriginalMaxPositions / s.LowFrequencyFactor;
        double highWavelength = s.OriginalMaxPositions / s.HighFrequencyFactor;
        for (int i = 0; i < half; i++)
        {
            double wavelength = 2 * Math.PI / f[i];
            if (wavelength > lowWavelength) f[i] /= s.Factor;                    // low frequencies: scaled
            else if (wavelength >= highWavelength)                               // medium: smooth blend
            {
                double smooth = (s.OriginalMaxPositions / wavelength - s.LowFrequencyFactor) / (s.HighFrequencyFactor - s.LowFrequencyFactor);
                f[i] = (1 - smooth) * f[i] / s.Factor + smooth * f[i];
            }
        }
        return f;
    }

    /// <summary>Runs a batch of token-id sequences (each ≤ MaxPositions, ids &lt; vocabulary size).</summary>
    public IReadOnlyList<ForwardOutput> Forward(IReadOnlyList<int[]> sequences, bool withAttention)
    {
        var c = Config;
        int D = c.Hidden, H = c.Heads, KV = c.KeyValueHeads, hd = c.HeadDim, L = c.Layers, I = c.Intermediate, V = c.VocabularySize;
        int qDim = H * hd, kvDim = KV * hd, qkvDim = qDim + 2 * kvDim;
        int B = sequences.Count;
        var start = new int[B + 1];
        int longest = 0;
        for (int b = 0; b < B; b++)
        {
            if (sequences[b].Length > c.MaxPositions)
                throw new ArgumentException($"sequence {b} has {sequences[b].Length} tokens, more than {c.MaxPositions} positions");
            foreach (int id in sequences[b])
                if ((uint)id >= (uint)V) throw new ArgumentException($"token id {id} in sequence {b} is outside the vocabulary (size {V})");
            start[b + 1] = start[b] + sequences[b].Length;
            longest = Math.Max(longest, sequences[b].Length);
        }
        int N = start[B];

        var outputs = new ForwardOutput[B];
        for (int b = 0; b < B; b++)
            outputs[b] = new ForwardOutput(new float[L + 3][], withAttention ? new float[L][] : null);

        // ---- embeddings: "token" = the rows, "0" = the rows (Gemma: × √D, the normalizer in float32 as HF computes it)
        var x = new float[(long)N * D];                              // [N × D] residual stream
        var ids = new int[N];
        for (int b = 0; b < B; b++) sequences[b].CopyTo(ids, start[b]);
        Weights.ReadRows("model.embed_tokens.weight", ids, x);
        BertModel.Keep(outputs, start, x, D, 0);
        if (c.ScaleEmbeddings) TensorPrimitives.Multiply(x, (float)Math.Sqrt(D), x);
        BertModel.Keep(outputs, start, x, D, 1);

        // ---- rotary tables for positions 0 … longest−1: cos/sin [T × hd/2] (angles in float64)
        int half = hd / 2;
        var cos = new float[longest * half];
        var sin = new float[longest * half];
        for (int p = 0; p < longest; p++)
            for (int i = 0; i < half; i++)
            {
                double angle = p * _inverseFrequencies[i];
                cos[p * half + i] = (float)Math.Cos(angle);
                sin[p * half + i] = (float)Math.Sin(angle);
            }

        // ---- blocks; one set of float32 weight buffers reused for every layer
        var lw = new LayerBuffers(c, IntegerKind);
        var a = new float[(long)N * D];                              // [N × D] normalised input of a sub-layer
        var qkv = new float[(long)N * qkvDim];                       // [N × (H + 2KV)·hd]: q | k | v
        var ctx = new float[(long)N * qDim];                         // [N × H·hd] attention output, heads side by side
        var tmp = new float[(long)N * D];                            // [N × D]
        var gateUp = new float[(long)N * 2 * I];                     // [N × 2I]: gate | up
        var ff = new float[(long)N * I];                             // [N × I]
        for (int l = 0; l < L; l++)
        {
            lw.Load(Weights, l);
            RmsNorm(x, a, N, lw.InputNorm, c.RmsNormEpsilon);
            lw.Project(a, lw.Qkv, lw.QkvQ8, qkv, N, qkvDim, D);                     // [N × qkvDim]
            if (c.AttentionBias) TransformerOps.AddBiasRows(qkv, lw.QkvBias, N);
            if (c.QueryKeyNorm)
            {
                for (int n = 0; n < N; n++)
                {
                    var row = qkv.AsSpan(n * qkvDim, qkvDim);
                    RmsNorm(row[..qDim], row[..qDim], H, lw.QueryNorm, c.RmsNormEpsilon);
                    RmsNorm(row.Slice(qDim, kvDim), row.Slice(qDim, kvDim), KV, lw.KeyNorm, c.RmsNormEpsilon);
                }
            }
            for (int b = 0; b < B; b++)
                for (int t = 0; t < sequences[b].Length; t++)
                {
                    var row = qkv.AsSpan((start[b] + t) * qkvDim, qkvDim);
                    var cs = cos.AsSpan(t * half, half);
                    var sn = sin.AsSpan(t * half, half);
                    for (int h = 0; h < H; h++) Rotate(row.Slice(h * hd, hd), cs, sn);
                    for (int h = 0; h < KV; h++) Rotate(row.Slice(qDim + h * hd, hd), cs, sn);
                }
            GroupedQueryAttention(qkv, ctx, start, H, KV, hd, outputs, withAttention ? l : -1);
            lw.Project(ctx, lw.Output, lw.OutputQ8, tmp, N, D, qDim);               // [N × D]
            TensorPrimitives.Add(x, tmp, x);

            RmsNorm(x, a, N, lw.PostAttentionNorm, c.RmsNormEpsilon);
            lw.Project(a, lw.GateUp, lw.GateUpQ8, gateUp, N, 2 * I, D);             // [N × 2I]
            GatedActivation(gateUp, ff, N, I, c.GeluTanhMlp);                       // [N × I]
            lw.Project(ff, lw.Down, lw.DownQ8, tmp, N, D, I);                       // [N × D]
            TensorPrimitives.Add(x, tmp, x);
            BertModel.Keep(outputs, start, x, D, l + 2);
        }

        // ---- "final" = model.norm(x)
        var finalNorm = new float[D];
        Weights.Read("model.norm.weight", finalNorm);
        if (c.NormWeightPlusOne) TensorPrimitives.Add(finalNorm, 1f, finalNorm);
        RmsNorm(x, a, N, finalNorm, c.RmsNormEpsilon);
        BertModel.Keep(outputs, start, a, D, L + 2);
        return outputs;
    }

    /// <summary>
    /// y[i,:] = x[i,:] / √(mean(x[i,:]²) + eps) · w for each of n rows of w.Length values (the mean in float64).
    /// Gemma's (1 + w) is folded into w by the caller. x and y may be the same span.
    /// </summary>
    public static void RmsNorm(ReadOnlySpan<float> x, Span<float> y, int n, ReadOnlySpan<float> w, double eps)
    {
        int d = w.Length;
        for (int i = 0; i < n; i++)
        {
            var xi = x.Slice(i * d, d);
            var yi = y.Slice(i * d, d);
            double sq = 0;
            for (int j = 0; j < d; j++) sq += (double)xi[j] * xi[j];
            float inv = (float)(1.0 / Math.Sqrt(sq / d + eps));
            TensorPrimitives.Multiply(xi, inv, yi);
            TensorPrimitives.Multiply(yi, w, yi);
        }
    }

    /// <summary>
    /// HF's rotate_half RoPE on one head vector v[hd]: for i &lt; hd/2, with (c, s) = (cos, sin)(pos · inv_freq[i]),
    /// v[i] ← v[i]·c − v[i + hd/2]·s and v[i + hd/2] ← v[i + hd/2]·c + v[i]·s.
    /// </summary>
    private static void Rotate(Span<float> v, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin)
    {
        int half = cos.Length;
        for (int i = 0; i < half; i++)
        {
            float x1 = v[i], x2 = v[i + half];
            v[i] = x1 * cos[i] - x2 * sin[i];
            v[i + half] = x2 * cos[i] + x1 * sin[i];
        }
    }

    /// <summary>ff[n, :] = act(gate[n, :]) ⊙ up[n, :] for rows [gate | up] of gateUp [N × 2I]; act = SiLU or GELU-tanh.</summary>
    private static void GatedActivation(float[] gateUp, float[] ff, int N, int I, bool geluTanh)
    {
        Parallel.For(0, (N + 63) / 64, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, chunk =>
        {
            var sig = new float[I];
            for (int n = chunk * 64; n < Math.Min(N, chunk * 64 + 64); n++)
            {
                var gate = gateUp.AsSpan(n * 2 * I, I);
                var up = gateUp.AsSpan(n * 2 * I + I, I);
                var y = ff.AsSpan(n * I, I);
                if (geluTanh)
                {
                    TransformerOps.GeluTanh(gate);
                    TensorPrimitives.Multiply(gate, up, y);
                }
                else
                {
                    TensorPrimitives.Sigmoid(gate, sig);                // silu(g) = g · σ(g)
                    TensorPrimitives.Multiply(gate, sig, y);
                    TensorPrimitives.Multiply(y, up, y);
                }
            }
        });
    }

    /// <summary>
    /// Causal attention for every (sequence, query head) of the packed batch, query head h reading KV head h / (H / KV);
    /// ctx [N × H·hd] gets the heads side by side. With <paramref name="attentionLayer"/> ≥ 0 the probabilities go to
    /// outputs[b].Attention[layer] as [H × T × T]. Each (sequence, head) is independent: same numbers for any thread count.
    /// </summary>
    private static void GroupedQueryAttention(float[] qkv, float[] ctx, int[] start, int H, int KV, int hd,
        ForwardOutput[] outputs, int attentionLayer)
    {
        int B = outputs.Length, qDim = H * hd, stride = (H + 2 * KV) * hd, group = H / KV;
        if (attentionLayer >= 0)
            for (int b = 0; b < B; b++)
            {
                int t = start[b + 1] - start[b];
                outputs[b].Attention![attentionLayer] = new float[H * t * t];
            }
        Parallel.For(0, B * H, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            () => Array.Empty<float>(),
            (item, _, scratch) =>
            {
                int b = item / H, h = item % H, kvh = h / group;
                int t = start[b + 1] - start[b];
                if (t == 0) return scratch;
                if (scratch.Length < t * t) scratch = new float[t * t];
                var scores = scratch.AsSpan(0, t * t);
                int row0 = start[b] * stride;
                TransformerOps.Attention(qkv.AsSpan(row0 + h * hd), qkv.AsSpan(row0 + qDim + kvh * hd),
                    qkv.AsSpan(row0 + qDim + KV * hd + kvh * hd), ctx.AsSpan(start[b] * qDim + h * hd), stride, qDim, t, hd,
                    causal: true, scores);
                if (attentionLayer >= 0)
                    scores.CopyTo(outputs[b].Attention![attentionLayer].AsSpan(h * t * t, t * t));
                return scratch;
            },
            _ => { });
    }

    /// <summary>Checks that every tensor the pass reads is present with the shape the config implies (no data is read).</summary>
    private void CheckShapes()
    {
        var c = Config;
        int D = c.Hidden, H = c.Heads, KV = c.KeyValueHeads, hd = c.HeadDim, I = c.Intermediate;
        if (D <= 0 || H <= 0 || KV <= 0 || hd <= 0 || I <= 0 || c.Layers < 0 || c.VocabularySize <= 0)
            throw new SimileException($"{c.Architecture}: the model sizes are not all positive", "check config.json / the file's metadata");
        if (H % KV != 0)
            throw new SimileException($"{c.Architecture}: {H} attention heads are not a multiple of {KV} key-value heads", "check config.json / the file's metadata");
        if (hd % 2 != 0)
            throw new SimileException($"{c.Architecture}: head dimension {hd} is odd, so rotary embeddings do not apply", "check config.json / the file's metadata");
        Expect("model.embed_tokens.weight", c.VocabularySize, D);
        Expect("model.norm.weight", D);
        for (int l = 0; l < c.Layers; l++)
        {
            string p = LayerPrefix(l);
            Expect(p + "input_layernorm.weight", D);
            Expect(p + "post_attention_layernorm.weight", D);
            Expect(p + "self_attn.q_proj.weight", H * hd, D);
            Expect(p + "self_attn.k_proj.weight", KV * hd, D);
            Expect(p + "self_attn.v_proj.weight", KV * hd, D);
            Expect(p + "self_attn.o_proj.weight", D, H * hd);
            if (c.AttentionBias)
            {
                Expect(p + "self_attn.q_proj.bias", H * hd);
                Expect(p + "self_attn.k_proj.bias", KV * hd);
                Expect(p + "self_attn.v_proj.bias", KV * hd);
            }
            if (c.QueryKeyNorm)
            {
                Expect(p + "self_attn.q_norm.weight", hd);
                Expect(p + "self_attn.k_norm.weight", hd);
            }
            Expect(p + "mlp.gate_proj.weight", I, D);
            Expect(p + "mlp.up_proj.weight", I, D);
            Expect(p + "mlp.down_proj.weight", D, I);
        }
        long perLayer = (long)(H + 2 * KV) * hd * D + (long)D * H * hd + 3L * I * D;
        if (perLayer > int.MaxValue)
            throw new SimileException($"{c.Architecture}: one layer has {perLayer:N0} weights, more than Simile's float32 layer buffers hold",
                "use a smaller model");
    }

    private void Expect(string name, params long[] shape)
    {
        string expected = "[" + string.Join(", ", shape) + "]";
        if (!Weights.Has(name))
            throw new SimileException($"{Config.Architecture}: tensor '{name}' (shape {expected}) is missing",
                "check that the weights and the configuration belong to the same model");
        var s = Weights.Shape(name);
        if (s.Count != shape.Length || !s.SequenceEqual(shape))
            throw new SimileException($"{Config.Architecture}: tensor '{name}' has shape [{string.Join(", ", s)}], but the configuration implies {expected}",
                "check that the weights and the configuration belong to the same model");
    }

    /// <summary>
    /// The weights of one block, overwritten for each layer in turn: float32, or (int8 path) the projections as
    /// <see cref="Q8Matrix"/> and the rest float32.
    /// </summary>
    private sealed class LayerBuffers
    {
        private readonly DecoderConfig _c;
        public readonly float[] InputNorm, PostAttentionNorm;   // [D] (Gemma: 1 + w)
        public readonly float[] Qkv;                            // [(H + 2KV)·hd × D]: q_proj | k_proj | v_proj rows
        public readonly float[] QkvBias;                        // [(H + 2KV)·hd] (Qwen2)
        public readonly float[] QueryNorm, KeyNorm;             // [hd] (Qwen3)
        public readonly float[] Output;                         // [D × H·hd]
        public readonly float[] GateUp;                         // [2I × D]: gate_proj | up_proj rows
        public readonly float[] Down;                           // [D × I]
        public readonly IntegerProjection? QkvQ8, OutputQ8, GateUpQ8, DownQ8;   // integer path: same shapes
        private byte[] _blocks = [];                            // one tensor's blocks as read
        private readonly IntegerProjection.Activations _x = new();   // activations quantised for the integer path

        public LayerBuffers(DecoderConfig c, IntegerProductKind integer)
        {
            _c = c;
            int D = c.Hidden, q = c.Heads * c.HeadDim, kv = c.KeyValueHeads * c.HeadDim, I = c.Intermediate;
            InputNorm = new float[D];
            PostAttentionNorm = new float[D];
            QkvBias = c.AttentionBias ? new float[q + 2 * kv] : [];
            QueryNorm = c.QueryKeyNorm ? new float[c.HeadDim] : [];
            KeyNorm = c.QueryKeyNorm ? new float[c.HeadDim] : [];
            if (integer != IntegerProductKind.None)
            {
                Qkv = Output = GateUp = Down = [];
                QkvQ8 = new IntegerProjection(integer, q + 2 * kv, D);
                OutputQ8 = new IntegerProjection(integer, D, q);
                GateUpQ8 = new IntegerProjection(integer, 2 * I, D);
                DownQ8 = new IntegerProjection(integer, D, I);
                return;
            }
            Qkv = new float[(long)(q + 2 * kv) * D];
            Output = new float[(long)D * q];
            GateUp = new float[2L * I * D];
            Down = new float[(long)D * I];
        }

        /// <summary>y [n × outDim] = x [n × inDim] · Wᵀ, W [outDim × inDim] float32 or in integer form.</summary>
        public void Project(float[] x, float[] w, IntegerProjection? wq, float[] y, int n, int outDim, int inDim)
        {
            if (wq is null)
            {
                Gemm.Multiply(x, w, y, n, outDim, inDim, transposeB: true);
                return;
            }
            wq.Multiply(x, n, y, _x);
        }

        /// <summary>Rows [first, first + rows) of <paramref name="m"/> from the quantized tensor <paramref name="name"/>.</summary>
        private void LoadQ8(IDecoderWeights w, string name, IntegerProjection m, int first, int rows)
            => m.Load(w, name, first, rows, ref _blocks);

        public void Load(IDecoderWeights w, int l)
        {
            var c = _c;
            string p = LayerPrefix(l);
            int D = c.Hidden, q = c.Heads * c.HeadDim, kv = c.KeyValueHeads * c.HeadDim, I = c.Intermediate;
            w.Read(p + "input_layernorm.weight", InputNorm);
            w.Read(p + "post_attention_layernorm.weight", PostAttentionNorm);
            if (c.NormWeightPlusOne)
            {
                TensorPrimitives.Add(InputNorm, 1f, InputNorm);
                TensorPrimitives.Add(PostAttentionNorm, 1f, PostAttentionNorm);
            }
            if (QkvQ8 is not null)
            {
                LoadQ8(w, p + "self_attn.q_proj.weight", QkvQ8, 0, q);
                LoadQ8(w, p + "self_attn.k_proj.weight", QkvQ8, q, kv);
                LoadQ8(w, p + "self_attn.v_proj.weight", QkvQ8, q + kv, kv);
                LoadQ8(w, p + "self_attn.o_proj.weight", OutputQ8!, 0, D);
                LoadQ8(w, p + "mlp.gate_proj.weight", GateUpQ8!, 0, I);
                LoadQ8(w, p + "mlp.up_proj.weight", GateUpQ8!, I, I);
                LoadQ8(w, p + "mlp.down_proj.weight", DownQ8!, 0, D);
            }
            else
            {
                w.Read(p + "self_attn.q_proj.weight", Qkv.AsSpan(0, q * D));
                w.Read(p + "self_attn.k_proj.weight", Qkv.AsSpan(q * D, kv * D));
                w.Read(p + "self_attn.v_proj.weight", Qkv.AsSpan((q + kv) * D, kv * D));
                w.Read(p + "self_attn.o_proj.weight", Output);
                w.Read(p + "mlp.gate_proj.weight", GateUp.AsSpan(0, I * D));
                w.Read(p + "mlp.up_proj.weight", GateUp.AsSpan(I * D, I * D));
                w.Read(p + "mlp.down_proj.weight", Down);
            }
            if (c.AttentionBias)
            {
                w.Read(p + "self_attn.q_proj.bias", QkvBias.AsSpan(0, q));
                w.Read(p + "self_attn.k_proj.bias", QkvBias.AsSpan(q, kv));
                w.Read(p + "self_attn.v_proj.bias", QkvBias.AsSpan(q + kv, kv));
            }
            if (c.QueryKeyNorm)
            {
                w.Read(p + "self_attn.q_norm.weight", QueryNorm);
                w.Read(p + "self_attn.k_norm.weight", KeyNorm);
            }
        }
    }
}
