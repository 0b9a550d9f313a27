using System.Numerics.Tensors;

namespace Simile.Engine;

/// <summary>A dense layer y = x·W + b. <see cref="OutByIn"/>: W is stored [Out × In] (PyTorch nn.Linear);
/// otherwise [In × Out] (GPT-2 Conv1D, ONNX MatMul initializers).</summary>
public sealed record Linear(ReadOnlyMemory<float> Weight, ReadOnlyMemory<float> Bias, int In, int Out, bool OutByIn)
{
    /// <summary>y[n×Out] = x[n×In] · W + b.</summary>
    public void Apply(ReadOnlySpan<float> x, Span<float> y, int n)
    {
        Gemm.Multiply(x, Weight.Span, y, n, Out, In, transposeA: false, transposeB: OutByIn);
        TransformerOps.AddBiasRows(y, Bias.Span, n);
    }
}

/// <summary>Layer normalisation parameters: gamma (scale) and beta (shift), each [dims].</summary>
public sealed record LayerNormWeights(ReadOnlyMemory<float> Gamma, ReadOnlyMemory<float> Beta);

/// <summary>The elementwise and row-wise pieces of a transformer layer, float32 in and out.</summary>
public static class TransformerOps
{
    /// <summary>y[i,:] += bias for each of the n rows (bias: [cols]).</summary>
    public static void AddBiasRows(Span<float> y, ReadOnlySpan<float> bias, int n)
    {
        int cols = bias.Length;
        for (int i = 0; i < n; i++)
        {
            var row = y.Slice(i * cols, cols);
            TensorPrimitives.Add(row, bias, row);
        }
    }

    /// <summary>
    /// y[i,:] = (x[i,:] − mean) / sqrt(var + eps) · gamma + beta for each of n rows of [dims]; biased variance as in
    /// PyTorch's LayerNorm; mean and variance accumulated in float64. x and y may be the same buffer.
    /// </summary>
    public static void LayerNorm(ReadOnlySpan<float> x, Span<float> y, int n, LayerNormWeights w, double eps)
    {
        var gamma = w.Gamma.Span;
        var beta = w.Beta.Span;
        int d = gamma.Length;
        for (int i = 0; i < n; i++)
        {
            var xi = x.Slice(i * d, d);
            var yi = y.Slice(i * d, d);
            double sum = 0;
            for (int j = 0; j < d; j++) sum += xi[j];
            double mean = sum / d;
            double sq = 0;
            for (int j = 0; j < d; j++) { double c = xi[j] - mean; sq += c * c; }
            double inv = 1.0 / Math.Sqrt(sq / d + eps);
            for (int j = 0; j < d; j++) yi[j] = (float)((xi[j] - mean) * inv) * gamma[j] + beta[j];
        }
    }

    /// <summary>
    /// BERT's GELU: x · Φ(x) = x/2 · (1 + erf(x/√2)) = x/2 · erfc(−x/√2), in place, vectorised in float32 through
    /// TensorPrimitives. erfc(u) for u ≥ 0 is Abramowitz–Stegun 7.1.26, t(a₁ + t(a₂ + t(a₃ + t(a₄ + t a₅)))) · e^(−u²) with
    /// t = 1/(1 + p u), absolute error ≤ 1.5e-7 — the float32 resolution of 1 + erf — so this is the erf GELU to float
    /// precision (checked against the float64 series in the tests), not the tanh approximation.
    /// </summary>
    public static void GeluErf(Span<float> x)
    {
        const float P = 0.3275911f, A1 = 0.254829592f, A2 = -0.284496736f, A3 = 1.421413741f, A4 = -1.453152027f, A5 = 1.061405429f;
        const int Chunk = 512;
        Span<float> u = stackalloc float[Chunk], t = stackalloc float[Chunk], erfc = stackalloc float[Chunk], e = stackalloc float[Chunk];
        for (int start = 0; start < x.Length; start += Chunk)
        {
            var xs = x.Slice(start, Math.Min(Chunk, x.Length - start));
            int n = xs.Length;
            var us = u[..n]; var ts = t[..n]; var cs = erfc[..n]; var es = e[..n];
            TensorPrimitives.Abs(xs, us);
            TensorPrimitives.Multiply(us, 0.70710678f, us);               // u = |x|/√2
            TensorPrimitives.Multiply(us, P, ts);
            TensorPrimitives.Add(ts, 1f, ts);
            TensorPrimitives.Reciprocal(ts, ts);                           // t = 1/(1 + p u)
            TensorPrimitives.Multiply(ts, A5, cs);                         // Horner in t
            TensorPrimitives.Add(cs, A4, cs);
            TensorPrimitives.MultiplyAdd(cs, ts, A3, cs);
            TensorPrimitives.MultiplyAdd(cs, ts, A2, cs);
            TensorPrimitives.MultiplyAdd(cs, ts, A1, cs);
            TensorPrimitives.Multiply(cs, ts, cs);
            TensorPrimitives.Multiply(us, us, es);
            TensorPrimitives.Negate(es, es);
            TensorPrimitives.Exp(es, es);
            TensorPrimitives.Multiply(cs, es, cs);                         // erfc(u)
            TensorPrimitives.Negate(cs, es);
            TensorPrimitives.Add(es, 1f, es);                              // erf(u) = 1 − erfc(u)
            TensorPrimitives.CopySign(es, xs, es);                         // erf(x/√2), odd
            TensorPrimitives.Add(es, 1f, es);
            TensorPrimitives.Multiply(es, xs, es);
            TensorPrimitives.Multiply(es, 0.5f, xs);                       // x/2 · (1 + erf(x/√2))
        }
    }

    /// <summary>GPT-2's "gelu_new": x/2 · (1 + tanh(√(2/π) · (x + 0.044715 x³))), in place, vectorised in float32.</summary>
    public static void GeluTanh(Span<float> x)
    {
        const float C = 0.7978845608f;   // sqrt(2/pi)
        const int Chunk = 512;
        Span<float> a = stackalloc float[Chunk];
        for (int start = 0; start < x.Length; start += Chunk)
        {
            var xs = x.Slice(start, Math.Min(Chunk, x.Length - start));
            var s = a[..xs.Length];
            TensorPrimitives.Multiply(xs, xs, s);
            TensorPrimitives.Multiply(s, xs, s);                           // x³
            TensorPrimitives.MultiplyAdd(s, 0.044715f, xs, s);             // x + 0.044715 x³
            TensorPrimitives.Multiply(s, C, s);
            TensorPrimitives.Tanh(s, s);
            TensorPrimitives.Add(s, 1f, s);
            TensorPrimitives.Multiply(s, xs, s);
            TensorPrimitives.Multiply(s, 0.5f, xs);
        }
    }

    /// <summary>
    /// Scaled dot-product attention of one head of one sequence, in place in the packed buffers.
    /// q, k, v: rows of the sequence, head h at column offset (already sliced), row stride <paramref name="qkvStride"/>;
    /// scores: scratch [t × t], left holding the probabilities (row = query); ctx: output rows, row stride <paramref name="ctxStride"/>.
    /// <paramref name="causal"/>: query i sees keys 0..i only (GPT-2).
    /// </summary>
    public static void Attention(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> ctx, int qkvStride,
        int ctxStride, int t, int headDim, bool causal, Span<float> scores)
    {
        // Tiny per-head products (t ≤ a few hundred, hd = 32…128): SIMD dot products and axpys, no GEMM call overhead.
        // scores[i, j] = q_i · k_j / sqrt(hd), softmax over the visible keys j
        float scale = 1f / MathF.Sqrt(headDim);
        for (int i = 0; i < t; i++)
        {
            var qi = q.Slice(i * qkvStride, headDim);
            var row = scores.Slice(i * t, t);
            int visible = causal ? i + 1 : t;
            for (int j = 0; j < visible; j++)
                row[j] = TensorPrimitives.Dot(qi, k.Slice(j * qkvStride, headDim)) * scale;
            var seen = row[..visible];
            TensorPrimitives.SoftMax(seen, seen);
            row[visible..].Clear();
        }
        // ctx_i = Σ_j p_ij v_j   ([t × hd])
        for (int i = 0; i < t; i++)
        {
            var ci = ctx.Slice(i * ctxStride, headDim);
            ci.Clear();
            var row = scores.Slice(i * t, t);
            int visible = causal ? i + 1 : t;
            for (int j = 0; j < visible; j++)
                TensorPrimitives.MultiplyAdd(v.Slice(j * qkvStride, headDim), row[j], ci, ci);
        }
    }
}
