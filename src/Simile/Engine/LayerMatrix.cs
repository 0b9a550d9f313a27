namespace Simile.Engine;

/// <summary>
/// One projection of a block, y [n × Out] = x [n × In] · Wᵀ with W [Out × In] (nn.Linear layout), whose rows are one or
/// more stored tensors stacked (e.g. q_proj | k_proj | v_proj, or Phi-3's fused qkv_proj). <see cref="Load"/> points it
/// at a layer's tensors; the same object serves every layer.
/// <list type="bullet">
/// <item>Float32: W is never held whole. Each product widens (or dequantizes) W a block at a time into a scratch
/// buffer the layer's projections share (rows of W, or for <see cref="ProjectColumns"/> all rows of a slice of its
/// columns; <see cref="LlamaModel.ScratchFloats"/>) and multiplies that block at once, so a layer's float32 weights
/// cost one scratch buffer, not 4 · Out · In bytes per projection.</item>
/// <item>Integer: the stored quantized blocks of the whole projection, multiplied as llama.cpp does
/// (<see cref="IntegerProjection"/>: Q8_0 through <see cref="Q8Gemm"/>, Q4_K/Q5_K/Q6_K through <see cref="KQuantGemm"/>).</item>
/// </list>
/// </summary>
public sealed class LayerMatrix
{
    public int Out { get; }
    public int In { get; }
    private readonly float[] _scratch = [];           // float32 path: the widened block, shared with the layer's other projections
    private IDecoderWeights? _source;                 // float32 path: the loaded tensors, read block by block
    private (string Name, int FirstRow, int Rows)[] _parts = [];   // W's rows: these row ranges of stored tensors, in order
    private readonly IntegerProjection? _integer;     // [Out × In] integer path
    private byte[] _blocks = [];                      // one part's blocks as read
    private readonly IntegerProjection.Activations _x = new();   // activations quantised for the integer path

    /// <summary>A projection [<paramref name="outDim"/> × <paramref name="inDim"/>]. Float32 (<paramref name="integer"/>
    /// None) needs <paramref name="scratch"/>, at least one row (In floats); its size sets the blocks W is widened in.</summary>
    public LayerMatrix(int outDim, int inDim, IntegerProductKind integer = IntegerProductKind.None, float[]? scratch = null)
    {
        Out = outDim; In = inDim;
        if (integer != IntegerProductKind.None) { _integer = new IntegerProjection(integer, outDim, inDim); return; }
        _scratch = scratch ?? throw new ArgumentNullException(nameof(scratch), "a float32 projection widens its weights into a scratch buffer");
        if (inDim > 0 && scratch.Length < inDim) throw new ArgumentException($"a scratch of {scratch.Length} floats holds no row of {inDim}", nameof(scratch));
    }

    /// <summary>Points W at the named tensors' rows one after another (their row counts must add up to Out);
    /// the integer path copies their blocks now, the float32 path reads them during each product.</summary>
    public void Load(IDecoderWeights weights, params string[] parts)
    {
        var list = new (string, int, int)[parts.Length];
        for (int i = 0; i < parts.Length; i++) list[i] = (parts[i], 0, checked((int)weights.Shape(parts[i])[0]));
        if (_integer is not null)
        {
            int row = 0;
            foreach (var (name, _, rows) in list) { _integer.Load(weights, name, row, rows, ref _blocks); row += rows; }
        }
        Point(weights, list);
    }

    /// <summary>Points W (float32 only) at row ranges of stored tensors, one after another: part p is rows
    /// [FirstRow, FirstRow + Rows) of tensor Name (e.g. GPT-NeoX's fused q/k/v rows regrouped head by head).</summary>
    public void Load(IDecoderWeights weights, IReadOnlyList<(string Name, int FirstRow, int Rows)> parts)
    {
        if (_integer is not null) throw new NotSupportedException("row ranges of stored tensors are read as float32 only");
        Point(weights, [.. parts]);
    }

    private void Point(IDecoderWeights weights, (string Name, int FirstRow, int Rows)[] parts)
    {
        int total = 0;
        foreach (var (name, first, rows) in parts)
        {
            if (first < 0 || rows < 0 || first + (long)rows > weights.Shape(name)[0])
                throw new InvalidOperationException($"rows {first}..{first + rows} are not inside '{name}' ({weights.Shape(name)[0]} rows)");
            total += rows;
        }
        if (total != Out) throw new InvalidOperationException($"{string.Join(" + ", parts.Select(p => p.Name).Distinct())} have {total} rows, expected {Out}");
        _source = weights;
        _parts = parts;
    }

    /// <summary>True when W is read as float32 (not integer blocks): then rows and columns of it can be multiplied
    /// alone (<see cref="ProjectRows"/>, <see cref="ProjectColumns"/>).</summary>
    public bool IsFloat32 => _integer is null;

    /// <summary>W[first … first + rows) × columns [firstColumn, + columns) as float32 into the front of the scratch,
    /// across the stacked parts.</summary>
    private Span<float> Widen(int first, int rows, int firstColumn, int columns)
    {
        var block = _scratch.AsSpan(0, rows * columns);
        int partStart = 0;                                        // the row of W where the part begins
        foreach (var (name, sourceFirst, partRows) in _parts)
        {
            int from = Math.Max(first, partStart), to = Math.Min(first + rows, partStart + partRows);
            if (from < to)
                _source!.ReadBlock(name, sourceFirst + from - partStart, to - from, firstColumn, columns,
                    block.Slice((from - first) * columns, (to - from) * columns));
            partStart += partRows;
        }
        return block;
    }

    /// <summary>y [n × rows] (row stride ldy) = x [n × In] · W[first … first + rows)ᵀ: some outputs only (float32),
    /// widened and multiplied as many rows at a time as the scratch holds.</summary>
    public void ProjectRows(float[] x, int n, int first, int rows, Span<float> y, int ldy)
    {
        int step = Math.Max(1, _scratch.Length / Math.Max(1, In));
        for (int r = 0; r < rows; r += step)
        {
            int m = Math.Min(step, rows - r);
            var w = Widen(first + r, m, 0, In);
            Gemm.Multiply(x, In, w, In, y[r..], ldy, n, m, In, transposeB: true);
        }
    }

    /// <summary>y [n × Out] = x [n × cols] · W[:, first … first + cols)ᵀ + beta · y: the part of the inner sum over some
    /// inputs (float32). Parts split at multiples of <see cref="Gemm.InnerBlock"/>, the first with beta 0 and the rest
    /// with beta 1, sum to the bits of <see cref="Project"/>.</summary>
    public void ProjectColumns(float[] x, int n, int first, int cols, float[] y, float beta)
    {
        int step = Math.Max(1, _scratch.Length / Math.Max(1, cols));
        for (int r = 0; r < Out; r += step)
        {
            int m = Math.Min(step, Out - r);
            var w = Widen(r, m, first, cols);
            Gemm.Multiply(x, cols, w, cols, y.AsSpan(r), Out, n, m, cols, transposeB: true, beta: beta);
        }
    }

    /// <summary>y [n × Out] = x [n × In] · Wᵀ.</summary>
    public void Project(float[] x, float[] y, int n)
    {
        if (_integer is null)
        {
            ProjectRows(x, n, 0, Out, y, Out);
            return;
        }
        _integer.Multiply(x, n, y, _x);
    }
}
