using System.Numerics.Tensors;

namespace Simile.Engine;

/// <summary>
/// GPT-NeoX (the Pythia suite, GPT-NeoX-20B), float32, as in Hugging Face's modeling_gpt_neox.py, reading its weights
/// from an <see cref="IDecoderWeights"/> (Hugging Face names, <c>gpt_neox.*</c>) one layer at a time:
/// <code>
///   x = embed_in[ids]                                                        → representations "token" and "0"
///   for each layer:
///     a = LayerNorm_in(x)                                  (LayerNorm with bias, eps layer_norm_eps)
///     q, k, v = query_key_value(a)                         fused, per head: rows [h·3hd, h·3hd + hd) are head h's q,
///                                                          then its k, then its v (the [heads, 3, hd] layout)
///     q, k = RoPE(q), RoPE(k)                              rotate_half on the first rotary_ndims = hd · rotary_pct
///                                                          values of each head, θ = rotary_emb_base; the rest pass
///     o = dense(softmax(q kᵀ / √hd, causal) v)
///     parallel residual:   x = x + o + mlp(LayerNorm_post(x))
///     sequential:          x = x + o;  x = x + mlp(LayerNorm_post(x))
///     mlp(h) = dense_4h_to_h(GELU(dense_h_to_4h(h)))       exact (erf) GELU (hidden_act gelu_new / gelu_fast:
///                                                          the tanh form), every Linear with bias   → representation "l"
///   final_layer_norm(x)                                                      → representation "final"
/// </code>
/// The output embedding (<c>embed_out</c>, untied) is never read. Each product widens its matrix to float32 a block at
/// a time into one scratch buffer reused for every projection of every layer (<see cref="LayerMatrix"/>; the fused
/// q/k/v rows are read regrouped into all queries | all keys | all values), the feed-forward runs in slices of the
/// intermediate width (<see cref="FeedForward.Plain"/>), and the activations are reused for every batch of a run. Each
/// representation goes to the caller's sink as soon as it is computed.
/// </summary>
public sealed class GptNeoXModel : IForwardPass
{
    public IDecoderWeights Weights { get; }
    public DecoderConfig Config { get; }
    public string Architecture => Config.Architecture;
    public int Dims => Config.Hidden;
    public int Heads => Config.Heads;
    public int LayerCount => Config.Layers;
    public int VocabularySize => Config.VocabularySize;
    public int MaxPositions => Config.MaxPositions;
    public IReadOnlyList<string> Labels { get; }

    /// <summary>The token-embedding matrix [V × D].</summary>
    public const string EmbeddingName = "gpt_neox.embed_in.weight";

    /// <summary>The tensor names of layer <paramref name="l"/>.</summary>
    public static string LayerPrefix(int l) => $"gpt_neox.layers.{l}.";

    public GptNeoXModel(IDecoderWeights weights)
    {
        Weights = weights;
        Config = weights.Config;
        Labels = PackedBatch.LabelsOf(Config.Layers, final: true);
        CheckShapes();
    }

    public void ReadTokenEmbeddings(ReadOnlySpan<int> ids, Span<float> destination) => Weights.ReadRows(EmbeddingName, ids, destination);

    /// <summary>Runs the batches one after another with one set of buffers (allocated here, for the largest batch so
    /// far, and dropped at the end); every representation goes to <paramref name="sink"/> as soon as it is computed.</summary>
    public void Forward(IEnumerable<PackedBatch> batches, IHiddenStateSink sink)
    {
        Workspace? ws = null;                                    // made with the first batch
        foreach (var batch in batches) Run(batch, ws ??= new Workspace(Config), sink);
    }

    /// <summary>One batch through every layer, in the buffers of <paramref name="ws"/>.</summary>
    private void Run(PackedBatch batch, Workspace ws, IHiddenStateSink sink)
    {
        var c = Config;
        int D = c.Hidden, H = c.Heads, hd = c.HeadDim, L = c.Layers, I = c.Intermediate;
        int N = batch.Tokens;

        // ---- the batch's activations, in the run's buffers (grown for a larger batch)
        var x = WorkBuffer.AtLeast(ref ws.X, (long)N * D);                 // [N × D] residual stream
        var a = WorkBuffer.AtLeast(ref ws.A, (long)N * D);                 // [N × D] normalised input of a sub-layer
        // q|k|v is dead once attention has run, so its buffer holds the feed-forward slice too.
        var qkv = WorkBuffer.AtLeast(ref ws.QkvOrFf, (long)N * Math.Max(3 * D, FeedForward.WidestSlice(I)));   // [N × 3D]: all q | all k | all v
        var ff = qkv;                                                      // [N × s]
        var ctx = WorkBuffer.AtLeast(ref ws.Ctx, (long)N * D);
        var attn = WorkBuffer.AtLeast(ref ws.Attn, (long)N * D);
        var tmp = WorkBuffer.AtLeast(ref ws.Tmp, (long)N * D);
        Span<float> Rows(float[] buffer) => buffer.AsSpan(0, N * D);    // the batch's [N × D] rows of a buffer

        ReadTokenEmbeddings(batch.Ids, Rows(x));
        sink.Receive(0, batch, Rows(x));
        sink.Receive(1, batch, Rows(x));
        if (sink.Deepest <= 1) return;                                  // only "token" / "0" asked for

        var rotary = new Rotary(Rotary.Frequencies(c.RotaryDimsOrHead, c.RopeTheta, c.RopeScaling), Math.Max(1, batch.Longest));
        var lw = ws.Layer;
        var options = AttentionOptions.Standard(hd, causal: true);
        for (int l = 0; l < L; l++)
        {
            lw.Load(Weights, l);
            TransformerOps.LayerNorm(x, a, N, lw.InputNorm, c.RmsNormEpsilon);
            lw.Qkv.Project(a, qkv, N);                          // [N × 3D]
            if (c.AttentionBias) TransformerOps.AddBiasRows(qkv, lw.QkvBias, N);
            for (int n = 0; n < N; n++)
            {
                var row = qkv.AsSpan(n * 3 * D, 3 * D);
                rotary.Apply(row[..D], H, hd, batch.Position[n]);
                rotary.Apply(row.Slice(D, D), H, hd, batch.Position[n]);
            }
            Attention.Run(qkv, 0, qkv, D, qkv, 2 * D, 3 * D, ctx, batch, H, H, hd, options, batch.Attention is not null ? l : -1);
            lw.Dense.Project(ctx, attn, N);                     // [N × D]
            if (c.AttentionBias) TransformerOps.AddBiasRows(attn, lw.DenseBias, N);
            if (c.ParallelResidual)
            {
                TransformerOps.LayerNorm(x, a, N, lw.PostAttentionNorm, c.RmsNormEpsilon);
                TensorPrimitives.Add(Rows(x), Rows(attn), Rows(x));
            }
            else
            {
                TensorPrimitives.Add(Rows(x), Rows(attn), Rows(x));
                TransformerOps.LayerNorm(x, a, N, lw.PostAttentionNorm, c.RmsNormEpsilon);
            }
            FeedForward.Plain(lw.Up, lw.UpBias, lw.Down, lw.DownBias, a, ff, tmp, N, I, c.GeluTanhMlp);   // [N × D], in slices of I
            TensorPrimitives.Add(Rows(x), Rows(tmp), Rows(x));
            sink.Receive(l + 2, batch, Rows(x));
            if (sink.Deepest <= l + 2) return;                          // no deeper layer asked for
        }

        TransformerOps.LayerNorm(x, a, N, ws.FinalNorm ??= new LayerNormWeights(Read("gpt_neox.final_layer_norm.weight", D), Read("gpt_neox.final_layer_norm.bias", D)),
            c.RmsNormEpsilon);
        sink.Receive(L + 2, batch, Rows(a));
    }

    /// <summary>One layer's norms and biases, the scratch its weights are widened into, and the activations of the largest batch so far.</summary>
    private sealed class Workspace(DecoderConfig c)
    {
        public readonly LayerBuffers Layer = new(c);
        public LayerNormWeights? FinalNorm;
        public float[] X = [], A = [], QkvOrFf = [], Ctx = [], Attn = [], Tmp = [];
    }

    private float[] Read(string name, int length)
    {
        var v = new float[length];
        Weights.Read(name, v);
        return v;
    }

    /// <summary>Every tensor the pass reads, present with the shape the configuration implies (no data is read).</summary>
    private void CheckShapes()
    {
        var c = Config;
        int D = c.Hidden, I = c.Intermediate;
        Expect(EmbeddingName, c.VocabularySize, D);
        Expect("gpt_neox.final_layer_norm.weight", D);
        Expect("gpt_neox.final_layer_norm.bias", D);
        for (int l = 0; l < c.Layers; l++)
        {
            string p = LayerPrefix(l);
            foreach (var norm in new[] { "input_layernorm", "post_attention_layernorm" })
            {
                Expect(p + norm + ".weight", D);
                Expect(p + norm + ".bias", D);
            }
            Expect(p + "attention.query_key_value.weight", 3 * D, D);
            Expect(p + "attention.dense.weight", D, D);
            if (c.AttentionBias)
            {
                Expect(p + "attention.query_key_value.bias", 3 * D);
                Expect(p + "attention.dense.bias", D);
            }
            Expect(p + "mlp.dense_h_to_4h.weight", I, D);
            Expect(p + "mlp.dense_h_to_4h.bias", I);
            Expect(p + "mlp.dense_4h_to_h.weight", D, I);
            Expect(p + "mlp.dense_4h_to_h.bias", D);
        }
        if (Math.Max(3L * D, I) * D > int.MaxValue)
            throw new SimileException($"{c.Architecture}: a projection of one layer has more than {int.MaxValue:N0} weights, more than Simile reads as one tensor", "use a smaller model");
    }

    private void Expect(string name, params long[] shape)
    {
        string expected = "[" + string.Join(", ", shape) + "]";
        if (!Weights.Has(name))
            throw new SimileException($"{Config.Architecture}: tensor '{name}' (shape {expected}) is missing",
                "check that the weights and the configuration belong to the same model");
        var s = Weights.Shape(name);
        if (!s.SequenceEqual(shape))
            throw new SimileException($"{Config.Architecture}: tensor '{name}' has shape [{string.Join(", ", s)}], but the configuration implies {expected}",
                "check that the weights and the configuration belong to the same model");
    }

    /// <summary>One layer's projections (read a block at a time into one scratch, <see cref="LayerMatrix"/>), norms and
    /// biases, pointed at or read for each layer in turn.</summary>
    private sealed class LayerBuffers
    {
        private readonly DecoderConfig _c;
        private readonly float[] _fusedBias;                              // query_key_value.bias as stored: [3D]
        public readonly float[] QkvBias, DenseBias, UpBias, DownBias;     // [3D] regrouped, [D], [I], [D]
        public readonly LayerNormWeights InputNorm, PostAttentionNorm;
        public readonly LayerMatrix Qkv, Dense, Up, Down;                 // [3D × D] regrouped, [D × D], [I × D], [D × I]

        public LayerBuffers(DecoderConfig c)
        {
            _c = c;
            int D = c.Hidden, I = c.Intermediate;
            // one feed-forward slice of up rows [s × D] or down columns [D × s]; the others widen as many rows as that holds
            var scratch = new float[Math.Max((long)FeedForward.WidestSlice(I) * D, Math.Max(D, I))];
            _fusedBias = new float[3 * D];
            QkvBias = new float[3 * D];
            DenseBias = new float[D];
            UpBias = new float[I];
            DownBias = new float[D];
            InputNorm = new LayerNormWeights(new float[D], new float[D]);
            PostAttentionNorm = new LayerNormWeights(new float[D], new float[D]);
            Qkv = new LayerMatrix(3 * D, D, scratch: scratch);
            Dense = new LayerMatrix(D, D, scratch: scratch);
            Up = new LayerMatrix(I, D, scratch: scratch);
            Down = new LayerMatrix(D, I, scratch: scratch);
        }

        private static Span<float> Writable(ReadOnlyMemory<float> m) =>
            System.Runtime.InteropServices.MemoryMarshal.AsMemory(m).Span;

        public void Load(IDecoderWeights w, int l)
        {
            var c = _c;
            int D = c.Hidden, H = c.Heads, hd = c.HeadDim;
            string p = LayerPrefix(l);
            w.Read(p + "input_layernorm.weight", Writable(InputNorm.Gamma));
            w.Read(p + "input_layernorm.bias", Writable(InputNorm.Beta));
            w.Read(p + "post_attention_layernorm.weight", Writable(PostAttentionNorm.Gamma));
            w.Read(p + "post_attention_layernorm.bias", Writable(PostAttentionNorm.Beta));
            // Stored row h·3hd + j·hd + i (head h, j = 0 q / 1 k / 2 v)  →  row j·D + h·hd + i.
            string fused = p + "attention.query_key_value.weight";
            var parts = new List<(string, int, int)>(3 * H);
            for (int j = 0; j < 3; j++)
                for (int h = 0; h < H; h++) parts.Add((fused, h * 3 * hd + j * hd, hd));
            Qkv.Load(w, parts);
            if (c.AttentionBias)
            {
                w.Read(p + "attention.query_key_value.bias", _fusedBias);
                for (int h = 0; h < H; h++)
                    for (int j = 0; j < 3; j++)
                        _fusedBias.AsSpan(h * 3 * hd + j * hd, hd).CopyTo(QkvBias.AsSpan(j * D + h * hd, hd));
                w.Read(p + "attention.dense.bias", DenseBias);
            }
            Dense.Load(w, p + "attention.dense.weight");
            Up.Load(w, p + "mlp.dense_h_to_4h.weight");
            w.Read(p + "mlp.dense_h_to_4h.bias", UpBias);
            Down.Load(w, p + "mlp.dense_4h_to_h.weight");
            w.Read(p + "mlp.dense_4h_to_h.bias", DownBias);
        }
    }
}
