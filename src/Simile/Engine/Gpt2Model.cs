using System.Numerics.Tensors;

namespace Simile.Engine;

/// <summary>One GPT-2 block (pre-LN). Conv1D weights are stored [in × out].</summary>
public sealed record Gpt2BlockWeights(
    LayerNormWeights Norm1,        // ln_1 [D]
    Linear Attention,              // c_attn [D → 3D]: q | k | v side by side
    Linear AttentionProjection,    // attn.c_proj [D → D]
    LayerNormWeights Norm2,        // ln_2 [D]
    Linear FeedForward,            // mlp.c_fc [D → I]
    Linear FeedForwardProjection); // mlp.c_proj [I → D]

/// <summary>All GPT-2 parameters (the tied output embedding is wte and is not needed for hidden states).</summary>
public sealed record Gpt2Weights(
    int Dims, int Heads, int MaxPositions, double LayerNormEpsilon,
    ReadOnlyMemory<float> TokenEmbeddings,      // wte [V × D]
    ReadOnlyMemory<float> PositionEmbeddings,   // wpe [P × D]
    IReadOnlyList<Gpt2BlockWeights> Blocks,
    LayerNormWeights FinalNorm)                 // ln_f [D]
{
    public int VocabularySize => TokenEmbeddings.Length / Dims;
}

/// <summary>
/// The GPT-2 decoder, float32, as in Hugging Face's GPT2Model:
/// <code>
///   x = wte[ids] + wpe[0..T)                                           → representation "0"
///   for each block:  x = x + c_proj(CausalSelfAttention(ln_1(x)))
///                    x = x + mlp.c_proj(gelu_new(mlp.c_fc(ln_2(x))))   → representation "l"
///   ln_f(x)                                                            → representation "final"
/// </code>
/// Sequences are packed one after another; each attends causally to its own earlier tokens only.
/// </summary>
public sealed class Gpt2Model : IForwardPass
{
    public Gpt2Weights Weights { get; }
    public string Architecture => "GPT2Model";
    public int Dims => Weights.Dims;
    public int Heads => Weights.Heads;
    public int LayerCount => Weights.Blocks.Count;
    public int VocabularySize => Weights.VocabularySize;
    public int MaxPositions => Weights.MaxPositions;

    public Gpt2Model(Gpt2Weights weights)
    {
        Weights = weights;
        if (weights.Dims % weights.Heads != 0) throw new ArgumentException("dims must be a multiple of heads");
        Labels = PackedBatch.LabelsOf(LayerCount, final: true);
    }

    /// <summary>Labels of <see cref="ForwardOutput.Hidden"/>: "token", "0", …, "L", "final".</summary>
    public IReadOnlyList<string> Labels { get; }

    public void ReadTokenEmbeddings(ReadOnlySpan<int> ids, Span<float> destination)
        => TransformerOps.GatherRows(Weights.TokenEmbeddings.Span, Dims, ids, destination);

    /// <summary>Runs the batches one after another with one set of buffers (allocated here, for the largest batch so
    /// far, and dropped at the end); every representation goes to <paramref name="sink"/> as soon as it is computed.</summary>
    public void Forward(IEnumerable<PackedBatch> batches, IHiddenStateSink sink)
    {
        var ws = new Workspace();
        foreach (var batch in batches) Run(batch, ws, sink);
    }

    /// <summary>One batch through every layer, in the buffers of <paramref name="ws"/>.</summary>
    private void Run(PackedBatch batch, Workspace ws, IHiddenStateSink sink)
    {
        var w = Weights;
        int D = w.Dims, H = w.Heads, hd = D / H, L = LayerCount;
        int N = batch.Tokens;
        int I = L > 0 ? w.Blocks[0].FeedForward.Out : 0;

        // ---- the batch's activations, in the run's buffers (grown for a larger batch)
        var x = WorkBuffer.AtLeast(ref ws.X, (long)N * D);      // [N × D] residual stream
        var a = WorkBuffer.AtLeast(ref ws.A, (long)N * D);      // [N × D] normalised input of a sub-layer
        var qkv = WorkBuffer.AtLeast(ref ws.Qkv, (long)N * 3 * D);  // [N × 3D] fused q | k | v
        var ctx = WorkBuffer.AtLeast(ref ws.Ctx, (long)N * D);
        var tmp = WorkBuffer.AtLeast(ref ws.Tmp, (long)N * D);
        var ff = WorkBuffer.AtLeast(ref ws.Ff, (long)N * I);    // [N × I]
        Span<float> Rows(float[] buffer) => buffer.AsSpan(0, N * D);

        // ---- embeddings: "token" = wte rows, "0" = wte + wpe
        ReadTokenEmbeddings(batch.Ids, Rows(x));
        sink.Receive(0, batch, Rows(x));
        if (sink.Deepest <= 0) return;                                  // only "token" asked for
        var wpe = w.PositionEmbeddings.Span;
        for (int n = 0; n < N; n++)
        {
            var row = x.AsSpan(n * D, D);
            TensorPrimitives.Add(row, wpe.Slice(batch.Position[n] * D, D), row);
        }
        sink.Receive(1, batch, Rows(x));
        if (sink.Deepest <= 1) return;

        // ---- blocks
        var options = AttentionOptions.Standard(hd, causal: true);
        for (int l = 0; l < L; l++)
        {
            var bw = w.Blocks[l];
            TransformerOps.LayerNorm(x, a, N, bw.Norm1, w.LayerNormEpsilon);
            bw.Attention.Apply(a, qkv, N);                           // [N × 3D]
            Attention.Run(qkv, 0, qkv, D, qkv, 2 * D, 3 * D, ctx, batch, H, H, hd, options, batch.Attention is not null ? l : -1);
            bw.AttentionProjection.Apply(ctx, tmp, N);               // [N × D]
            TensorPrimitives.Add(Rows(x), Rows(tmp), Rows(x));
            TransformerOps.LayerNorm(x, a, N, bw.Norm2, w.LayerNormEpsilon);
            bw.FeedForward.Apply(a, ff, N);                          // [N × I]
            TransformerOps.GeluTanh(ff.AsSpan(0, N * I));
            bw.FeedForwardProjection.Apply(ff, tmp, N);              // [N × D]
            TensorPrimitives.Add(Rows(x), Rows(tmp), Rows(x));
            sink.Receive(l + 2, batch, Rows(x));
            if (sink.Deepest <= l + 2) return;                          // no deeper layer asked for
        }

        // ---- "final" = ln_f(x)
        TransformerOps.LayerNorm(x, a, N, w.FinalNorm, w.LayerNormEpsilon);
        sink.Receive(L + 2, batch, Rows(a));
    }

    private sealed class Workspace
    {
        public float[] X = [], A = [], Qkv = [], Ctx = [], Tmp = [], Ff = [];
    }
}
