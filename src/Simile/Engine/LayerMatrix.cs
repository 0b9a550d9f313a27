namespace Simile.Engine;

/// <summary>
/// One projection of a block, y [n × Out] = x [n × In] · Wᵀ with W [Out × In] (nn.Linear layout), whose rows are one or
/// more stored tensors stacked (e.g. q_proj | k_proj | v_proj, or Phi-3's fused qkv_proj). The buffer is reused for
/// every layer: <see cref="Load"/> overwrites it from the weight source. Float32 (weights widened / dequantized), or the
/// stored quantized blocks multiplied in integers as llama.cpp does (<see cref="IntegerProjection"/>: Q8_0 through
/// <see cref="Q8Gemm"/>, Q4_K/Q5_K/Q6_K through <see cref="KQuantGemm"/>).
/// </summary>
public sealed class LayerMatrix
{
    public int Out { get; }
    public int In { get; }
    private readonly float[] _w = [];                 // [Out × In] float32 path
    private readonly IntegerProjection? _integer;     // [Out × In] integer path
    private byte[] _blocks = [];                      // one part's blocks as read
    private readonly IntegerProjection.Activations _x = new();   // activations quantised for the integer path

    public LayerMatrix(int outDim, int inDim, IntegerProductKind integer = IntegerProductKind.None)
    {
        Out = outDim; In = inDim;
        if (integer != IntegerProductKind.None) _integer = new IntegerProjection(integer, outDim, inDim);
        else _w = new float[(long)outDim * inDim];
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
            if (_integer is not null) _integer.Load(weights, name, row, rows, ref _blocks);
            else weights.Read(name, _w.AsSpan(row * In, rows * In));
            row += rows;
        }
        if (row != Out) throw new InvalidOperationException($"{string.Join(" + ", parts)} have {row} rows, expected {Out}");
    }

    /// <summary>True when W is held as float32 (not integer blocks): then rows and columns of it can be multiplied
    /// alone (<see cref="ProjectRows"/>, <see cref="ProjectColumns"/>).</summary>
    public bool IsFloat32 => _integer is null;

    /// <summary>y [n × rows] (row stride ldy) = x [n × In] · W[first … first + rows)ᵀ: some outputs only (float32).</summary>
    public void ProjectRows(float[] x, int n, int first, int rows, Span<float> y, int ldy) =>
        Gemm.Multiply(x, In, _w.AsSpan(first * In), In, y, ldy, n, rows, In, transposeB: true);

    /// <summary>y [n × Out] = x [n × cols] · W[:, first … first + cols)ᵀ + beta · y: the part of the inner sum over some
    /// inputs (float32). Parts split at multiples of <see cref="Gemm.InnerBlock"/>, the first with beta 0 and the rest
    /// with beta 1, sum to the bits of <see cref="Project"/>.</summary>
    public void ProjectColumns(float[] x, int n, int first, int cols, float[] y, float beta) =>
        Gemm.Multiply(x, cols, _w.AsSpan(first), In, y, Out, n, Out, cols, transposeB: true, beta: beta);

    /// <summary>y [n × Out] = x [n × In] · Wᵀ.</summary>
    public void Project(float[] x, float[] y, int n)
    {
        if (_integer is null)
        {
            Gemm.Multiply(x, _w, y, n, Out, In, transposeB: true);
            return;
        }
        _integer.Multiply(x, n, y, _x);
    }
}
