namespace Simile.Engine;

/// <summary>
/// One projection of a block, y [n × Out] = x [n × In] · Wᵀ with W [Out × In] (nn.Linear layout), whose rows are one or
/// more stored tensors stacked (e.g. q_proj | k_proj | v_proj, or Phi-3's fused qkv_proj). The buffer is reused for
/// every layer: <see cref="Load"/> overwrites it from the weight source. Float32 (weights widened / dequantized), or
/// with <c>quantized</c> the stored ggml Q8_0 blocks multiplied in int8 by <see cref="Q8Gemm"/> (what llama.cpp computes).
/// </summary>
public sealed class LayerMatrix
{
    public int Out { get; }
    public int In { get; }
    private readonly float[] _w = [];                 // [Out × In] float32 path
    private readonly Q8Matrix? _q8;                   // [Out × In] int8 path
    private readonly byte[] _blocks = [];             // one part's Q8_0 blocks as read
    private readonly Q8Activations _x = new();        // activations quantised for the int8 path

    public LayerMatrix(int outDim, int inDim, bool quantized = false)
    {
        Out = outDim; In = inDim;
        if (quantized)
        {
            _q8 = new Q8Matrix(outDim, inDim);
            _blocks = new byte[Q8Matrix.BlockBytesOf(outDim, inDim)];
        }
        else
            _w = new float[(long)outDim * inDim];
    }

    /// <summary>Bytes of the buffer (float32: 4 · Out · In).</summary>
    public static long Float32Bytes(long outDim, long inDim) => 4 * outDim * inDim;

    /// <summary>Fills W with the named tensors' rows one after another (their row counts must add up to Out).</summary>
    public void Load(IDecoderWeights weights, params string[] parts)
    {
        int row = 0;
        foreach (string name in parts)
        {
            int rows = checked((int)weights.Shape(name)[0]);
            if (_q8 is not null)
            {
                var span = _blocks.AsSpan(0, (int)Q8Matrix.BlockBytesOf(rows, In));
                if (!(weights is IQuantizedDecoderWeights qw && qw.TryReadQ8_0(name, span)))
                    throw new InvalidOperationException($"'{name}' is not Q8_0");
                _q8.SetRows(row, rows, span);
            }
            else
                weights.Read(name, _w.AsSpan(row * In, rows * In));
            row += rows;
        }
        if (row != Out) throw new InvalidOperationException($"{string.Join(" + ", parts)} have {row} rows, expected {Out}");
    }

    /// <summary>y [n × Out] = x [n × In] · Wᵀ.</summary>
    public void Project(float[] x, float[] y, int n)
    {
        if (_q8 is null)
        {
            Gemm.Multiply(x, _w, y, n, Out, In, transposeB: true);
            return;
        }
        _x.Quantize(x, n, In);
        Q8Gemm.Multiply(_x, _q8, y, Out);
    }

    /// <summary>True when every named tensor is stored Q8_0 and the inner size is whole blocks (the int8 path applies).</summary>
    public static bool AllQ8_0(IDecoderWeights weights, IEnumerable<(string Name, int In)> tensors) =>
        weights is IQuantizedDecoderWeights
        && tensors.All(t => t.In % Q8Gemm.BlockValues == 0 && weights.StorageType(t.Name) == "Q8_0");
}
