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
    /// <summary>The rows ids[r] of a [V × d] table, one after another: destination [ids.Length × d] (an embedding lookup).</summary>
    public static void GatherRows(ReadOnlySpan<float> table, int d, ReadOnlySpan<int> ids, Span<float> destination)
    {
        for (int r = 0; r < ids.Length; r++) table.Slice(ids[r] * d, d).CopyTo(destination.Slice(r * d, d));
    }

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
    /// ff[n, :] = act(gate[n, :]) ⊙ up[n, :] for the rows [gate | up] of gateUp [N × 2I] (gate overwritten);
    /// act = SiLU (g · σ(g)) or GELU-tanh (<see cref="GeluTanh"/>).
    /// </summary>
    public static void GatedActivation(float[] gateUp, float[] ff, int N, int I, bool geluTanh)
    {
        KernelLoop.For((N + 63) / 64, Environment.ProcessorCount, chunk =>
        {
            for (int n = chunk * 64; n < Math.Min(N, chunk * 64 + 64); n++)
            {
                var gate = gateUp.AsSpan(n * 2 * I, I);
                var up = gateUp.AsSpan(n * 2 * I + I, I);
                var y = ff.AsSpan(n * I, I);
                if (geluTanh)
                {
                    GeluTanh(gate);
                    TensorPrimitives.Multiply(gate, up, y);
                }
                else
                {
                    TensorPrimitives.Sigmoid(gate, y);              // σ(g), in the output row (no scratch)
                    TensorPrimitives.Multiply(y, gate, y);          // g · σ(g)
                    TensorPrimitives.Multiply(y, up, y);
                }
            }
        });
    }
}
