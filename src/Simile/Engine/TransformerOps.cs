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

    /// <summary>BERT's GELU: x · Φ(x) = x/2 · (1 + erf(x/√2)), exact erf (in place).</summary>
    public static void GeluErf(Span<float> x)
    {
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            x[i] = (float)(0.5 * v * (1.0 + SpecialFunctions.Erf(v * 0.70710678118654752440)));
        }
    }

    /// <summary>GPT-2's "gelu_new": x/2 · (1 + tanh(√(2/π) · (x + 0.044715 x³))) (in place).</summary>
    public static void GeluTanh(Span<float> x)
    {
        const double c = 0.79788456080286535588; // sqrt(2/pi)
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            x[i] = (float)(0.5 * v * (1.0 + Math.Tanh(c * (v + 0.044715 * v * v * v))));
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
        // scores[t×t] = Q[t×hd] · K[t×hd]ᵀ / sqrt(hd)
        Gemm.Multiply(q, qkvStride, k, qkvStride, scores, t, t, t, headDim, transposeA: false, transposeB: true);
        float scale = 1f / MathF.Sqrt(headDim);
        for (int i = 0; i < t; i++)
        {
            var row = scores.Slice(i * t, t);
            int visible = causal ? i + 1 : t;
            var seen = row[..visible];
            TensorPrimitives.Multiply(seen, scale, seen);
            TensorPrimitives.SoftMax(seen, seen);
            row[visible..].Clear();
        }
        // ctx[t×hd] = P[t×t] · V[t×hd]
        Gemm.Multiply(scores, t, v, qkvStride, ctx, ctxStride, t, headDim, t);
    }
}
