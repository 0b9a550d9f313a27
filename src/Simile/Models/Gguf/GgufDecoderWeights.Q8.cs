using Simile.Engine;

namespace Simile.Models.Gguf;

public sealed partial class GgufDecoderWeights : IQuantizedDecoderWeights
{
    /// <summary>
    /// Q8_0 tensors as their raw blocks, rows in HF order: the q/k row permutation of llama-architecture files moves
    /// whole rows, and Q8_0 blocks never straddle rows, so undoing it on rows of blocks is exact. An expert's matrix is
    /// its rows of the merged expert tensor.
    /// </summary>
    public bool TryReadQ8_0(string name, Span<byte> destination)
    {
        var (t, first, rows) = StoredRows(name);
        if (t.Type != GgmlType.Q8_0 || rows == 0) return false;
        CopyBlockRows(name, t, first, rows, destination);
        return true;
    }

    /// <summary>The k-quant type of a matrix (a 2-D tensor or an expert's rows) stored as Q4_K, Q5_K or Q6_K; null otherwise.</summary>
    public KQuantType? KQuantTypeOf(string name) => StoredRows(name).Tensor.Type switch
    {
        _ when !IsMatrix(name) => null,
        GgmlType.Q4_K => KQuantType.Q4_K,
        GgmlType.Q5_K => KQuantType.Q5_K,
        GgmlType.Q6_K => KQuantType.Q6_K,
        _ => null,
    };

    /// <summary>K-quant matrices as their raw blocks, rows in HF order (super-blocks of 256 never straddle rows either).</summary>
    public bool TryReadKQuant(string name, Span<byte> destination)
    {
        if (KQuantTypeOf(name) is null) return false;
        var (t, first, rows) = StoredRows(name);
        CopyBlockRows(name, t, first, rows, destination);
        return true;
    }

    private bool IsMatrix(string name) => ExpertSlice(name) is not null || Info(name).Dims.Length == 2;

    /// <summary>The stored tensor behind a matrix and its rows there: an expert's rows of the merged [E × rows × K]
    /// tensor, else the whole 2-D tensor (other shapes: no rows).</summary>
    private (GgufTensorInfo Tensor, long FirstRow, int Rows) StoredRows(string name)
    {
        if (ExpertSlice(name) is var (t, e)) return (t, (long)e * t.Dims[1], checked((int)t.Dims[1]));
        var whole = Info(name);
        return (whole, 0, whole.Dims.Length == 2 ? checked((int)whole.RowCount) : 0);
    }

    private void CopyBlockRows(string name, GgufTensorInfo t, long first, int rows, Span<byte> destination)
    {
        long rowBytes = t.RowBytes;
        if (rows == 0 || destination.Length != rowBytes * rows)
            throw new ArgumentException($"'{name}' has {rowBytes * rows} bytes of {t.Type} blocks, destination {destination.Length}");
        int perm = PermutedHeads(name);
        if (perm == 0)
        {
            _file.RowBytes(t, first, rows).CopyTo(destination);
            return;
        }
        int hd = rows / perm;
        for (int r = 0; r < rows; r++)
            _file.RowBytes(t, first + GgufRowOf(r, hd), 1).CopyTo(destination.Slice((int)(r * rowBytes), (int)rowBytes));
    }
}
