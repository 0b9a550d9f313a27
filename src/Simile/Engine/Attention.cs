using System.Numerics.Tensors;

namespace Simile.Engine;

/// <summary>
/// How the scores of one attention layer are formed: scores = q·k · <see cref="Scale"/>, then (Gemma 2)
/// tanh(scores / SoftCap) · SoftCap, then the mask: <see cref="Causal"/> keys j ≤ i; with a <see cref="Window"/> W
/// also i − j &lt; W (Hugging Face's sliding-window mask: key j is visible to query i when j &gt; i − W).
/// </summary>
public readonly record struct AttentionOptions(bool Causal, float Scale, float SoftCap = 0, int Window = 0)
{
    /// <summary>Standard scaled dot-product attention, 1/√hd.</summary>
    public static AttentionOptions Standard(int headDim, bool causal) => new(causal, 1f / MathF.Sqrt(headDim));

    /// <summary>First key visible to query i (0 without a window).</summary>
    public int FirstVisible(int i) => Window > 0 ? Math.Max(0, i - Window + 1) : 0;

    /// <summary>One past the last key visible to query i of a t-token sequence.</summary>
    public int EndVisible(int i, int t) => Causal ? i + 1 : t;
}

/// <summary>
/// The one attention driver: grouped-query attention over a packed batch, multi-head attention being the case of as
/// many key-value heads as heads. Query head h reads key-value head h / (H / KV) (HF's repeat_kv).
/// </summary>
public static class Attention
{
    /// <summary>
    /// q, k, v: [N × stride] buffers (possibly one fused buffer) where query head h starts at column qCol + h·hd and
    /// key/value head g at kCol + g·hd / vCol + g·hd; ctx [N × H·hd] gets the heads side by side. With
    /// <paramref name="attentionLayer"/> ≥ 0 the probabilities go to batch.Attention[b][layer] as [H × T × T].
    /// Each (sequence, head) is independent: the same numbers for any thread count.
    /// </summary>
    public static void Run(float[] q, int qCol, float[] k, int kCol, float[] v, int vCol, int stride, float[] ctx,
        PackedBatch batch, int H, int KV, int hd, AttentionOptions options, int attentionLayer)
    {
        if (H % KV != 0) throw new ArgumentException($"{H} heads are not a multiple of {KV} key-value heads");
        int B = batch.Count, group = H / KV, ctxStride = H * hd;
        var start = batch.Start;
        if (attentionLayer >= 0)
            for (int b = 0; b < B; b++)
            {
                int t = batch.Length(b);
                batch.Attention![b][attentionLayer] = new float[H * t * t];
            }
        Parallel.For(0, B * H, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            () => Array.Empty<float>(),
            (item, _, scratch) =>
            {
                int b = item / H, h = item % H, g = h / group;
                int t = start[b + 1] - start[b];
                if (t == 0) return scratch;
                if (scratch.Length < t * t) scratch = new float[t * t];
                var scores = scratch.AsSpan(0, t * t);
                int row0 = start[b] * stride;
                Head(q.AsSpan(row0 + qCol + h * hd), k.AsSpan(row0 + kCol + g * hd), v.AsSpan(row0 + vCol + g * hd),
                    ctx.AsSpan(start[b] * ctxStride + h * hd), stride, ctxStride, t, hd, options, scores);
                if (attentionLayer >= 0)
                    scores.CopyTo(batch.Attention![b][attentionLayer].AsSpan(h * t * t, t * t));
                return scratch;
            },
            _ => { });
    }

    /// <summary>
    /// One head of one sequence: q, k, v rows with row stride <paramref name="stride"/> (head already sliced); scores
    /// [t × t] scratch left holding the probabilities (zeros where masked); ctx rows with stride <paramref name="ctxStride"/>.
    /// </summary>
    public static void Head(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> ctx, int stride,
        int ctxStride, int t, int hd, AttentionOptions o, Span<float> scores)
    {
        // Tiny per-head products (t ≤ a few hundred, hd = 32…256): SIMD dot products and axpys, no GEMM call overhead.
        // scores[i, j] = softmax_j(cap(q_i · k_j · scale)) over the visible keys j
        for (int i = 0; i < t; i++)
        {
            var qi = q.Slice(i * stride, hd);
            var row = scores.Slice(i * t, t);
            int first = o.FirstVisible(i), end = o.EndVisible(i, t);
            row.Clear();
            var seen = row[first..end];
            for (int j = first; j < end; j++)
                row[j] = TensorPrimitives.Dot(qi, k.Slice(j * stride, hd)) * o.Scale;
            if (o.SoftCap > 0)
            {
                TensorPrimitives.Multiply(seen, 1f / o.SoftCap, seen);
                TensorPrimitives.Tanh(seen, seen);
                TensorPrimitives.Multiply(seen, o.SoftCap, seen);
            }
            TensorPrimitives.SoftMax(seen, seen);
        }
        // ctx_i = Σ_j p_ij v_j   ([t × hd])
        for (int i = 0; i < t; i++)
        {
            var ci = ctx.Slice(i * ctxStride, hd);
            ci.Clear();
            var row = scores.Slice(i * t, t);
            int first = o.FirstVisible(i), end = o.EndVisible(i, t);
            for (int j = first; j < end; j++)
                TensorPrimitives.MultiplyAdd(v.Slice(j * stride, hd), row[j], ci, ci);
        }
    }
}
