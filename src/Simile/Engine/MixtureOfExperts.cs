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
/// Memory: one expert's matrices at a time — the experts a batch routes to are pointed at one after another
/// (<see cref="LayerMatrix"/>: float32 widened a block at a time into the layer's scratch, or the stored Q8_0 /
/// k-quant blocks multiplied in integers as llama.cpp does) and applied to the rows routed to them
/// (<see cref="FeedForward.Gated"/>); experts no token chose are never read.
/// Tensor names (Hugging Face): Mixtral <c>block_sparse_moe.gate</c>, <c>block_sparse_moe.experts.{e}.w1|w3|w2</c>
/// (gate, up, down); Qwen3-MoE <c>mlp.gate</c>, <c>mlp.experts.{e}.gate_proj|up_proj|down_proj</c>.
/// </summary>
public sealed class MixtureOfExperts
{
    private readonly DecoderConfig _c;
    private readonly float[] _router;                 // [E × D]
    private readonly LayerMatrix _gateUp, _down;      // one expert: [2I × D] gate rows | up rows, [D × I]
    // Grown to the largest batch: router logits [N × E], the routed rows [m × D], gate|up [m × 2w], activation [m × w],
    // the expert's output [m × D]; the routing [N × k].
    private float[] _logits = [], _x = [], _gu = [], _ff = [], _y = [], _weights = [];
    private int[] _experts = [];

    /// <param name="integer">How the experts' matrices are multiplied (<see cref="LlamaModel.ExpertIntegerKind"/>).</param>
    /// <param name="scratch">The layer's float32 scratch (<see cref="LlamaModel.ScratchFloats"/>), unused by integer products.</param>
    public MixtureOfExperts(DecoderConfig c, IntegerProductKind integer, float[] scratch)
    {
        _c = c;
        _router = new float[(long)c.Experts * c.Hidden];
        _gateUp = new LayerMatrix(2 * c.ExpertIntermediate, c.Hidden, integer, scratch);
        _down = new LayerMatrix(c.Hidden, c.ExpertIntermediate, integer, scratch);
    }

    /// <summary>Bytes of the router's float32 buffer (an expert's float32 blocks pass through the layer's scratch).</summary>
    public static long BufferBytes(DecoderConfig c) => 4L * c.Experts * c.Hidden;

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

    /// <summary>The experts each row is routed to and their weights: [N × k] each, in descending probability (views of
    /// buffers reused by the next call).</summary>
    public (ReadOnlyMemory<int> Experts, ReadOnlyMemory<float> Weights) Route(IDecoderWeights w, int l, float[] x, int N)
    {
        var c = _c;
        int D = c.Hidden, E = c.Experts, k = c.ExpertsPerToken;
        w.Read(RouterName(c, l), _router);
        var logits = WorkBuffer.AtLeast(ref _logits, (long)N * E);
        Gemm.Multiply(x.AsSpan(0, N * D), _router, logits.AsSpan(0, N * E), N, E, D, transposeB: true);   // [N × E]
        var experts = _experts.Length >= N * k ? _experts : _experts = new int[N * k];
        var weights = WorkBuffer.AtLeast(ref _weights, (long)N * k);
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
        return (experts.AsMemory(0, N * k), weights.AsMemory(0, N * k));
    }

    /// <summary>y [N × D] = the mixture of experts applied to x [N × D] (y is overwritten).</summary>
    public void Apply(IDecoderWeights w, int l, float[] x, float[] y, int N)
    {
        var c = _c;
        int D = c.Hidden, E = c.Experts, k = c.ExpertsPerToken, I = c.ExpertIntermediate;
        var (expertsMemory, weightsMemory) = Route(w, l, x, N);
        var experts = expertsMemory.Span;
        var weights = weightsMemory.Span;
        Array.Clear(y, 0, N * D);
        var rows = new List<(int Row, float Weight)>[E];
        for (int n = 0; n < N; n++)
            for (int j = 0; j < k; j++)
                (rows[experts[n * k + j]] ??= []).Add((n, weights[n * k + j]));
        int width = FeedForward.GatedWidth(_gateUp, I);
        for (int e = 0; e < E; e++)
        {
            if (rows[e] is not { Count: > 0 } mine) continue;
            var (gate, up, down) = ExpertNames(c, l, e);
            _gateUp.Load(w, gate, up);
            _down.Load(w, down);
            int m = mine.Count;
            var xe = WorkBuffer.AtLeast(ref _x, (long)m * D);
            for (int r = 0; r < m; r++) x.AsSpan(mine[r].Row * D, D).CopyTo(xe.AsSpan(r * D, D));
            var ye = WorkBuffer.AtLeast(ref _y, (long)m * D);
            FeedForward.Gated(_gateUp, _down, xe, WorkBuffer.AtLeast(ref _gu, (long)m * 2 * width), WorkBuffer.AtLeast(ref _ff, (long)m * width),
                ye, m, I, geluTanh: false);                                     // [m × D]: down(SiLU(gate) ⊙ up)
            for (int r = 0; r < m; r++)
            {
                var target = y.AsSpan(mine[r].Row * D, D);
                TensorPrimitives.MultiplyAdd(ye.AsSpan(r * D, D), mine[r].Weight, target, target);
            }
        }
    }
}
