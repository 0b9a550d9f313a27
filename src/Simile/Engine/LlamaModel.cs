using System.Numerics.Tensors;

namespace Simile.Engine;

/// <summary>
/// The Llama-family decoders, float32, as in Hugging Face's modeling_llama.py and its descendants (Mistral, Qwen2,
/// Qwen3, Gemma, Gemma 2, Gemma 3 text, Phi-3, OLMo 2), reading the weights from an <see cref="IDecoderWeights"/> one
/// layer at a time:
/// <code>
///   e = embed_tokens[ids]                                                   → representation "token"
///   x = e            (Gemma 1/2/3: x = e · √D, √D rounded to float32)       → representation "0"
///   for each block l:
///     a = x                       Pre, Sandwich: a = RMSNorm_in(x)          (OLMo 2, Post: no input norm)
///     q, k, v = a·Wqᵀ (+bq), a·Wkᵀ (+bk), a·Wvᵀ (+bv)                       (Qwen2: biases; Phi-3: one fused qkv_proj)
///     q, k = RMSNorm_q(q), RMSNorm_k(k)        per head (Qwen3, Gemma 3) or over the whole projection (OLMo 2)
///     q, k = RoPE(q), RoPE(k)                  rotate_half on the first RotaryDims of each head (Phi-3: partial);
///                                              θ = rope_theta + rope_scaling (Gemma 3 local layers: rope_local_base_freq)
///     s = q kᵀ · scale                         scale = 1/√hd (Gemma 2/3: query_pre_attn_scalar^(−1/2))
///     s = tanh(s / cap) · cap                  (Gemma 2: attn_logit_softcapping)
///     o = o_proj(softmax(s, causal [, window]) v)   query head j reads KV head j/(H/KV); sliding layers: i − j &lt; W
///     x = x + o                   Sandwich, Post: x = x + RMSNorm_post_attn(o)
///     a = RMSNorm_ffn_in(x)       (Pre: post_attention_layernorm; Sandwich: pre_feedforward_layernorm; Post: a = x)
///     f = down_proj(act(gate_proj(a)) ⊙ up_proj(a))   act = SiLU (Gemma: GELU-tanh); Phi-3: one fused gate_up_proj;
///                                                     float32: FeedForward.SliceWidth columns of I at a time
///     x = x + f                   Sandwich, Post: x = x + RMSNorm_post_ffn(f)              → representation "l"
///   RMSNorm_final(x)                                                        → representation "final"
///   RMSNorm(x) = x / √(mean(x²) + eps) · w      (Gemma 1/2/3: · (1 + w))
/// </code>
/// Sequences of a batch are packed one after another and each attends causally to its own earlier tokens only.
/// Memory: the weights stay in their source (memory-mapped); each product widens its matrix to float32 a block at a
/// time into one scratch buffer of <see cref="ScratchFloats"/> that every projection of every layer reuses
/// (<see cref="LayerMatrix"/>), and each layer is applied to all tokens of the batch at once; a run of batches shares
/// that scratch and the activations (the attention sub-layer's buffers serve the feed-forward one too). Each
/// representation goes to the caller's sink as soon as it is computed (<see cref="IHiddenStateSink"/>), so a run holds
/// one scratch block of weights plus one batch's activations, whatever the number of layers. Quantized weights (GGUF): with <see cref="IntegerProducts"/> (the default) the projections multiply
/// the stored blocks by activations quantised as llama.cpp does (Q8_0: <see cref="Q8Gemm"/>; Q4_K/Q5_K/Q6_K:
/// <see cref="KQuantGemm"/>) where <see cref="IntegerProjection.For"/> allows it; off, the dequantized weights' exact
/// float32 pass (as Hugging Face on a GGUF file).
/// </summary>
public sealed class LlamaModel : IForwardPass
{
    public IDecoderWeights Weights { get; }
    public DecoderConfig Config { get; }
    public string Architecture => Config.Architecture;
    public int Dims => Config.Hidden;
    public int Heads => Config.Heads;
    public int LayerCount => Config.Layers;
    public int VocabularySize => Config.VocabularySize;
    public int MaxPositions => Config.MaxPositions;

    /// <summary>Labels of <see cref="ForwardOutput.Hidden"/>: "token", "0", …, "L", "final".</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>
    /// Multiply quantized projection weights in integers, activations quantised as llama.cpp does (faster; differs from
    /// the float32 pass by the activation rounding, as llama.cpp does), where <see cref="IntegerProjection.For"/> allows
    /// it: every projection of every layer Q8_0, or every one a k-quant. Default on; off: weights widened to float32
    /// (exact dequantized values).
    /// </summary>
    public bool IntegerProducts { get; init; } = true;

    /// <summary>The integer product a forward pass uses (<see cref="IntegerProductKind.None"/>: float32 widening).</summary>
    public IntegerProductKind IntegerKind => IntegerProducts
        ? IntegerProjection.For(Weights, Enumerable.Range(0, LayerCount).SelectMany(l => Projections(l).SelectMany(p => p.Parts.Select(n => (n, p.In)))))
        : IntegerProductKind.None;

    /// <summary>The integer product the experts of a mixture use (<see cref="IntegerProductKind.None"/>: float32
    /// widening): decided over every expert matrix of every layer by the same rule as <see cref="IntegerKind"/>.</summary>
    public IntegerProductKind ExpertIntegerKind => IntegerProducts && Config.Experts > 0
        ? IntegerProjection.For(Weights, Enumerable.Range(0, LayerCount).Where(Config.IsSparseLayer).SelectMany(ExpertMatrices))
        : IntegerProductKind.None;

    private IEnumerable<(string Name, int In)> ExpertMatrices(int l)
    {
        for (int e = 0; e < Config.Experts; e++)
        {
            var (gate, up, down) = MixtureOfExperts.ExpertNames(Config, l, e);
            yield return (gate, Config.Hidden);
            yield return (up, Config.Hidden);
            yield return (down, Config.ExpertIntermediate);
        }
    }

    /// <summary>True when the projections run through an integer product (see <see cref="IntegerProducts"/>).</summary>
    public bool UsesInt8 => IntegerKind != IntegerProductKind.None;

    public LlamaModel(IDecoderWeights weights)
    {
        Weights = weights;
        Config = weights.Config;
        Labels = PackedBatch.LabelsOf(Config.Layers, final: true);
        CheckShapes();
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (available > 0 && LayerBufferBytes > available / 2)
            throw new SimileException(
                $"{Config.Architecture}: the buffers one layer passes through need {LayerBufferBytes / 1e9:F1} GB, more than half of the {available / 1e9:F1} GB this process may use",
                "free memory or use a smaller model");
    }

    /// <summary>The tensor names of block <paramref name="l"/> (Hugging Face names).</summary>
    public static string LayerPrefix(int l) => $"model.layers.{l}.";

    /// <summary>The token-embedding matrix [V × D].</summary>
    public const string EmbeddingName = "model.embed_tokens.weight";

    public void ReadTokenEmbeddings(ReadOnlySpan<int> ids, Span<float> destination) => Weights.ReadRows(EmbeddingName, ids, destination);

    /// <summary>The four projections of block l: stored tensors stacked by rows, and their [Out × In] shape.</summary>
    private IEnumerable<(string[] Parts, int Out, int In)> Projections(int l)
    {
        var c = Config;
        string p = LayerPrefix(l);
        int D = c.Hidden, q = c.Heads * c.HeadDim, kv = c.KeyValueHeads * c.HeadDim, I = c.Intermediate;
        yield return (c.FusedProjections ? [p + "self_attn.qkv_proj.weight"]
            : [p + "self_attn.q_proj.weight", p + "self_attn.k_proj.weight", p + "self_attn.v_proj.weight"], q + 2 * kv, D);
        yield return ([p + "self_attn.o_proj.weight"], D, q);
        if (c.IsSparseLayer(l)) yield break;                       // the experts replace the dense MLP (MixtureOfExperts)
        yield return (c.FusedProjections ? [p + "mlp.gate_up_proj.weight"] : [p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight"], 2 * I, D);
        yield return ([p + "mlp.down_proj.weight"], D, I);
    }

    /// <summary>The RMSNorm weights of a block by role (null where the placement has none): before and after the
    /// attention sub-layer, before and after the feed-forward sub-layer.</summary>
    public static (string? AttentionIn, string? AttentionOut, string? FeedForwardIn, string? FeedForwardOut) NormNames(NormPlacement placement) =>
        placement switch
        {
            NormPlacement.Pre => ("input_layernorm.weight", null, "post_attention_layernorm.weight", null),
            NormPlacement.Sandwich => ("input_layernorm.weight", "post_attention_layernorm.weight", "pre_feedforward_layernorm.weight", "post_feedforward_layernorm.weight"),
            _ => (null, "post_attention_layernorm.weight", null, "post_feedforward_layernorm.weight"),
        };

    /// <summary>Bytes of the buffers one layer's weights pass through, reused for every layer: the float32 scratch
    /// its projections are widened into a block at a time (<see cref="ScratchFloats"/>; the integer path holds the
    /// layer's quantized blocks instead), the norm weights and biases, and a mixture of experts' buffers.</summary>
    public long LayerBufferBytes
    {
        get
        {
            var c = Config;
            long q = (long)c.Heads * c.HeadDim, kv = (long)c.KeyValueHeads * c.HeadDim;
            return 4 * (ScratchFloats + 4L * c.Hidden + 2 * (q + 2 * kv)) + (c.Experts > 0 ? MixtureOfExperts.BufferBytes(c) : 0);
        }
    }

    /// <summary>Floats of the scratch the float32 projections of a layer are widened into (<see cref="LayerMatrix"/>):
    /// one feed-forward slice (of the dense MLP or of an expert) of gate or up rows [s × D] or of down columns [D × s],
    /// s = <see cref="FeedForward.SliceWidth"/>;
    /// q|k|v and o are widened in as many rows as that holds.</summary>
    public long ScratchFloats
    {
        get
        {
            var c = Config;
            int D = c.Hidden, q = c.Heads * c.HeadDim, kv = c.KeyValueHeads * c.HeadDim;
            int dense = HasDenseLayer ? c.Intermediate : 0, expert = c.Experts > 0 ? c.ExpertIntermediate : 0;
            int s = Math.Max(FeedForward.WidestSlice(dense), FeedForward.WidestSlice(expert));
            return Math.Max((long)s * D, Math.Max(Math.Max(D, q), Math.Max(dense, expert)));   // ≥ one row of every projection
        }
    }

    /// <summary>True when some layer has the dense MLP (every layer but the sparse ones of a mixture of experts).</summary>
    public bool HasDenseLayer => Enumerable.Range(0, Config.Layers).Any(l => !Config.IsSparseLayer(l));

    /// <summary>Rotary frequencies of the global layers (rope_theta and rope_scaling) over the rotated values per head.</summary>
    public static double[] RotaryFrequencies(DecoderConfig c) => Rotary.Frequencies(c.RotaryDimsOrHead, c.RopeTheta, c.RopeScaling);

    /// <summary>Runs the batches one after another with one set of buffers (allocated here, for the largest batch so
    /// far, and dropped at the end); every representation goes to <paramref name="sink"/> as soon as it is computed.</summary>
    public void Forward(IEnumerable<PackedBatch> batches, IHiddenStateSink sink)
    {
        Workspace? ws = null;                                    // made with the first batch
        foreach (var batch in batches) Run(batch, ws ??= new Workspace(this), sink);
        LastActivationBytes = ws?.ActivationBytes ?? 0;
    }

    /// <summary>One batch through every layer, in the buffers of <paramref name="ws"/>.</summary>
    private void Run(PackedBatch batch, Workspace ws, IHiddenStateSink sink)
    {
        var c = Config;
        int D = c.Hidden, H = c.Heads, KV = c.KeyValueHeads, hd = c.HeadDim, L = c.Layers, I = c.Intermediate;
        int qDim = H * hd, kvDim = KV * hd, qkvDim = qDim + 2 * kvDim;
        int N = batch.Tokens;
        bool withAttention = batch.Attention is not null;

        // ---- the batch's activations, in the run's buffers (grown for a larger batch)
        var x = WorkBuffer.AtLeast(ref ws.X, (long)N * D);                         // [N × D] residual stream
        var a = WorkBuffer.AtLeast(ref ws.A, (long)N * D);                         // [N × D] normalised input of a sub-layer
        var tmp = WorkBuffer.AtLeast(ref ws.Tmp, (long)N * D);                     // [N × D] sub-layer output
        var lw = ws.Layer;
        int width = HasDenseLayer ? FeedForward.GatedWidth(lw.GateUp, I) : 0;
        // The attention sub-layer's buffers serve the feed-forward one too: the two are never live together.
        var qkv = WorkBuffer.AtLeast(ref ws.QkvOrGateUp, (long)N * Math.Max(qkvDim, 2 * width));   // [N × (H + 2KV)·hd]: q | k | v
        var ctx = WorkBuffer.AtLeast(ref ws.ContextOrFf, (long)N * Math.Max(qDim, width));         // [N × H·hd] attention output, heads side by side
        var gateUp = qkv;                                                          // [N × 2s]: gate | up of a slice (integer path: s = I)
        var ff = ctx;                                                              // [N × s]
        Span<float> Rows(float[] buffer) => buffer.AsSpan(0, N * D);            // the batch's [N × D] rows of a buffer

        // ---- embeddings: "token" = the rows, "0" = the rows (Gemma: × √D, the normalizer in float32 as HF computes
        //      it in a float32 model)
        Weights.ReadRows(EmbeddingName, batch.Ids, Rows(x));
        sink.Receive(0, batch, Rows(x));
        if (sink.Deepest <= 0) return;                                          // only "token" asked for
        if (c.ScaleEmbeddings) TensorPrimitives.Multiply(Rows(x), (float)Math.Sqrt(D), Rows(x));
        sink.Receive(1, batch, Rows(x));
        if (sink.Deepest <= 1) return;

        // ---- rotary tables for positions 0 … T−1; Gemma 3's sliding layers have their own θ and no scaling
        var rope = new Rotary(RotaryFrequencies(c), batch.Longest, c.RopeScaling?.AttentionFactor ?? 1);
        var localRope = c.LocalRopeTheta > 0 ? new Rotary(Rotary.Frequencies(c.RotaryDimsOrHead, c.LocalRopeTheta, null), batch.Longest) : rope;
        float scale = c.QueryScale > 0 ? (float)c.QueryScale : 1f / MathF.Sqrt(hd);
        var global = new AttentionOptions(Causal: true, scale, (float)c.AttentionSoftCap);
        var local = global with { Window = c.SlidingWindow };

        // ---- blocks; one set of weight buffers reused for every layer (and every batch)
        for (int l = 0; l < L; l++)
        {
            lw.Load(l);
            bool sliding = c.IsSlidingLayer(l);

            // attention sub-layer
            var attIn = x;
            if (lw.AttentionIn is { } n1) { TransformerOps.RmsNorm(x, a, N, n1, c.RmsNormEpsilon); attIn = a; }
            lw.Qkv.Project(attIn, qkv, N);                                          // [N × qkvDim]
            if (c.AttentionBias) TransformerOps.AddBiasRows(qkv, lw.QkvBias, N);
            for (int n = 0; n < N; n++)
            {
                var row = qkv.AsSpan(n * qkvDim, qkvDim);
                var qRow = row[..qDim];
                var kRow = row.Slice(qDim, kvDim);
                switch (c.QueryKeyNormKind)
                {
                    case QueryKeyNormKind.PerHead:                                  // [H × hd], [KV × hd]
                        TransformerOps.RmsNorm(qRow, qRow, H, lw.QueryNorm, c.RmsNormEpsilon);
                        TransformerOps.RmsNorm(kRow, kRow, KV, lw.KeyNorm, c.RmsNormEpsilon);
                        break;
                    case QueryKeyNormKind.WholeProjection:                          // [H·hd], [KV·hd]
                        TransformerOps.RmsNorm(qRow, qRow, 1, lw.QueryNorm, c.RmsNormEpsilon);
                        TransformerOps.RmsNorm(kRow, kRow, 1, lw.KeyNorm, c.RmsNormEpsilon);
                        break;
                }
                var r = sliding ? localRope : rope;
                r.Apply(qRow, H, hd, batch.Position[n]);
                r.Apply(kRow, KV, hd, batch.Position[n]);
            }
            Attention.Run(qkv, 0, qkv, qDim, qkv, qDim + kvDim, qkvDim, ctx, batch, H, KV, hd, sliding ? local : global,
                withAttention ? l : -1);
            lw.Output.Project(ctx, tmp, N);                                         // [N × D]
            if (lw.AttentionOut is { } n2) TransformerOps.RmsNorm(tmp, tmp, N, n2, c.RmsNormEpsilon);
            TensorPrimitives.Add(Rows(x), Rows(tmp), Rows(x));

            // feed-forward sub-layer
            var ffIn = x;
            if (lw.FeedForwardIn is { } n3) { TransformerOps.RmsNorm(x, a, N, n3, c.RmsNormEpsilon); ffIn = a; }
            if (c.IsSparseLayer(l))
                ws.Experts!.Apply(Weights, l, ffIn, tmp, N);                        // Mixtral, Qwen3-MoE: [N × D]
            else
                FeedForward.Gated(lw.GateUp, lw.Down, ffIn, gateUp, ff, tmp, N, I, c.GeluTanhMlp);   // [N × D]; float32 in slices
            if (lw.FeedForwardOut is { } n4) TransformerOps.RmsNorm(tmp, tmp, N, n4, c.RmsNormEpsilon);
            TensorPrimitives.Add(Rows(x), Rows(tmp), Rows(x));
            sink.Receive(l + 2, batch, Rows(x));
            if (sink.Deepest <= l + 2) return;                                  // no deeper layer asked for
        }

        // ---- "final" = model.norm(x)
        var finalNorm = ws.FinalNorm;
        Weights.Read("model.norm.weight", finalNorm);
        if (c.NormWeightPlusOne) TensorPrimitives.Add(finalNorm, 1f, finalNorm);
        TransformerOps.RmsNorm(x, a, N, finalNorm, c.RmsNormEpsilon);
        sink.Receive(L + 2, batch, Rows(a));
    }

    /// <summary>Bytes of the activation buffers the last <see cref="Forward(IEnumerable{PackedBatch}, IHiddenStateSink)"/>
    /// held (sized for its largest batch; the layer's weight buffers are <see cref="LayerBufferBytes"/>).</summary>
    public long LastActivationBytes { get; private set; }

    /// <summary>One layer's weights (float32 or integer blocks), the experts' buffers, and the activations of the
    /// largest batch so far.</summary>
    private sealed class Workspace
    {
        public readonly LayerBuffers Layer;
        public readonly MixtureOfExperts? Experts;
        public readonly float[] FinalNorm;
        public float[] X = [], A = [], Tmp = [], QkvOrGateUp = [], ContextOrFf = [];
        public long ActivationBytes => 4L * (X.LongLength + A.LongLength + Tmp.LongLength + QkvOrGateUp.LongLength + ContextOrFf.LongLength);

        public Workspace(LlamaModel m)
        {
            var dense = m.IntegerKind;
            var experts = m.Config.Experts > 0 ? m.ExpertIntegerKind : IntegerProductKind.None;
            // The float32 blocks of every projection (dense and experts) are widened into this one buffer.
            float[] scratch = dense == IntegerProductKind.None || (m.Config.Experts > 0 && experts == IntegerProductKind.None)
                ? new float[m.ScratchFloats] : [];
            Layer = new LayerBuffers(m, dense, scratch);
            Experts = m.Config.Experts > 0 ? new MixtureOfExperts(m.Config, experts, scratch) : null;
            FinalNorm = new float[m.Config.Hidden];
        }
    }

    /// <summary>Checks that every tensor the pass reads is present with the shape the config implies (no data is read).</summary>
    private void CheckShapes()
    {
        var c = Config;
        int D = c.Hidden, H = c.Heads, KV = c.KeyValueHeads, hd = c.HeadDim, I = c.Intermediate;
        string fix = "check config.json / the file's metadata";
        if (D <= 0 || H <= 0 || KV <= 0 || hd <= 0 || I <= 0 || c.Layers < 0 || c.VocabularySize <= 0)
            throw new SimileException($"{c.Architecture}: the model sizes are not all positive", fix);
        if (H % KV != 0)
            throw new SimileException($"{c.Architecture}: {H} attention heads are not a multiple of {KV} key-value heads", fix);
        int rd = c.RotaryDimsOrHead;
        if (rd % 2 != 0 || rd > hd || rd <= 0)
            throw new SimileException($"{c.Architecture}: {rd} rotary values per head of {hd} is not an even number within the head, so rotary embeddings do not apply", fix);
        if (c.SlidingWindow < 0 || (c.SlidingLayers is { } sl && sl.Count != c.Layers))
            throw new SimileException($"{c.Architecture}: the sliding-window settings do not fit {c.Layers} layers", fix);
        if (c.Experts > 0 && (c.ExpertsPerToken < 1 || c.ExpertsPerToken > c.Experts || c.ExpertIntermediate <= 0))
            throw new SimileException($"{c.Architecture}: {c.ExpertsPerToken} experts per token of {c.Experts} experts (each {c.ExpertIntermediate} wide) is not a mixture of experts", fix);
        Expect(EmbeddingName, c.VocabularySize, D);
        Expect("model.norm.weight", D);
        var norms = NormNames(c.Norms);
        for (int l = 0; l < c.Layers; l++)
        {
            string p = LayerPrefix(l);
            foreach (var norm in new[] { norms.AttentionIn, norms.AttentionOut, norms.FeedForwardIn, norms.FeedForwardOut })
                if (norm is not null) Expect(p + norm, D);
            foreach (var (parts, rows, cols) in Projections(l))
            {
                if (parts.Length == 1) Expect(parts[0], rows, cols);
                else
                {
                    // q | k | v and gate | up: the parts' rows add up (q: H·hd, k and v: KV·hd; gate and up: I)
                    int[] each = parts.Length == 3 ? [H * hd, KV * hd, KV * hd] : [I, I];
                    for (int i = 0; i < parts.Length; i++) Expect(parts[i], each[i], cols);
                }
            }
            if (c.IsSparseLayer(l))
            {
                Expect(MixtureOfExperts.RouterName(c, l), c.Experts, D);
                for (int e = 0; e < c.Experts; e++)
                {
                    var (gate, up, down) = MixtureOfExperts.ExpertNames(c, l, e);
                    Expect(gate, c.ExpertIntermediate, D);
                    Expect(up, c.ExpertIntermediate, D);
                    Expect(down, D, c.ExpertIntermediate);
                }
            }
            if (c.AttentionBias)
            {
                Expect(p + "self_attn.q_proj.bias", H * hd);
                Expect(p + "self_attn.k_proj.bias", KV * hd);
                Expect(p + "self_attn.v_proj.bias", KV * hd);
            }
            if (c.QueryKeyNormKind == QueryKeyNormKind.PerHead)
            {
                Expect(p + "self_attn.q_norm.weight", hd);
                Expect(p + "self_attn.k_norm.weight", hd);
            }
            else if (c.QueryKeyNormKind == QueryKeyNormKind.WholeProjection)
            {
                Expect(p + "self_attn.q_norm.weight", H * hd);
                Expect(p + "self_attn.k_norm.weight", KV * hd);
            }
        }
        long largest = new[] { (long)(H + 2 * KV) * hd * D, (long)D * H * hd, 2L * I * D }.Max();   // q|k|v (Phi-3 fused), o, gate|up (fused)
        if (largest > int.MaxValue)
            throw new SimileException($"{c.Architecture}: a projection of one layer has more than {int.MaxValue:N0} weights, more than Simile reads as one tensor",
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

    /// <summary>The weights of one block, overwritten for each layer in turn.</summary>
    private sealed class LayerBuffers
    {
        private readonly LlamaModel _m;
        private readonly float[]? _attentionIn, _attentionOut, _feedForwardIn, _feedForwardOut;   // [D] (Gemma: 1 + w)
        public float[]? AttentionIn => _attentionIn;
        public float[]? AttentionOut => _attentionOut;
        public float[]? FeedForwardIn => _feedForwardIn;
        public float[]? FeedForwardOut => _feedForwardOut;
        public readonly float[] QkvBias;                                // [(H + 2KV)·hd] (Qwen2)
        public readonly float[] QueryNorm, KeyNorm;                     // [hd] per head, or [H·hd], [KV·hd] (OLMo 2)
        public readonly LayerMatrix Qkv, Output, GateUp, Down;          // [(H+2KV)·hd × D], [D × H·hd], [2I × D], [D × I]

        public LayerBuffers(LlamaModel m, IntegerProductKind int8, float[] scratch)
        {
            _m = m;
            var c = m.Config;
            int D = c.Hidden, q = c.Heads * c.HeadDim, kv = c.KeyValueHeads * c.HeadDim, I = c.Intermediate;
            var names = NormNames(c.Norms);
            _attentionIn = names.AttentionIn is null ? null : new float[D];
            _attentionOut = names.AttentionOut is null ? null : new float[D];
            _feedForwardIn = names.FeedForwardIn is null ? null : new float[D];
            _feedForwardOut = names.FeedForwardOut is null ? null : new float[D];
            QkvBias = c.AttentionBias ? new float[q + 2 * kv] : [];
            (QueryNorm, KeyNorm) = c.QueryKeyNormKind switch
            {
                QueryKeyNormKind.PerHead => (new float[c.HeadDim], new float[c.HeadDim]),
                QueryKeyNormKind.WholeProjection => (new float[q], new float[kv]),
                _ => ((float[])[], (float[])[]),
            };
            Qkv = new LayerMatrix(q + 2 * kv, D, int8, scratch);
            Output = new LayerMatrix(D, q, int8, scratch);
            if (!m.HasDenseLayer) I = 0;                            // all layers sparse: no dense MLP buffers
            GateUp = new LayerMatrix(2 * I, D, int8, scratch);
            Down = new LayerMatrix(D, I, int8, scratch);
        }

        public void Load(int l)
        {
            var c = _m.Config;
            var w = _m.Weights;
            string p = LayerPrefix(l);
            int q = c.Heads * c.HeadDim, kv = c.KeyValueHeads * c.HeadDim;
            var names = NormNames(c.Norms);
            void Norm(string? name, float[]? buffer)
            {
                if (name is null || buffer is null) return;
                w.Read(p + name, buffer);
                if (c.NormWeightPlusOne) TensorPrimitives.Add(buffer, 1f, buffer);
            }
            Norm(names.AttentionIn, _attentionIn);
            Norm(names.AttentionOut, _attentionOut);
            Norm(names.FeedForwardIn, _feedForwardIn);
            Norm(names.FeedForwardOut, _feedForwardOut);
            var mats = new[] { Qkv, Output, GateUp, Down };
            int i = 0;
            foreach (var (parts, _, _) in _m.Projections(l)) mats[i++].Load(w, parts);
            if (c.AttentionBias)
            {
                w.Read(p + "self_attn.q_proj.bias", QkvBias.AsSpan(0, q));
                w.Read(p + "self_attn.k_proj.bias", QkvBias.AsSpan(q, kv));
                w.Read(p + "self_attn.v_proj.bias", QkvBias.AsSpan(q + kv, kv));
            }
            if (c.QueryKeyNorm)
            {
                Norm("self_attn.q_norm.weight", QueryNorm);
                Norm("self_attn.k_norm.weight", KeyNorm);
            }
        }
    }
}
