using Simile.Engine;

namespace Simile.Tests.Engine;

/// <summary>An <see cref="IDecoderWeights"/> that records the names of the tensors a pass reads (whole or in blocks;
/// the embedding rows a batch looks up are not recorded) and hands out those of <paramref name="inner"/>.</summary>
internal sealed class ReadLog(IDecoderWeights inner) : IDecoderWeights
{
    public readonly List<string> Reads = [];
    public DecoderConfig Config => inner.Config;
    public bool Has(string name) => inner.Has(name);
    public IReadOnlyList<long> Shape(string name) => inner.Shape(name);
    public string StorageType(string name) => inner.StorageType(name);
    public void Read(string name, Span<float> destination) { Reads.Add(name); inner.Read(name, destination); }
    public void ReadRows(string name, ReadOnlySpan<int> rows, Span<float> destination) => inner.ReadRows(name, rows, destination);
    public void ReadBlock(string name, int firstRow, int rows, int firstColumn, int columns, Span<float> destination)
    {
        Reads.Add(name);
        inner.ReadBlock(name, firstRow, rows, firstColumn, columns, destination);
    }
    public void Dispose() { }
}
