using Simile.Engine;
using Xunit;

namespace Simile.Tests.Engine;

/// <summary>
/// The decoders' float32 feed-forward sub-layer runs <see cref="FeedForward.SliceWidth"/> columns of the
/// intermediate width at a time (so a batch holds [N × 2s] and [N × s] instead of [N × 2I] and [N × I]). It must give
/// the bits of the whole products as the pass made them before: gate | up [N × 2I] in one product, the activation over
/// whole rows, down [N × D] in one product. The tiny reference models have I &lt; one slice, so the widths here cross
/// several slices, with a remainder that joins the last slice (2148), a whole last block (2304) and none (3072).
/// The weights are widened a block at a time into a shared scratch (<see cref="LayerMatrix"/>): at the pass's size and
/// at sizes that split every product into many blocks.
/// </summary>
public class FeedForwardTests
{
    [Theory]
    [InlineData(2148, false, 0)]
    [InlineData(2148, true, 0)]
    [InlineData(2304, false, 0)]
    [InlineData(3072, true, 0)]
    [InlineData(160, false, 0)]
    [InlineData(2148, false, 2148 + 5)]       // a scratch of one down row + 5: gate, up in 33 rows, down in 2 rows at a time
    [InlineData(160, true, 160)]              // gate, up in 2 rows (2 × 64 of 160), down 1 row at a time
    public void SlicesGiveTheBitsOfTheWholeProducts(int I, bool geluTanh, int scratchFloats)
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
        int s = FeedForward.Slices(I).Max(x => x.Width);
        var scratch = new float[scratchFloats > 0 ? scratchFloats : s * D];   // 0: the pass's size, one slice of rows or columns
        var gateUp = new LayerMatrix(2 * I, D, scratch: scratch); gateUp.Load(weights, "gate", "up");
        var downMatrix = new LayerMatrix(D, I, scratch: scratch); downMatrix.Load(weights, "down");
        Assert.Equal(I, FeedForward.Slices(I).Sum(x => x.Width));
        var sliced = new float[N * D];
        FeedForward.Gated(gateUp, downMatrix, a, new float[N * 2 * s], new float[N * s], sliced, N, I, geluTanh);

        Assert.Equal(whole, sliced);          // bit for bit
        if (I > FeedForward.SliceWidth) Assert.True(FeedForward.Slices(I).Count() > 1);
    }

    [Theory]
    [InlineData(2148, false, 0)]
    [InlineData(3072, true, 0)]
    [InlineData(2304, false, 2304 + 3)]       // a scratch of one down row + 3: up in 36 rows, down in 1 row at a time
    [InlineData(160, true, 0)]
    public void PlainSlicesGiveTheBitsOfTheWholeProducts(int I, bool geluTanh, int scratchFloats)
    {
        // GPT-NeoX's sub-layer: down(GELU(up(a) + upBias)) + downBias, against the whole products as plain calls.
        const int N = 29, D = 64;
        var rng = new Random(I * 3 + (geluTanh ? 1 : 0));
        float[] Random(int n) { var v = new float[n]; for (int i = 0; i < n; i++) v[i] = (float)(rng.NextDouble() * 2 - 1) * 0.2f; return v; }
        var a = Random(N * D);
        var up = Random(I * D); var upBias = Random(I); var down = Random(D * I); var downBias = Random(D);
        var weights = new Float32Weights(new() { ["up"] = (up, [I, D]), ["down"] = (down, [D, I]) });

        var h = new float[N * I]; var whole = new float[N * D];
        Gemm.Multiply(a, up, h, N, I, D, transposeB: true);
        for (int n = 0; n < N; n++) for (int i = 0; i < I; i++) h[n * I + i] += upBias[i];
        if (geluTanh) TransformerOps.GeluTanh(h); else TransformerOps.GeluErf(h);
        Gemm.Multiply(h, down, whole, N, D, I, transposeB: true);
        for (int n = 0; n < N; n++) for (int d = 0; d < D; d++) whole[n * D + d] += downBias[d];

        int s = FeedForward.WidestSlice(I);
        var scratch = new float[scratchFloats > 0 ? scratchFloats : s * D];
        var upMatrix = new LayerMatrix(I, D, scratch: scratch); upMatrix.Load(weights, "up");
        var downMatrix = new LayerMatrix(D, I, scratch: scratch); downMatrix.Load(weights, "down");
        var sliced = new float[N * D];
        FeedForward.Plain(upMatrix, upBias, downMatrix, downBias, a, new float[N * s], sliced, N, I, geluTanh);

        Assert.Equal(whole, sliced);          // bit for bit
    }

    [Fact]
    public void RowRangesOfStoredTensorsStackInTheirOrder()
    {
        // W = rows 3..5 of "t", then rows 0..3 of "t", then rows 6..8: a regrouping as GPT-NeoX's fused q/k/v is read.
        const int In = 5, N = 4;
        var rng = new Random(5);
        var t = Enumerable.Range(0, 8 * In).Select(_ => (float)rng.NextDouble()).ToArray();
        var x = Enumerable.Range(0, N * In).Select(_ => (float)rng.NextDouble()).ToArray();
        var weights = new Float32Weights(new() { ["t"] = (t, [8, In]) });
        int[] order = [3, 4, 0, 1, 2, 6, 7];
        foreach (int scratchFloats in new[] { In, 2 * In + 1, 100 })
        {
            var m = new LayerMatrix(order.Length, In, scratch: new float[scratchFloats]);
            m.Load(weights, [("t", 3, 2), ("t", 0, 3), ("t", 6, 2)]);
            var y = new float[N * order.Length];
            m.Project(x, y, N);
            for (int n = 0; n < N; n++)
                for (int r = 0; r < order.Length; r++)
                {
                    double dot = 0;                                   // the naive sum, in float64
                    for (int k = 0; k < In; k++) dot += (double)x[n * In + k] * t[order[r] * In + k];
                    Assert.Equal(dot, y[n * order.Length + r], 5);
                }
        }
    }

    [Fact]
    public void SlicesAreWholeInnerBlocksAndAShortRemainderJoinsTheLast()
    {
        Assert.Equal([(0, 1024), (1024, 1124)], FeedForward.Slices(2148));
        Assert.Equal([(0, 1024), (1024, 1024), (2048, 256)], FeedForward.Slices(2304));
        Assert.Equal([(0, 160)], FeedForward.Slices(160));
        Assert.Equal(0, FeedForward.SliceWidth % Gemm.InnerBlock);
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
        public void ReadBlock(string name, int firstRow, int rows, int firstColumn, int columns, Span<float> destination)
        {
            var (data, shape) = tensors[name];
            DecoderWeightsBlock.Check(name, shape, firstRow, rows, firstColumn, columns, destination.Length);
            for (int r = 0; r < rows; r++)
                data.AsSpan((int)((firstRow + r) * shape[1] + firstColumn), columns).CopyTo(destination.Slice(r * columns, columns));
        }
        public void Dispose() { }
    }
}
