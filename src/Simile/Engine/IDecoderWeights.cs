namespace Simile.Engine;

/// <summary>
/// Where a decoder's weights come from (a safetensors folder, a GGUF file). Tensors are addressed by their
/// Hugging Face names and shapes (numpy order, Linear weights [out × in]) whatever the storage:
/// <c>model.embed_tokens.weight</c>, <c>model.layers.{i}.self_attn.{q,k,v,o}_proj.{weight,bias}</c>,
/// <c>model.layers.{i}.self_attn.{q,k}_norm.weight</c>, <c>model.layers.{i}.{input,post_attention}_layernorm.weight</c>,
/// <c>model.layers.{i}.mlp.{gate,up,down}_proj.weight</c>, <c>model.norm.weight</c>.
/// A GGUF source maps its names onto these and undoes llama.cpp's q/k row permutation.
/// Values are handed out as float32 (dequantized / widened on the fly), so that a caller can convert one layer at a
/// time into a reused buffer while the file stays memory-mapped.
/// </summary>
public interface IDecoderWeights : IDisposable
{
    DecoderConfig Config { get; }

    bool Has(string name);

    /// <summary>Shape in numpy order (HF layout).</summary>
    IReadOnlyList<long> Shape(string name);

    /// <summary>Storage type as the file names it: "F32", "F16", "BF16", "Q8_0", "Q4_K", …</summary>
    string StorageType(string name);

    /// <summary>The whole tensor as float32 in HF layout; <paramref name="destination"/> has exactly its element count.</summary>
    void Read(string name, Span<float> destination);

    /// <summary>Selected rows of a 2-D tensor (e.g. the embedding rows of some token ids), each Shape[1] floats.</summary>
    void ReadRows(string name, ReadOnlySpan<int> rows, Span<float> destination);

    /// <summary>
    /// A block of a 2-D tensor as float32, row after row: rows [firstRow, firstRow + rows) × columns [firstColumn,
    /// firstColumn + columns), so [rows × columns] values (e.g. some rows of a projection, or the columns of a slice of
    /// the feed-forward width). Only those values are read. A quantized tensor is read in whole blocks: the columns must
    /// start at a block boundary and end at one or at the row's end (<see cref="DecoderWeightsBlock.Check"/>).
    /// </summary>
    void ReadBlock(string name, int firstRow, int rows, int firstColumn, int columns, Span<float> destination);
}

/// <summary>The argument checks every <see cref="IDecoderWeights.ReadBlock"/> makes.</summary>
public static class DecoderWeightsBlock
{
    /// <summary>Throws unless [firstRow, +rows) × [firstColumn, +columns) lies inside the 2-D <paramref name="shape"/>,
    /// the destination holds exactly rows × columns values, and (for <paramref name="blockSize"/> &gt; 1) the columns
    /// start at a multiple of the block size and end at one or at the row's end.</summary>
    public static void Check(string name, IReadOnlyList<long> shape, int firstRow, int rows, int firstColumn, int columns,
        int destinationLength, int blockSize = 1)
    {
        if (shape.Count != 2) throw new ArgumentException($"'{name}' is not 2-D ([{string.Join(", ", shape)}])");
        if (firstRow < 0 || rows < 0 || firstRow + (long)rows > shape[0] || firstColumn < 0 || columns < 0 || firstColumn + (long)columns > shape[1])
            throw new ArgumentOutOfRangeException(nameof(firstRow),
                $"rows {firstRow}..{firstRow + (long)rows} × columns {firstColumn}..{firstColumn + (long)columns} are not inside '{name}' [{shape[0]}, {shape[1]}]");
        if (destinationLength != (long)rows * columns)
            throw new ArgumentException($"{rows} × {columns} values of '{name}' do not fit a destination of {destinationLength}");
        if (blockSize > 1 && (firstColumn % blockSize != 0 || ((firstColumn + columns) % blockSize != 0 && firstColumn + columns != shape[1])))
            throw new ArgumentException($"columns {firstColumn}..{firstColumn + columns} of '{name}' do not start and end on its blocks of {blockSize} values");
    }
}
