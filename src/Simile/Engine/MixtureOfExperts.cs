using System.Numerics.Tensors;

namespace Simile.Engine;

/// <summary>
/// The sparse feed-forward block of Mixtral (MixtralSparseMoeBlock) and Qwen3-MoE (Qwen3MoeSparseMoeBlock), float32:
/// <code>
///   p = softmax(x · routerᵀ)                         router logits [N × E], softmax over the E experts
///   (w, e) = top-k of p                              the k = ExpertsPerToken largest, ties to the lower expert
///   w = w / Σ w                                      Mixtral always; Qwen3-MoE when norm_topk_prob
///   y = Σ_j w_j · down_e(act(gate_e(x)) ⊙ up_e(x))   each expert a SiLU-gated MLP of ExpertIntermediate
/// </code>
/// Memory: one expert's matrices at a time — the experts a batch routes to are loaded one after another into the same
/// float32 buffer and applied to the rows routed to them; experts no token chose are never read.
/// Tensor names (Hugging Face): Mixtral <c>block_sparse_moe.gate</c>, <c>block_sparse_moe.experts.{e}.w1|w3|w2</c>
/// (gate, up, down); Qwen3-MoE <c>mlp.gate</c>, <c>mlp.experts.{e}.gate_proj|up_proj|down_proj</c>.
/// </summary>
public sealed class MixtureOfExperts
{
    private readonly DecoderConfig _c;
    private readonly float[] _router;       // [E × D]
    private readonly float[] _gateUp;       // [2I × D]: gate rows | up rows
    private readonly float[] _down;         // [D × I]

    public MixtureOfExperts(DecoderConfig c)
    {
        _c = c;
        _router = new float[(long)c.Experts * c.Hidden];
        _gateUp = new float[2L * c.ExpertIntermediate * c.Hidden];
        _down = new float[(long)c.Hidden * c.ExpertIntermediate];
    }

    /// <summary>Bytes of the float32 buffers (the router and one expert).</summary>
    public static long BufferBytes(DecoderConfig c) => 4 * ((long)c.Experts * c.Hidden + 3L * c.ExpertIntermediate * c.Hidden);

    public static string RouterName(DecoderConfig c, int l) =>
        LlamaModel.LayerPrefix(l) + (c.Family == DecoderFamily.Mixtral ? "block_sparse_moe.gate.weight" : "mlp.gate.weight");

    /// <summary>(gate, up, down) of expert <paramref name="e"/> in layer <paramref name="l"/>.</summary>
    public static (string Gate, string Up, string Down) ExpertNames(DecoderConfig c, int l, int e)
    {
        string p = LlamaModel.LayerPrefix(l);
        return c.Family == DecoderFamily.Mixtral
            ? ($"{p}block_sparse_moe.experts.{e}.w1.weight", $"{p}block_sparse_moe.experts.{e}.w3.weight", $"{p}block_sparse_moe.experts.{e}.w2.weight")
            : ($"{p}mlp.experts.{e}.gate_proj.weight", $"{p}mlp.experts.{e}.up_proj.weight", $"{p}mlp.experts.{e}.down_proj.weight");
    }

    /// <summary>The experts each row is routed to and their weights: [N × k] each, in descending probability.</summary>
    public (int[] Experts, float[] Weights) Route(IDecoderWeights w, int l, float[] x, int N)
    {
        var c = _c;
        int D = c.Hidden, E = c.Experts, k = c.ExpertsPerToken;
        w.Read(RouterName(c, l), _router);
        var logits = new float[(long)N * E];
        Gemm.Multiply(x, _router, logits, N, E, D, transposeB: true);       // [N × E]
        var experts = new int[N * k];
        var weights = new float[N * k];
        for (int n = 0; n < N; n++)
        {
            var p = logits.AsSpan(n * E, E);
            TensorPrimitives.SoftMax(p, p);
            var chosen = experts.AsSpan(n * k, k);
            var wt = weights.AsSpan(n * k, k);
            for (int j = 0; j < k; j++)
            {
                int best = -1;
                for (int e = 0; e < E; e++)
                    if (chosen[..j].IndexOf(e) < 0 && (best < 0 || p[e] > p[best])) best = e;
                chosen[j] = best;
                wt[j] = p[best];
            }
            if (c.NormalizeTopK)
            {
                float sum = TensorPrimitives.Sum(wt);
                TensorPrimitives.Divide(wt, sum, wt);
            }
        }
        return (experts, weights);
    }

    /// <summary>y [N × D] = the mixture of experts applied to x [N × D] (y is overwritten).</summary>
    public void Apply(IDecoderWeights w, int l, float[] x, float[] y, int N)
    {
        var c = _c;
        int D = c.Hidden, E = c.Experts, k = c.ExpertsPerToken, I = c.ExpertIntermediate;
        var (experts, weights) = Route(w, l, x, N);
        Array.Clear(y, 0, N * D);
        var rows = new List<(int Row, float Weight)>[E];
        for (int n = 0; n < N; n++)
            for (int j = 0; j < k; j++)
                (rows[experts[n * k + j]] ??= []).Add((n, weights[n * k + j]));
        for (int e = 0; e < E; e++)
        {
            if (rows[e] is not { Count: > 0 } mine) continue;
            var (gate, up, down) = ExpertNames(c, l, e);
            w.Read(gate, _gateUp.AsSpan(0, I * D));
            w.Read(up, _gateUp.AsSpan(I * D, I * D));
            w.Read(down, _down);
            int m = mine.Count;
            var xe = new float[(long)m * D];
            for (int r = 0; r < m; r++) x.AsSpan(mine[r].Row * D, D).CopyTo(xe.AsSpan(r * D, D));
            var gu = new float[(long)m * 2 * I];
            Gemm.Multiply(xe, _gateUp, gu, m, 2 * I, D, transposeB: true);     // [m × 2I]
            var ff = new float[(long)m * I];
            TransformerOps.GatedActivation(gu, ff, m, I, geluTanh: false);     // SiLU(gate) ⊙ up
            var ye = new float[(long)m * D];
            Gemm.Multiply(ff, _down, ye, m, D, I, transposeB: true);           // [m × D]
            for (int r = 0; r < m; r++)
            {
                var target = y.AsSpan(mine[r].Row * D, D);
                TensorPrimitives.MultiplyAdd(ye.AsSpan(r * D, D), mine[r].Weight, target, target);
            }
        }
    }
}
