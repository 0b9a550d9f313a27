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
}

/// <summary>What one forward pass gives for one sequence: Hidden[r] = [T × D] per representation, Attention[l] = [H × T × T].</summary>
public sealed record ForwardOutput(float[][] Hidden, float[][]? Attention);

/// <summary>
/// The BERT encoder (post-LN), float32, as in Hugging Face's BertModel:
/// <code>
///   x = LayerNorm(wte[ids] + wpe[0..T) + tte[0])                      → representation "0"
///   for each layer:  a = SelfAttention(x)  (softmax(QKᵀ/√d_h) V over the sequence's own tokens)
///                    x = LayerNorm(x + a·Wo + bo)
///                    x = LayerNorm(x + GELU(x·W1 + b1)·W2 + b2)        → representation "l"
/// </code>
/// Sequences of a batch are packed one after another: each attends only to its own tokens, which is exactly what a
/// padding mask does, without computing padded rows.
/// </summary>
public sealed class BertModel
{
    public BertWeights Weights { get; }
    public int Dims => Weights.Dims;
    public int Heads => Weights.Heads;
    public int LayerCount => Weights.Layers.Count;

    public BertModel(BertWeights weights)
    {
        Weights = weights;
        if (weights.Dims % weights.Heads != 0) throw new ArgumentException("dims must be a multiple of heads");
    }

    /// <summary>Labels of <see cref="ForwardOutput.Hidden"/>: "token", "0", …, "L".</summary>
    public IReadOnlyList<string> Labels => ["token", .. Enumerable.Range(0, LayerCount + 1).Select(i => i.ToString())];

    /// <summary>Runs a batch of token-id sequences (each ≤ MaxPositions, ids &lt; vocabulary size).</summary>
    public IReadOnlyList<ForwardOutput> Forward(IReadOnlyList<int[]> sequences, bool withAttention)
    {
        var w = Weights;
        int D = w.Dims, H = w.Heads, hd = D / H, L = LayerCount;
        int B = sequences.Count;
        var start = new int[B + 1];                                  // sequence b owns packed rows start[b]..start[b+1)
        for (int b = 0; b < B; b++)
        {
            if (sequences[b].Length > w.MaxPositions)
                throw new ArgumentException($"sequence {b} has {sequences[b].Length} tokens, more than {w.MaxPositions} positions");
            foreach (int id in sequences[b])
                if ((uint)id >= (uint)w.VocabularySize) throw new ArgumentException($"token id {id} in sequence {b} is outside the vocabulary (size {w.VocabularySize})");
            start[b + 1] = start[b] + sequences[b].Length;
        }
        int N = start[B];                                            // total tokens in the batch

        var outputs = new ForwardOutput[B];
        for (int b = 0; b < B; b++)
            outputs[b] = new ForwardOutput(new float[L + 2][], withAttention ? new float[L][] : null);

        // ---- embeddings: "token" = wte rows, "0" = LayerNorm(wte + wpe + tte[0])
        var x = new float[N * D];                                    // [N × D] residual stream
        var wte = w.WordEmbeddings.Span;
        var wpe = w.PositionEmbeddings.Span;
        var tte = w.TokenTypeEmbeddings.Span[..D];
        for (int b = 0; b < B; b++)
        {
            var ids = sequences[b];
            for (int t = 0; t < ids.Length; t++)
            {
                var row = x.AsSpan((start[b] + t) * D, D);
                wte.Slice(ids[t] * D, D).CopyTo(row);
            }
        }
        Keep(outputs, start, x, D, 0);
        for (int b = 0; b < B; b++)
            for (int t = 0; t < sequences[b].Length; t++)
            {
                var row = x.AsSpan((start[b] + t) * D, D);
                TensorPrimitives.Add(row, wpe.Slice(t * D, D), row);
                TensorPrimitives.Add(row, tte, row);
            }
        TransformerOps.LayerNorm(x, x, N, w.EmbeddingNorm, w.LayerNormEpsilon);
        Keep(outputs, start, x, D, 1);

        // ---- encoder layers
        var q = new float[N * D];
        var k = new float[N * D];
        var v = new float[N * D];
        var ctx = new float[N * D];
        var tmp = new float[N * D];
        int I = L > 0 ? w.Layers[0].Intermediate.Out : 0;
        var ff = new float[N * I];                                   // [N × I]
        for (int l = 0; l < L; l++)
        {
            var lw = w.Layers[l];
            lw.Query.Apply(x, q, N);                                 // [N × D]
            lw.Key.Apply(x, k, N);
            lw.Value.Apply(x, v, N);
            MultiHeadAttention(q, 0, k, 0, v, 0, D, ctx, start, D, H, hd, causal: false, outputs, withAttention ? l : -1);
            lw.AttentionOutput.Apply(ctx, tmp, N);                   // [N × D]
            TensorPrimitives.Add(tmp, x, x);
            TransformerOps.LayerNorm(x, x, N, lw.AttentionNorm, w.LayerNormEpsilon);
            lw.Intermediate.Apply(x, ff, N);                         // [N × I]
            TransformerOps.GeluErf(ff);
            lw.Output.Apply(ff, tmp, N);                             // [N × D]
            TensorPrimitives.Add(tmp, x, x);
            TransformerOps.LayerNorm(x, x, N, lw.OutputNorm, w.LayerNormEpsilon);
            Keep(outputs, start, x, D, l + 2);
        }
        return outputs;
    }

    /// <summary>Copies each sequence's rows of the packed [N × D] buffer into its output slot.</summary>
    internal static void Keep(ForwardOutput[] outputs, int[] start, float[] x, int d, int slot)
    {
        for (int b = 0; b < outputs.Length; b++)
            outputs[b].Hidden[slot] = x.AsSpan(start[b] * d, (start[b + 1] - start[b]) * d).ToArray();
    }

    /// <summary>
    /// Self-attention for every (sequence, head) of the packed batch; ctx[N × D] gets the heads' outputs side by side.
    /// When <paramref name="attentionLayer"/> ≥ 0 the probabilities go to outputs[b].Attention[layer] as [H × T × T].
    /// Each (sequence, head) is independent, so running them in parallel gives the same numbers for any thread count.
    /// </summary>
    /// q/k/v: [N × stride] buffers whose head-0 columns start at qCol/kCol/vCol (separate buffers for BERT; one fused
    /// [N × 3D] buffer for GPT-2's c_attn with columns 0, D, 2D).
    internal static void MultiHeadAttention(float[] q, int qCol, float[] k, int kCol, float[] v, int vCol, int stride,
        float[] ctx, int[] start, int D, int H, int hd, bool causal, ForwardOutput[] outputs, int attentionLayer)
    {
        int B = outputs.Length;
        if (attentionLayer >= 0)
            for (int b = 0; b < B; b++)
            {
                int t = start[b + 1] - start[b];
                outputs[b].Attention![attentionLayer] = new float[H * t * t];
            }
        int work = B * H;
        Parallel.For(0, work, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            () => Array.Empty<float>(),
            (item, _, scratch) =>
            {
                int b = item / H, h = item % H;
                int t = start[b + 1] - start[b];
                if (t == 0) return scratch;
                if (scratch.Length < t * t) scratch = new float[t * t];
                var scores = scratch.AsSpan(0, t * t);
                int rowOffset = start[b] * stride + h * hd;
                TransformerOps.Attention(q.AsSpan(rowOffset + qCol), k.AsSpan(rowOffset + kCol), v.AsSpan(rowOffset + vCol),
                    ctx.AsSpan(start[b] * D + h * hd), stride, D, t, hd, causal, scores);
                if (attentionLayer >= 0)
                    scores.CopyTo(outputs[b].Attention![attentionLayer].AsSpan(h * t * t, t * t));
                return scratch;
            },
            _ => { });
    }
}
