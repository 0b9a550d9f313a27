using Simile.Engine;

namespace Simile.Models.Gguf;

public sealed partial class GgufDecoderWeights : IQuantizedDecoderWeights
{
    /// <summary>
    /// Q8_0 tensors as their raw blocks, rows in HF order: the q/k row permutation of llama-architecture files moves
    /// whole rows, and Q8_0 blocks never straddle rows, so undoing it on rows of blocks is exact.
    /// </summary>
    public bool TryReadQ8_0(string name, Span<byte> destination)
    {
        var t = Info(name);
        if (t.Type != GgmlType.Q8_0 || t.Dims.Length != 2) return false;
        CopyBlockRows(name, t, destination);
        return true;
    }

    /// <summary>The k-quant type of a 2-D tensor stored as Q4_K, Q5_K or Q6_K; null otherwise.</summary>
    public KQuantType? KQuantTypeOf(string name)
    {
        var t = Info(name);
        if (t.Dims.Length != 2) return null;
        return t.Type switch
        {
            GgmlType.Q4_K => KQuantType.Q4_K,
            GgmlType.Q5_K => KQuantType.Q5_K,
            GgmlType.Q6_K => KQuantType.Q6_K,
            _ => null,
        };
    }

    /// <summary>K-quant tensors as their raw blocks, rows in HF order (super-blocks of 256 never straddle rows either).</summary>
    public bool TryReadKQuant(string name, Span<byte> destination)
    {
        var t = Info(name);
        if (KQuantTypeOf(name) is null) return false;
        CopyBlockRows(name, t, destination);
        return true;
    }

    private void CopyBlockRows(string name, GgufTensorInfo t, Span<byte> destination)
    {
        int rows = (int)t.RowCount;
        long rowBytes = t.RowBytes;
        if (destination.Length != rowBytes * rows)
            throw new ArgumentException($"'{name}' has {rowBytes * rows} bytes of {t.Type} blocks, destination {destination.Length}");
        int perm = PermutedHeads(name);
        if (perm == 0)
        {
            _file.RowBytes(t, 0, rows).CopyTo(destination);
            return;
        }
        int hd = rows / perm;
        for (int r = 0; r < rows; r++)
            _file.RowBytes(t, GgufRowOf(r, hd), 1).CopyTo(destination.Slice((int)(r * rowBytes), (int)rowBytes));
    }
}
