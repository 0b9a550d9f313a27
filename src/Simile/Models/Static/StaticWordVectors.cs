using System.IO.MemoryMappedFiles;
using Simile.Data;

namespace Simile.Models.Static;

/// <summary>Where the rows of a static vector table live: an in-memory array or a memory-mapped cache file.</summary>
public interface IRowStore : IDisposable
{
    int Rows { get; }
    int Dims { get; }
    /// <summary>Row i, [Dims] float32.</summary>
    ReadOnlySpan<float> Row(int i);
}

/// <summary>Rows in a float32 array, row-major [rows × dims].</summary>
public sealed class ArrayRowStore(float[] values, int rows, int dims) : IRowStore
{
    public int Rows => rows;
    public int Dims => dims;
    public ReadOnlySpan<float> Row(int i) => values.AsSpan(checked(i * dims), dims);
    public void Dispose() { }
}

/// <summary>Rows read straight from a memory-mapped file region of rows × dims little-endian float32.</summary>
public sealed unsafe class MappedRowStore : IRowStore
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private bool _disposed;
    public int Rows { get; }
    public int Dims { get; }

    public MappedRowStore(string path, long dataOffset, int rows, int dims)
    {
        Rows = rows; Dims = dims;
        _file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        _view = _file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* p = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _base = p + _view.PointerOffset + dataOffset;
    }

    /// <summary>The whole data region as bytes (for checksums).</summary>
    public ReadOnlySpan<byte> DataBytes(long start, int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new ReadOnlySpan<byte>(_base + start, length);
    }

    public ReadOnlySpan<float> Row(int i)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if ((uint)i >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(i));
        return new ReadOnlySpan<float>(_base + (long)i * Dims * 4, Dims);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}

/// <summary>
/// One vector per word from a static table (GloVe, word2vec, .npy + vocabulary). Lookup rule: the word exactly as
/// given; if absent, its invariant lower-case form (GloVe's vocabularies are all lower-case, so "Galaxy" finds
/// "galaxy"; a table that holds both "Apple" and "apple" keeps them apart). Duplicate entries: the first one wins.
/// </summary>
public sealed class StaticWordVectors : IWordEmbeddings
{
    private readonly IReadOnlyList<string> _words;
    private readonly Dictionary<string, int> _index;
    private readonly IRowStore _rows;
    private readonly List<string> _unique;

    public ModelInfo Info { get; }
    public (int Rows, int Cols) Shape => (_rows.Rows, _rows.Dims);
    public IRowStore Rows => _rows;

    public StaticWordVectors(ModelInfo info, IReadOnlyList<string> words, IRowStore rows)
    {
        if (words.Count != rows.Rows) throw new ArgumentException($"{words.Count} words for {rows.Rows} rows");
        Info = info; _words = words; _rows = rows;
        _index = new Dictionary<string, int>(words.Count, StringComparer.Ordinal);
        _unique = new List<string>(words.Count);
        for (int i = 0; i < words.Count; i++)
            if (_index.TryAdd(words[i], i)) _unique.Add(words[i]);
    }

    public string WordAt(int row) => _words[row];

    public bool TryFind(string word, out int row) =>
        _index.TryGetValue(word, out row) || _index.TryGetValue(word.ToLowerInvariant(), out row);

    public WordTokens Tokenize(string word) =>
        TryFind(word, out int row)
            ? new WordTokens(word, true, [row], [_words[row]])
            : new WordTokens(word, false, [], []);

    public VectorSet Vectors(IReadOnlyList<string> words, SubwordPolicy policy) =>
        EmbeddingLookup.Build(this, words, policy, _rows.Rows, _rows.Dims, _rows.Row, Info.Name);

    public IReadOnlyList<string> VocabularyWords() => _unique;

    public void Dispose() => _rows.Dispose();
}
