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
        int rows = (int)t.RowCount;
        long rowBytes = t.RowBytes;
        if (destination.Length != rowBytes * rows)
            throw new ArgumentException($"'{name}' has {rowBytes * rows} bytes of Q8_0 blocks, destination {destination.Length}");
        int perm = PermutedHeads(name);
        if (perm == 0)
        {
            _file.RowBytes(t, 0, rows).CopyTo(destination);
            return true;
        }
        int hd = rows / perm;
        for (int r = 0; r < rows; r++)
            _file.RowBytes(t, GgufRowOf(r, hd), 1).CopyTo(destination.Slice((int)(r * rowBytes), (int)rowBytes));
        return true;
    }
}
