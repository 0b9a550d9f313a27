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
public sealed class Gpt2Model
{
    public Gpt2Weights Weights { get; }
    public int Dims => Weights.Dims;
    public int Heads => Weights.Heads;
    public int LayerCount => Weights.Blocks.Count;

    public Gpt2Model(Gpt2Weights weights)
    {
        Weights = weights;
        if (weights.Dims % weights.Heads != 0) throw new ArgumentException("dims must be a multiple of heads");
    }

    /// <summary>Labels of <see cref="ForwardOutput.Hidden"/>: "token", "0", …, "L", "final".</summary>
    public IReadOnlyList<string> Labels => ["token", .. Enumerable.Range(0, LayerCount + 1).Select(i => i.ToString()), "final"];

    public IReadOnlyList<ForwardOutput> Forward(IReadOnlyList<int[]> sequences, bool withAttention)
    {
        var w = Weights;
        int D = w.Dims, H = w.Heads, hd = D / H, L = LayerCount, V = w.VocabularySize;
        int B = sequences.Count;
        var start = new int[B + 1];
        for (int b = 0; b < B; b++)
        {
            if (sequences[b].Length > w.MaxPositions)
                throw new ArgumentException($"sequence {b} has {sequences[b].Length} tokens, more than {w.MaxPositions} positions");
            foreach (int id in sequences[b])
                if ((uint)id >= (uint)V) throw new ArgumentException($"token id {id} in sequence {b} is outside the vocabulary (size {V})");
            start[b + 1] = start[b] + sequences[b].Length;
        }
        int N = start[B];

        var outputs = new ForwardOutput[B];
        for (int b = 0; b < B; b++)
            outputs[b] = new ForwardOutput(new float[L + 3][], withAttention ? new float[L][] : null);

        // ---- embeddings: "token" = wte rows, "0" = wte + wpe
        var x = new float[N * D];                                    // [N × D] residual stream
        var wte = w.TokenEmbeddings.Span;
        var wpe = w.PositionEmbeddings.Span;
        for (int b = 0; b < B; b++)
            for (int t = 0; t < sequences[b].Length; t++)
                wte.Slice(sequences[b][t] * D, D).CopyTo(x.AsSpan((start[b] + t) * D, D));
        BertModel.Keep(outputs, start, x, D, 0);
        for (int b = 0; b < B; b++)
            for (int t = 0; t < sequences[b].Length; t++)
            {
                var row = x.AsSpan((start[b] + t) * D, D);
                TensorPrimitives.Add(row, wpe.Slice(t * D, D), row);
            }
        BertModel.Keep(outputs, start, x, D, 1);

        // ---- blocks
        var a = new float[N * D];                                    // [N × D] normalised input of a sub-layer
        var qkv = new float[N * 3 * D];                              // [N × 3D] fused q | k | v
        var ctx = new float[N * D];
        var tmp = new float[N * D];
        int I = L > 0 ? w.Blocks[0].FeedForward.Out : 0;
        var ff = new float[N * I];                                   // [N × I]
        for (int l = 0; l < L; l++)
        {
            var bw = w.Blocks[l];
            TransformerOps.LayerNorm(x, a, N, bw.Norm1, w.LayerNormEpsilon);
            bw.Attention.Apply(a, qkv, N);                           // [N × 3D]
            BertModel.MultiHeadAttention(qkv, 0, qkv, D, qkv, 2 * D, 3 * D, ctx, start, D, H, hd, causal: true,
                outputs, withAttention ? l : -1);
            bw.AttentionProjection.Apply(ctx, tmp, N);               // [N × D]
            TensorPrimitives.Add(x, tmp, x);
            TransformerOps.LayerNorm(x, a, N, bw.Norm2, w.LayerNormEpsilon);
            bw.FeedForward.Apply(a, ff, N);                          // [N × I]
            TransformerOps.GeluTanh(ff);
            bw.FeedForwardProjection.Apply(ff, tmp, N);              // [N × D]
            TensorPrimitives.Add(x, tmp, x);
            BertModel.Keep(outputs, start, x, D, l + 2);
        }

        // ---- "final" = ln_f(x)
        TransformerOps.LayerNorm(x, a, N, w.FinalNorm, w.LayerNormEpsilon);
        BertModel.Keep(outputs, start, a, D, L + 2);
        return outputs;
    }
}
