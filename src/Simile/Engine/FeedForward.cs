namespace Simile.Engine;

/// <summary>
/// The float32 feed-forward sub-layer of the decoders, run <see cref="SliceWidth"/> columns of the intermediate width I
/// at a time: for each slice [i0, i0 + s) the first products' rows i0 … i0 + s (widened as they are multiplied, see
/// <see cref="LayerMatrix"/>), the activation, and the slice's share of the down product, summed into the output. The
/// batch then holds [N × s] (gated: [N × 2s]) instead of [N × I] (gated: [N × 2I]), and gives the bits of the whole
/// products (the down products of the slices split at multiples of <see cref="Gemm.InnerBlock"/>).
/// </summary>
public static class FeedForward
{
    /// <summary>Columns of the intermediate width run at a time. A multiple of <see cref="Gemm.InnerBlock"/> (the down
    /// products of the slices add up to the bits of the whole product) and of the 512-value chunks of the activations
    /// (the same values element by element).</summary>
    public const int SliceWidth = 1024;

    /// <summary>The slices [Start, Start + Width) of the intermediate width: <see cref="SliceWidth"/> wide, the last
    /// one taking a remainder shorter than <see cref="Gemm.InnerBlock"/>.</summary>
    public static IEnumerable<(int Start, int Width)> Slices(int intermediate)
    {
        for (int i0 = 0; i0 < intermediate;)
        {
            int w = Math.Min(SliceWidth, intermediate - i0);
            if (intermediate - (i0 + w) < Gemm.InnerBlock) w = intermediate - i0;
            yield return (i0, w);
            i0 += w;
        }
    }

    /// <summary>The widest slice of an intermediate width (0 for none).</summary>
    public static int WidestSlice(int intermediate) => intermediate <= 0 ? 0 : Slices(intermediate).Max(x => x.Width);

    /// <summary>Values per row the gated sub-layer's activation buffer needs (gate | up needs twice that): the widest
    /// slice for float32 weights, the whole intermediate width for integer products (their blocks are not sliced).</summary>
    public static int GatedWidth(LayerMatrix gateUp, int intermediate) => gateUp.IsFloat32 ? WidestSlice(intermediate) : intermediate;

    /// <summary>Gated (Llama family, and each expert of a mixture): f [N × D] = down(act(gate(a)) ⊙ up(a)), gate | up
    /// stacked [2I × D], down [D × I], act = SiLU or GELU-tanh; gu holds [N × 2w], ff [N × w], w =
    /// <see cref="GatedWidth"/>: float32 weights in slices, integer products whole.</summary>
    public static void Gated(LayerMatrix gateUp, LayerMatrix down, float[] a, float[] gu, float[] ff, float[] f,
        int N, int I, bool geluTanh)
    {
        if (!gateUp.IsFloat32)
        {
            gateUp.Project(a, gu, N);                                       // [N × 2I]
            TransformerOps.GatedActivation(gu, ff, N, I, geluTanh);         // [N × I]
            down.Project(ff, f, N);                                         // [N × D]
            return;
        }
        foreach (var (i0, s) in Slices(I))
        {
            gateUp.ProjectRows(a, N, i0, s, gu, 2 * s);                     // [N × s] gate → columns 0 … s
            gateUp.ProjectRows(a, N, I + i0, s, gu.AsSpan(s), 2 * s);       // [N × s] up → columns s … 2s
            TransformerOps.GatedActivation(gu, ff, N, s, geluTanh);         // [N × s]
            down.ProjectColumns(ff, N, i0, s, f, i0 == 0 ? 0f : 1f);        // [N × D] (+)= ff · down[:, i0 … i0 + s)ᵀ
        }
    }

    /// <summary>Plain, with biases (GPT-NeoX): f [N × D] = down(act(up(a) + upBias)) + downBias, up [I × D],
    /// down [D × I], act = exact (erf) GELU or its tanh form; ff holds [N × s].</summary>
    public static void Plain(LayerMatrix up, ReadOnlySpan<float> upBias, LayerMatrix down, ReadOnlySpan<float> downBias,
        float[] a, float[] ff, float[] f, int N, int I, bool geluTanh)
    {
        foreach (var (i0, s) in Slices(I))
        {
            var h = ff.AsSpan(0, N * s);
            up.ProjectRows(a, N, i0, s, h, s);                              // [N × s]
            TransformerOps.AddBiasRows(h, upBias.Slice(i0, s), N);
            if (geluTanh) TransformerOps.GeluTanh(h); else TransformerOps.GeluErf(h);
            down.ProjectColumns(ff, N, i0, s, f, i0 == 0 ? 0f : 1f);        // [N × D] (+)= ff · down[:, i0 … i0 + s)ᵀ
        }
        TransformerOps.AddBiasRows(f.AsSpan(0, N * down.Out), downBias, N);
    }
}
