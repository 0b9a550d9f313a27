using Simile.Engine;
using Xunit;

namespace Simile.Tests.Engine;

/// <summary>
/// The decoders' float32 feed-forward sub-layer runs <see cref="LlamaModel.FeedForwardSlice"/> columns of the
/// intermediate width at a time (so a batch holds [N × 2s] and [N × s] instead of [N × 2I] and [N × I]). It must give
/// the bits of the whole products as the pass made them before: gate | up [N × 2I] in one product, the activation over
/// whole rows, down [N × D] in one product. The tiny reference models have I &lt; one slice, so the widths here cross
/// several slices, with a remainder that joins the last slice (2148), a whole last block (2304) and none (3072).
/// </summary>
public class FeedForwardSliceTests
{
    [Theory]
    [InlineData(2148, false)]
    [InlineData(2148, true)]
    [InlineData(2304, false)]
    [InlineData(3072, true)]
    [InlineData(160, false)]
    public void SlicesGiveTheBitsOfTheWholeProducts(int I, bool geluTanh)
    {
        const int N = 37, D = 64;
        var rng = new Random(I + (geluTanh ? 1 : 0));
        float[] Random(int n) { var v = new float[n]; for (int i = 0; i < n; i++) v[i] = (float)(rng.NextDouble() * 2 - 1) * 0.2f; return v; }
        var a = Random(N * D);
        var gate = Random(I * D); var up = Random(I * D); var down = Random(D * I);
        var weights = new Float32Weights(new() { ["gate"] = (gate, [I, D]), ["up"] = (up, [I, D]), ["down"] = (down, [D, I]) });

        // the whole products, as plain calls
        var gu = new float[N * 2 * I]; var ff = new float[N * I]; var whole = new float[N * D];
        Gemm.Multiply(a, [.. gate, .. up], gu, N, 2 * I, D, transposeB: true);
        TransformerOps.GatedActivation(gu, ff, N, I, geluTanh);
        Gemm.Multiply(ff, down, whole, N, D, I, transposeB: true);

        // the pass's sliced sub-layer, through its layer buffers
        var gateUp = new LayerMatrix(2 * I, D); gateUp.Load(weights, "gate", "up");
        var downMatrix = new LayerMatrix(D, I); downMatrix.Load(weights, "down");
        int s = LlamaModel.FeedForwardSlices(I).Max(x => x.Width);
        Assert.Equal(I, LlamaModel.FeedForwardSlices(I).Sum(x => x.Width));
        var sliced = new float[N * D];
        LlamaModel.FeedForwardInSlices(gateUp, downMatrix, a, new float[N * 2 * s], new float[N * s], sliced, N, I, geluTanh);

        Assert.Equal(whole, sliced);          // bit for bit
        if (I > LlamaModel.FeedForwardSlice) Assert.True(LlamaModel.FeedForwardSlices(I).Count() > 1);
    }

    [Fact]
    public void SlicesAreWholeInnerBlocksAndAShortRemainderJoinsTheLast()
    {
        Assert.Equal([(0, 1024), (1024, 1124)], LlamaModel.FeedForwardSlices(2148));
        Assert.Equal([(0, 1024), (1024, 1024), (2048, 256)], LlamaModel.FeedForwardSlices(2304));
        Assert.Equal([(0, 160)], LlamaModel.FeedForwardSlices(160));
        Assert.Equal(0, LlamaModel.FeedForwardSlice % Gemm.InnerBlock);
    }

    /// <summary>Named float32 tensors in memory (no config: only the layer buffers read them).</summary>
    private sealed class Float32Weights(Dictionary<string, (float[] Data, long[] Shape)> tensors) : IDecoderWeights
    {
        public DecoderConfig Config => throw new NotSupportedException();
        public bool Has(string name) => tensors.ContainsKey(name);
        public IReadOnlyList<long> Shape(string name) => tensors[name].Shape;
        public string StorageType(string name) => "F32";
        public void Read(string name, Span<float> destination) => tensors[name].Data.CopyTo(destination);
        public void ReadRows(string name, ReadOnlySpan<int> rows, Span<float> destination) => throw new NotSupportedException();
        public void Dispose() { }
    }
}
