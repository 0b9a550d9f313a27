using System.Numerics.Tensors;

namespace Simile.Engine;

/// <summary>One encoder layer of BERT.</summary>
public sealed record BertLayerWeights(
    Linear Query, Linear Key, Linear Value,   // [D → D] each
    Linear AttentionOutput,                   // [D → D]
    LayerNormWeights AttentionNorm,           // [D]
    Linear Intermediate,                      // [D → I]
    Linear Output,                            // [I → D]
    LayerNormWeights OutputNorm);             // [D]

/// <summary>All BERT parameters (weights stay wherever the source keeps them: mapped file, ONNX initializer).</summary>
public sealed record BertWeights(
    int Dims, int Heads, int MaxPositions, double LayerNormEpsilon,
    ReadOnlyMemory<float> WordEmbeddings,       // [V × D]
    ReadOnlyMemory<float> PositionEmbeddings,   // [P × D]
    ReadOnlyMemory<float> TokenTypeEmbeddings,  // [types × D]; row 0 is used
    LayerNormWeights EmbeddingNorm,
    IReadOnlyList<BertLayerWeights> Layers)
{
    public int VocabularySize => WordEmbeddings.Length / Dims;

    /// <summary>RoBERTa / XLM-R: the padding id. Token t of a sequence then sits at position
    /// PaddingId + (the number of non-padding tokens among 0 … t), and a padding token at PaddingId, as Hugging Face's
    /// create_position_ids_from_input_ids counts; null (BERT): position t.</summary>
    public int? PaddingId { get; init; }

    /// <summary>Architecture name for messages and <see cref="BertModel.Architecture"/>.</summary>
    public string Architecture { get; init; } = "BertModel";

    /// <summary>The longest sequence: every position row (BERT), or those after the padding offset (RoBERTa).</summary>
    public int MaxSequence => PaddingId is int p ? MaxPositions - p - 1 : MaxPositions;
}

/// <summary>
/// The BERT encoder (post-LN), float32, as in Hugging Face's BertModel (and RobertaModel / XLMRobertaModel, whose only
/// difference is where positions start, <see cref="BertWeights.PaddingId"/>):
/// <code>
///   x = LayerNorm(wte[ids] + wpe[0..T) + tte[0])                      → representation "0"
///   for each layer:  a = SelfAttention(x)  (softmax(QKᵀ/√d_h) V over the sequence's own tokens)
///                    x = LayerNorm(x + a·Wo + bo)
///                    x = LayerNorm(x + GELU(x·W1 + b1)·W2 + b2)        → representation "l"
/// </code>
/// Sequences of a batch are packed one after another: each attends only to its own tokens, which is exactly what a
/// padding mask does, without computing padded rows.
/// </summary>
public sealed class BertModel : IForwardPass
{
    public BertWeights Weights { get; }
    public string Architecture => Weights.Architecture;
    public int Dims => Weights.Dims;
    public int Heads => Weights.Heads;
    public int LayerCount => Weights.Layers.Count;
    public int VocabularySize => Weights.VocabularySize;
    public int MaxPositions => Weights.MaxSequence;

    public BertModel(BertWeights weights)
    {
        Weights = weights;
        if (weights.Dims % weights.Heads != 0) throw new ArgumentException("dims must be a multiple of heads");
        Labels = PackedBatch.LabelsOf(LayerCount, final: false);
    }

    /// <summary>Labels of <see cref="ForwardOutput.Hidden"/>: "token", "0", …, "L".</summary>
    public IReadOnlyList<string> Labels { get; }

    public void ReadTokenEmbeddings(ReadOnlySpan<int> ids, Span<float> destination)
        => TransformerOps.GatherRows(Weights.WordEmbeddings.Span, Dims, ids, destination);

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
        int N = batch.Tokens;                                        // total tokens in the batch
        int I = L > 0 ? w.Layers[0].Intermediate.Out : 0;

        // ---- the batch's activations, in the run's buffers (grown for a larger batch)
        var x = WorkBuffer.AtLeast(ref ws.X, (long)N * D);      // [N × D] residual stream
        var q = WorkBuffer.AtLeast(ref ws.Q, (long)N * D);
        var k = WorkBuffer.AtLeast(ref ws.K, (long)N * D);
        var v = WorkBuffer.AtLeast(ref ws.V, (long)N * D);
        var ctx = WorkBuffer.AtLeast(ref ws.Ctx, (long)N * D);
        var tmp = WorkBuffer.AtLeast(ref ws.Tmp, (long)N * D);
        var ff = WorkBuffer.AtLeast(ref ws.Ff, (long)N * I);    // [N × I]
        Span<float> Rows(float[] buffer) => buffer.AsSpan(0, N * D);

        // ---- embeddings: "token" = wte rows, "0" = LayerNorm(wte + wpe + tte[0])
        ReadTokenEmbeddings(batch.Ids, Rows(x));
        sink.Receive(0, batch, Rows(x));
        if (sink.Deepest <= 0) return;                                  // only "token" asked for
        var wpe = w.PositionEmbeddings.Span;
        var tte = w.TokenTypeEmbeddings.Span[..D];
        var position = batch.Position;
        if (w.PaddingId is int pad)
        {
            position = new int[N];
            for (int b = 0; b < batch.Count; b++)
            {
                int counted = 0;
                for (int n = batch.Start[b]; n < batch.Start[b + 1]; n++)
                    position[n] = batch.Ids[n] == pad ? pad : pad + ++counted;
            }
        }
        for (int n = 0; n < N; n++)
        {
            var row = x.AsSpan(n * D, D);
            TensorPrimitives.Add(row, wpe.Slice(position[n] * D, D), row);
            TensorPrimitives.Add(row, tte, row);
        }
        TransformerOps.LayerNorm(x, x, N, w.EmbeddingNorm, w.LayerNormEpsilon);
        sink.Receive(1, batch, Rows(x));
        if (sink.Deepest <= 1) return;

        // ---- encoder layers
        var options = AttentionOptions.Standard(hd, causal: false);
        for (int l = 0; l < L; l++)
        {
            var lw = w.Layers[l];
            lw.Query.Apply(x, q, N);                                 // [N × D]
            lw.Key.Apply(x, k, N);
            lw.Value.Apply(x, v, N);
            Attention.Run(q, 0, k, 0, v, 0, D, ctx, batch, H, H, hd, options, batch.Attention is not null ? l : -1);
            lw.AttentionOutput.Apply(ctx, tmp, N);                   // [N × D]
            TensorPrimitives.Add(Rows(tmp), Rows(x), Rows(x));
            TransformerOps.LayerNorm(x, x, N, lw.AttentionNorm, w.LayerNormEpsilon);
            lw.Intermediate.Apply(x, ff, N);                         // [N × I]
            TransformerOps.GeluErf(ff.AsSpan(0, N * I));
            lw.Output.Apply(ff, tmp, N);                             // [N × D]
            TensorPrimitives.Add(Rows(tmp), Rows(x), Rows(x));
            TransformerOps.LayerNorm(x, x, N, lw.OutputNorm, w.LayerNormEpsilon);
            sink.Receive(l + 2, batch, Rows(x));
            if (sink.Deepest <= l + 2) return;                          // no deeper layer asked for
        }
    }

    private sealed class Workspace
    {
        public float[] X = [], Q = [], K = [], V = [], Ctx = [], Tmp = [], Ff = [];
    }
}
