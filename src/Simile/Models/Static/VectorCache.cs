using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Simile.Models.Static;

/// <summary>
/// Simile's binary cache of a static vector table, made once (e.g. from the GloVe npm JSON) and memory-mapped
/// afterwards. Two files:
/// <list type="bullet">
/// <item><c>NAME.vectors</c>: a 64-byte header, then rows × dims little-endian float32, row-major;</item>
/// <item><c>NAME.words</c>: the words in row order, UTF-8, each followed by '\n'.</item>
/// </list>
/// Header (little-endian): 0 magic "SIMVECS\n" · 8 u32 version (1) · 12 u32 header size (64) · 16 i64 rows ·
/// 24 i32 dims · 28 u32 zero · 32 u64 checksum of the vector data · 40 i64 length of the words file ·
/// 48 u64 checksum of the words file · 56 u64 checksum of header bytes 0..55.
/// A cache whose header, lengths or checksums disagree is "damaged" (<see cref="TryOpen"/> says why) and is
/// re-created by its source. Both files are written under temporary names and moved into place, words first,
/// so the vectors file (which vouches for the words file) appears last.
/// </summary>
public static class VectorCache
{
    public const int HeaderSize = 64;
    public const uint Version = 1;
    private static readonly byte[] Magic = "SIMVECS\n"u8.ToArray();

    /// <summary>A 64-bit checksum over bytes (multiply–rotate over 8-byte words, then the tail); fast enough for hundreds of MB.</summary>
    public static ulong Checksum(ReadOnlySpan<byte> data, ulong seed = 0x9E3779B97F4A7C15UL)
    {
        ulong h = seed ^ (ulong)data.Length;
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (ulong w in words)
        {
            h ^= w * 0xBF58476D1CE4E5B9UL;
            h = ulong.RotateLeft(h, 27) * 0x94D049BB133111EBUL;
        }
        foreach (byte b in data[(words.Length * 8)..])
        {
            h ^= b;
            h *= 0x100000001B3UL;
        }
        return h ^ (h >> 31);
    }

    /// <summary>Incremental checksum over a stream of rows (same value as <see cref="Checksum"/> over the concatenation only when fed in 8-byte multiples; used consistently by writer and reader).</summary>
    private sealed class RunningChecksum
    {
        private ulong _h = 0x9E3779B97F4A7C15UL;
        public void Add(ReadOnlySpan<byte> block)
        {
            _h = ulong.RotateLeft(_h, 13) ^ Checksum(block, _h);
        }
        public ulong Value => _h;
    }

    /// <summary>Writes a cache row by row; <see cref="Commit"/> moves both files into place.</summary>
    public sealed class Writer : IDisposable
    {
        private readonly string _vectorsPath, _wordsPath, _vectorsTemp, _wordsTemp;
        private readonly FileStream _vectors, _words;
        private readonly RunningChecksum _vectorSum = new(), _wordSum = new();
        private readonly byte[] _rowBytes;
        private long _rows, _wordsLength;
        private bool _done;
        public int Dims { get; }
        public long Rows => _rows;

        public Writer(string vectorsPath, string wordsPath, int dims)
        {
            if (dims <= 0) throw new ArgumentOutOfRangeException(nameof(dims));
            _vectorsPath = vectorsPath; _wordsPath = wordsPath; Dims = dims;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(vectorsPath))!);
            string tag = $".tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
            _vectorsTemp = vectorsPath + tag; _wordsTemp = wordsPath + tag;
            Data.TempFiles.Register(_vectorsTemp);
            Data.TempFiles.Register(_wordsTemp);
            _vectors = new FileStream(_vectorsTemp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 20);
            try { _words = new FileStream(_wordsTemp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16); }
            catch
            {
                _vectors.Dispose();
                TryDelete(_vectorsTemp);
                Data.TempFiles.Unregister(_vectorsTemp);
                Data.TempFiles.Unregister(_wordsTemp);
                throw;
            }
            _vectors.Write(new byte[HeaderSize]);
            _rowBytes = new byte[dims * 4];
        }

        public void Add(string word, ReadOnlySpan<float> row)
        {
            if (row.Length != Dims) throw new ArgumentException($"row has {row.Length} values, expected {Dims}");
            if (word.Length == 0 || word.Contains('\n'))
                throw new SimileException($"word {_rows + 1} ('{word.Replace("\n", "\\n")}') is empty or contains a line break", "fix the source file");
            for (int j = 0; j < Dims; j++) BinaryPrimitives.WriteSingleLittleEndian(_rowBytes.AsSpan(j * 4), row[j]);
            _vectors.Write(_rowBytes);
            _vectorSum.Add(_rowBytes);
            var wb = Encoding.UTF8.GetBytes(word + "\n");
            _words.Write(wb);
            _wordSum.Add(wb);
            _wordsLength += wb.Length;
            _rows++;
        }

        public void Commit()
        {
            if (_rows == 0) throw new SimileException("no vectors were read, so no cache was written", "check the source file");
            var header = new byte[HeaderSize];
            Magic.CopyTo(header, 0);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), Version);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), HeaderSize);
            BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(16), _rows);
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(24), Dims);
            BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(32), _vectorSum.Value);
            BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(40), _wordsLength);
            BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(48), _wordSum.Value);
            BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(56), Checksum(header.AsSpan(0, 56)));
            _vectors.Position = 0;
            _vectors.Write(header);
            _vectors.Flush(true); _words.Flush(true);
            _vectors.Dispose(); _words.Dispose();
            Data.TempFiles.Commit(_wordsTemp, () => File.Move(_wordsTemp, _wordsPath, overwrite: true));
            Data.TempFiles.Commit(_vectorsTemp, () => File.Move(_vectorsTemp, _vectorsPath, overwrite: true));
            _done = true;
        }

        public void Dispose()
        {
            _vectors.Dispose(); _words.Dispose();
            if (!_done)
            {
                TryDelete(_vectorsTemp); TryDelete(_wordsTemp);
            }
            Data.TempFiles.Unregister(_vectorsTemp);
            Data.TempFiles.Unregister(_wordsTemp);
        }
    }

    internal static void TryDelete(string path)
    {
        try { if (File.Exists(path)) File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>
    /// Opens a cache, memory-mapping the vectors. Returns null and the reason when either file is missing or damaged
    /// (bad magic/version, lengths that disagree with the header, checksum mismatch when <paramref name="verify"/>).
    /// </summary>
    public static StaticWordVectors? TryOpen(string vectorsPath, string wordsPath, Func<int, int, ModelInfo> info, bool verify, out string? problem)
    {
        problem = null;
        if (!File.Exists(vectorsPath) || !File.Exists(wordsPath)) { problem = "not created yet"; return null; }
        var header = new byte[HeaderSize];
        long fileLength;
        using (var fs = File.OpenRead(vectorsPath))
        {
            fileLength = fs.Length;
            if (fs.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false) < HeaderSize) { problem = "the vectors file is shorter than its header"; return null; }
        }
        if (!header.AsSpan(0, 8).SequenceEqual(Magic)) { problem = "the vectors file does not start with the Simile cache magic"; return null; }
        if (BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(56)) != Checksum(header.AsSpan(0, 56))) { problem = "the header checksum does not match"; return null; }
        if (BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8)) != Version) { problem = "the cache was written by another version of Simile"; return null; }
        long rows = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(16));
        int dims = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(24));
        ulong vectorSum = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(32));
        long wordsLength = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(40));
        ulong wordSum = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(48));
        if (rows <= 0 || rows > int.MaxValue || dims <= 0 || HeaderSize + rows * dims * 4 != fileLength)
        { problem = $"the vectors file has {fileLength} bytes, the header promises {HeaderSize} + {rows} × {dims} × 4"; return null; }
        if (new FileInfo(wordsPath).Length != wordsLength) { problem = $"the words file has {new FileInfo(wordsPath).Length} bytes, the header promises {wordsLength}"; return null; }

        var wordBytes = File.ReadAllBytes(wordsPath);
        if (verify)
        {
            var ws = new RunningChecksum();
            // the writer fed one word (with its '\n') at a time
            for (int s = 0; s < wordBytes.Length;)
            {
                int e = Array.IndexOf(wordBytes, (byte)'\n', s);
                if (e < 0) { problem = "the words file does not end with a line break"; return null; }
                ws.Add(wordBytes.AsSpan(s, e + 1 - s));
                s = e + 1;
            }
            if (ws.Value != wordSum) { problem = "the words file checksum does not match"; return null; }
        }
        var words = new List<string>((int)rows);
        var text = Encoding.UTF8.GetString(wordBytes);
        int start = 0;
        for (int i = text.IndexOf('\n'); i >= 0; start = i + 1, i = text.IndexOf('\n', start)) words.Add(text[start..i]);
        if (words.Count != rows) { problem = $"the words file holds {words.Count} words, the header promises {rows}"; return null; }

        var store = new MappedRowStore(vectorsPath, HeaderSize, (int)rows, dims);
        try
        {
            if (verify)
            {
                var vs = new RunningChecksum();
                for (int r = 0; r < rows; r++) vs.Add(MemoryMarshal.AsBytes(store.Row(r)));
                if (vs.Value != vectorSum) { problem = "the vector data checksum does not match"; store.Dispose(); return null; }
            }
            return new StaticWordVectors(info((int)rows, dims), words, store);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>True when both files exist and the header agrees with the file lengths (no checksum pass).</summary>
    public static bool LooksComplete(string vectorsPath, string wordsPath)
    {
        using var v = TryOpen(vectorsPath, wordsPath, (r, d) => new ModelInfo("", "static", r, d, 0, 0, "", "", null, true), verify: false, out _);
        return v is not null;
    }
}
