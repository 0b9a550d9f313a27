namespace Simile.Tests.Engine;

/// <summary>
/// Plain float64 BERT and GPT-2 forward passes for one sequence, written from the papers / Hugging Face semantics
/// with naive loops, to check the engine against. Weights come from a name → values dictionary.
/// Output: hidden[r][t, :] for r = "token", "0", …, "L" (+ "final" for GPT-2), and attention[l][h, i, j].
/// </summary>
internal static class ReferenceTransformer
{
    public static (double[][,] Hidden, double[][,,] Attention) Bert(Dictionary<string, float[]> w, string p, int[] ids,
        int D, int H, int I, int L, double eps)
    {
        int T = ids.Length, hd = D / H;
        var hidden = new List<double[,]>();
        var attention = new List<double[,,]>();
        var x = new double[T, D];
        var token = new double[T, D];
        for (int t = 0; t < T; t++)
            for (int d = 0; d < D; d++)
            {
                token[t, d] = w[p + "embeddings.word_embeddings.weight"][ids[t] * D + d];
                x[t, d] = token[t, d] + w[p + "embeddings.position_embeddings.weight"][t * D + d] + w[p + "embeddings.token_type_embeddings.weight"][d];
            }
        hidden.Add(token);
        x = LayerNorm(x, w[p + "embeddings.LayerNorm.weight"], w[p + "embeddings.LayerNorm.bias"], eps);
        hidden.Add(x);
        for (int l = 0; l < L; l++)
        {
            string e = $"{p}encoder.layer.{l}.";
            var q = LinearOutIn(x, w[e + "attention.self.query.weight"], w[e + "attention.self.query.bias"], D, D);
            var k = LinearOutIn(x, w[e + "attention.self.key.weight"], w[e + "attention.self.key.bias"], D, D);
            var v = LinearOutIn(x, w[e + "attention.self.value.weight"], w[e + "attention.self.value.bias"], D, D);
            var (ctx, probs) = Attend(q, 0, k, 0, v, 0, T, D, H, hd, causal: false);
            attention.Add(probs);
            var a = LinearOutIn(ctx, w[e + "attention.output.dense.weight"], w[e + "attention.output.dense.bias"], D, D);
            x = LayerNorm(Add(x, a), w[e + "attention.output.LayerNorm.weight"], w[e + "attention.output.LayerNorm.bias"], eps);
            var f = LinearOutIn(x, w[e + "intermediate.dense.weight"], w[e + "intermediate.dense.bias"], D, I);
            for (int t = 0; t < T; t++) for (int j = 0; j < I; j++) f[t, j] = 0.5 * f[t, j] * (1 + ErfByQuadrature(f[t, j] / Math.Sqrt(2)));
            var o = LinearOutIn(f, w[e + "output.dense.weight"], w[e + "output.dense.bias"], I, D);
            x = LayerNorm(Add(x, o), w[e + "output.LayerNorm.weight"], w[e + "output.LayerNorm.bias"], eps);
            hidden.Add(x);
        }
        return (hidden.ToArray(), attention.ToArray());
    }

    public static (double[][,] Hidden, double[][,,] Attention) Gpt2(Dictionary<string, float[]> w, string p, int[] ids,
        int D, int H, int I, int L, double eps)
    {
        int T = ids.Length, hd = D / H;
        var hidden = new List<double[,]>();
        var attention = new List<double[,,]>();
        var x = new double[T, D];
        var token = new double[T, D];
        for (int t = 0; t < T; t++)
            for (int d = 0; d < D; d++)
            {
                token[t, d] = w[p + "wte.weight"][ids[t] * D + d];
                x[t, d] = token[t, d] + w[p + "wpe.weight"][t * D + d];
            }
        hidden.Add(token);
        hidden.Add(x);
        for (int l = 0; l < L; l++)
        {
            string h = $"{p}h.{l}.";
            var a = LayerNorm(x, w[h + "ln_1.weight"], w[h + "ln_1.bias"], eps);
            var qkv = LinearInOut(a, w[h + "attn.c_attn.weight"], w[h + "attn.c_attn.bias"], D, 3 * D);
            var (ctx, probs) = Attend(qkv, 0, qkv, D, qkv, 2 * D, T, D, H, hd, causal: true);
            attention.Add(probs);
            x = Add(x, LinearInOut(ctx, w[h + "attn.c_proj.weight"], w[h + "attn.c_proj.bias"], D, D));
            var m = LayerNorm(x, w[h + "ln_2.weight"], w[h + "ln_2.bias"], eps);
            var f = LinearInOut(m, w[h + "mlp.c_fc.weight"], w[h + "mlp.c_fc.bias"], D, I);
            for (int t = 0; t < T; t++)
                for (int j = 0; j < I; j++)
                {
                    double u = f[t, j];
                    f[t, j] = 0.5 * u * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (u + 0.044715 * Math.Pow(u, 3))));
                }
            x = Add(x, LinearInOut(f, w[h + "mlp.c_proj.weight"], w[h + "mlp.c_proj.bias"], I, D));
            hidden.Add(x);
        }
        hidden.Add(LayerNorm(x, w[p + "ln_f.weight"], w[p + "ln_f.bias"], eps));
        return (hidden.ToArray(), attention.ToArray());
    }

    /// <summary>Multi-head attention; q/k/v columns of head h start at col + h·hd.</summary>
    private static (double[,] Ctx, double[,,] Probs) Attend(double[,] q, int qc, double[,] k, int kc, double[,] v, int vc,
        int T, int D, int H, int hd, bool causal)
    {
        var ctx = new double[T, D];
        var probs = new double[H, T, T];
        for (int h = 0; h < H; h++)
            for (int i = 0; i < T; i++)
            {
                var s = new double[T];
                double max = double.NegativeInfinity;
                for (int j = 0; j < T; j++)
                {
                    if (causal && j > i) { s[j] = double.NegativeInfinity; continue; }
                    double dot = 0;
                    for (int d = 0; d < hd; d++) dot += q[i, qc + h * hd + d] * k[j, kc + h * hd + d];
                    s[j] = dot / Math.Sqrt(hd);
                    max = Math.Max(max, s[j]);
                }
                double z = 0;
                for (int j = 0; j < T; j++) { s[j] = double.IsNegativeInfinity(s[j]) ? 0 : Math.Exp(s[j] - max); z += s[j]; }
                for (int j = 0; j < T; j++) probs[h, i, j] = s[j] / z;
                for (int d = 0; d < hd; d++)
                {
                    double acc = 0;
                    for (int j = 0; j < T; j++) acc += probs[h, i, j] * v[j, vc + h * hd + d];
                    ctx[i, h * hd + d] = acc;
                }
            }
        return (ctx, probs);
    }

    /// <summary>nn.Linear: W stored [out × in].</summary>
    private static double[,] LinearOutIn(double[,] x, float[] W, float[] b, int inDims, int outDims)
    {
        int T = x.GetLength(0);
        var y = new double[T, outDims];
        for (int t = 0; t < T; t++)
            for (int o = 0; o < outDims; o++)
            {
                double acc = b[o];
                for (int i = 0; i < inDims; i++) acc += x[t, i] * W[o * inDims + i];
                y[t, o] = acc;
            }
        return y;
    }

    /// <summary>Conv1D: W stored [in × out].</summary>
    private static double[,] LinearInOut(double[,] x, float[] W, float[] b, int inDims, int outDims)
    {
        int T = x.GetLength(0);
        var y = new double[T, outDims];
        for (int t = 0; t < T; t++)
            for (int o = 0; o < outDims; o++)
            {
                double acc = b[o];
                for (int i = 0; i < inDims; i++) acc += x[t, i] * W[i * outDims + o];
                y[t, o] = acc;
            }
        return y;
    }

    private static double[,] LayerNorm(double[,] x, float[] g, float[] b, double eps)
    {
        int T = x.GetLength(0), D = x.GetLength(1);
        var y = new double[T, D];
        for (int t = 0; t < T; t++)
        {
            double mean = 0, var = 0;
            for (int d = 0; d < D; d++) mean += x[t, d];
            mean /= D;
            for (int d = 0; d < D; d++) var += (x[t, d] - mean) * (x[t, d] - mean);
            var /= D;
            for (int d = 0; d < D; d++) y[t, d] = (x[t, d] - mean) / Math.Sqrt(var + eps) * g[d] + b[d];
        }
        return y;
    }

    private static double[,] Add(double[,] a, double[,] b)
    {
        var y = (double[,])a.Clone();
        for (int i = 0; i < a.GetLength(0); i++) for (int j = 0; j < a.GetLength(1); j++) y[i, j] += b[i, j];
        return y;
    }

    /// <summary>erf(x) = 2/√π ∫₀ˣ e^(−t²) dt by composite Simpson's rule (4000 panels): independent of the engine's series.</summary>
    public static double ErfByQuadrature(double x)
    {
        int n = 4000;
        double h = x / n, s = 1 + Math.Exp(-x * x);
        for (int i = 1; i < n; i++) s += (i % 2 == 1 ? 4 : 2) * Math.Exp(-(i * h) * (i * h));
        return 2 / Math.Sqrt(Math.PI) * s * h / 3;
    }
}
