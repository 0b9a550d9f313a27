using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Simile.Data;

namespace Simile.Models.Static;

/// <summary>
/// Readers of word-vector files into <see cref="StaticWordVectors"/> (everything in memory, float32):
/// <list type="bullet">
/// <item>word2vec text (.txt/.vec): first line "count dims", then "word v1 … vd" per line;</item>
/// <item>GloVe text (.txt): the same lines without the header (dims from the first line);</item>
/// <item>word2vec binary (.bin): "count dims\n", then per word: the word's UTF-8 bytes, a space, dims little-endian float32 (an optional newline after each vector);</item>
/// <item>.npy (float32/float64, 2-D, read by <see cref="NpyFile"/>) plus a vocabulary file with one word per line, in row order.</item>
/// </list>
/// A word may contain spaces in text formats: the last dims fields of a line are the values, the rest is the word.
/// Problems name the file, line and column.
/// </summary>
public static class StaticVectorFiles
{
    /// <summary>Picks the reader by extension (.bin, .npy) or by the first line (a "count dims" header means word2vec text, else GloVe text).</summary>
    public static StaticWordVectors Open(string path, string? vocabularyPath = null)
    {
        if (!File.Exists(path)) throw new SimileException($"vector file '{path}' does not exist", "check the path");
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext == ".bin") return ReadWord2VecBinary(path);
        if (ext == ".npy") return ReadNpy(path, vocabularyPath ?? FindVocabulary(path));
        using (var r = new StreamReader(path, Encoding.UTF8))
        {
            var first = r.ReadLine();
            if (first is not null && IsHeader(first, out _, out _)) return ReadWord2VecText(path);
        }
        return ReadGloveText(path);
    }

    /// <summary>For X.npy: X.vocab, X.words, X.txt, X.vocab.txt, X.words.txt, then vocab.txt / words.txt in the same folder.</summary>
    public static string FindVocabulary(string npyPath)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(npyPath))!, stem = Path.GetFileNameWithoutExtension(npyPath);
        string[] candidates = [stem + ".vocab", stem + ".words", stem + ".txt", stem + ".vocab.txt", stem + ".words.txt", "vocab.txt", "words.txt"];
        foreach (var c in candidates)
        {
            var p = Path.Combine(dir, c);
            if (File.Exists(p)) return p;
        }
        throw new SimileException($"no vocabulary file found for {npyPath} (looked for {string.Join(", ", candidates)})",
            "put a file with one word per line (in row order) next to the .npy, named like " + stem + ".vocab");
    }

    private static bool IsHeader(string line, out long count, out int dims)
    {
        count = 0; dims = 0;
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out count)
               && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out dims);
    }

    public static StaticWordVectors ReadWord2VecText(string path) => ReadText(path, header: true);

    public static StaticWordVectors ReadGloveText(string path) => ReadText(path, header: false);

    private static StaticWordVectors ReadText(string path, bool header)
    {
        using var reader = new StreamReader(path, new UTF8Encoding(false, true));
        var words = new List<string>();
        var values = new List<float>();
        long expected = -1; int dims = -1; int lineNo = 0;
        string? line;
        try
        {
            if (header)
            {
                line = reader.ReadLine(); lineNo++;
                if (line is null || !IsHeader(line, out expected, out dims) || dims <= 0)
                    throw new SimileException($"{path}, line 1: expected a word2vec header \"count dims\", found \"{Shorten(line ?? "")}\"",
                        "use a word2vec text file, or a GloVe text file (no header)");
                if (expected > int.MaxValue) throw new SimileException($"{path}, line 1: {expected} words is more than Simile can hold", "use a smaller file");
                // every value takes at least two bytes ("0 "): a header that promises more than the file can hold is refused
                // before anything is sized by it
                long fileLength = LinkedFile.Length(path);   // through a symbolic link: the file's size
                if (expected * dims > fileLength / 2)
                    throw new SimileException($"{path}, line 1: the header says {expected} words × {dims} dims, more than the file's {fileLength} bytes can hold",
                        "fix the header (first line: word count, then dimensions) or restore the truncated file");
                values.Capacity = (int)Math.Min(expected * dims, 1 << 24);
            }
            while ((line = reader.ReadLine()) is not null)
            {
                lineNo++;
                if (line.Length == 0 || line.AsSpan().Trim().Length == 0) continue;
                line = line.TrimEnd(' ', '\t', '\r');
                // fields: the last `dims` space-separated fields are numbers; the rest is the word
                var fields = SplitFields(line);
                if (dims < 0)
                {
                    dims = fields.Count - 1;
                    if (dims < 1) throw new SimileException($"{path}, line {lineNo}: a line needs a word and at least one value", "check the file format (word v1 v2 … per line)");
                }
                if (fields.Count < dims + 1)
                    throw new SimileException($"{path}, line {lineNo}: {fields.Count - 1} values, expected {dims}",
                        "every line must hold a word followed by the same number of values");
                int firstValue = fields.Count - dims;
                string word = line[..(fields[firstValue - 1].Start + fields[firstValue - 1].Length)];
                words.Add(word);
                for (int k = firstValue; k < fields.Count; k++)
                {
                    var (s, l) = fields[k];
                    if (!float.TryParse(line.AsSpan(s, l), NumberStyles.Float, CultureInfo.InvariantCulture, out float v))
                        throw new SimileException($"{path}, line {lineNo}, column {s + 1}: \"{Shorten(line.Substring(s, l))}\" is not a number (word '{word}')",
                            "fix or remove that line");
                    values.Add(v);
                }
            }
        }
        catch (DecoderFallbackException)
        {
            throw new SimileException($"{path}, line {lineNo + 1}: not valid UTF-8", "convert the file to UTF-8");
        }
        if (words.Count == 0) throw new SimileException($"{path} holds no vectors", "check the file");
        if (header && words.Count != expected)
            throw new SimileException($"{path}: the header says {expected} words but the file holds {words.Count}",
                "fix the header's count (first line) or restore the missing lines");
        var info = FileInfo(path, words.Count, dims);
        return new StaticWordVectors(info, words, new ArrayRowStore(values.ToArray(), words.Count, dims));
    }

    private static List<(int Start, int Length)> SplitFields(string line)
    {
        var list = new List<(int, int)>();
        int i = 0;
        while (i < line.Length)
        {
            while (i < line.Length && (line[i] == ' ' || line[i] == '\t')) i++;
            int s = i;
            while (i < line.Length && line[i] != ' ' && line[i] != '\t') i++;
            if (i > s) list.Add((s, i - s));
        }
        return list;
    }

    public static StaticWordVectors ReadWord2VecBinary(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int pos = 0;
        int nl = Array.IndexOf(bytes, (byte)'\n');
        string headerLine = nl < 0 ? "" : Encoding.ASCII.GetString(bytes, 0, nl).TrimEnd('\r');
        if (nl < 0 || !IsHeader(headerLine, out long count, out int dims) || dims <= 0)
            throw new SimileException($"{path}: expected a word2vec binary header \"count dims\" on the first line", "use a word2vec .bin file");
        // count and dims are checked against the file length before their product sizes anything (no overflow: both ≤ the length)
        if (count > bytes.LongLength || dims > bytes.LongLength || count * (dims * 4L + 2) > bytes.LongLength)
            throw new SimileException($"{path}: the header says {count} words × {dims} dims but the file has only {bytes.Length} bytes (truncated?)",
                "re-download or re-export the file");
        pos = nl + 1;
        var words = new List<string>((int)count);
        var values = new float[count * dims];
        var utf8 = new UTF8Encoding(false, true);
        for (int w = 0; w < count; w++)
        {
            while (pos < bytes.Length && (bytes[pos] == '\n' || bytes[pos] == '\r' || bytes[pos] == ' ')) pos++;
            int start = pos;
            while (pos < bytes.Length && bytes[pos] != ' ') pos++;
            if (pos >= bytes.Length)
                throw new SimileException($"{path}: the file ends inside word {w + 1} of {count} (byte {start})", "re-download or re-export the file");
            string word;
            try { word = utf8.GetString(bytes, start, pos - start); }
            catch (DecoderFallbackException) { throw new SimileException($"{path}: word {w + 1} at byte {start} is not valid UTF-8", "re-export the file with UTF-8 words"); }
            pos++;   // the space
            if (bytes.Length - pos < dims * 4)
                throw new SimileException($"{path}: the file ends inside the vector of word {w + 1} ('{word}') at byte {pos}", "re-download or re-export the file");
            for (int j = 0; j < dims; j++, pos += 4)
                values[(long)w * dims + j] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(pos, 4));
            words.Add(word);
        }
        return new StaticWordVectors(FileInfo(path, (int)count, dims), words, new ArrayRowStore(values, (int)count, dims));
    }

    public static StaticWordVectors ReadNpy(string npyPath, string vocabularyPath)
    {
        var array = NpyFile.Read(npyPath);
        if (array.Shape.Length != 2)
            throw new SimileException($"{npyPath}: array shape {NpyFile.ShapeText(array.Shape)}; static vectors need a 2-D (words, dims) matrix",
                "save the table as a 2-D array with numpy.save (one row per word)");
        int rows = array.Shape[0], dims = array.Shape[1];
        // [rows, dims] row-major float32; float64 files are narrowed once here
        float[] values = array.Float32 ?? Array.ConvertAll(array.Float64!, v => (float)v);
        if (!File.Exists(vocabularyPath)) throw new SimileException($"vocabulary file '{vocabularyPath}' does not exist", "give one word per line, in row order");
        var words = File.ReadAllLines(vocabularyPath, Encoding.UTF8).Select(l => l.TrimEnd('\r')).ToList();
        while (words.Count > rows && words[^1].Length == 0) words.RemoveAt(words.Count - 1);
        if (words.Count != rows)
            throw new SimileException($"{vocabularyPath} has {words.Count} words but {npyPath} has {rows} rows",
                "the vocabulary file needs exactly one word per row of the matrix, in the same order");
        int empty = words.FindIndex(w => w.Length == 0);
        if (empty >= 0) throw new SimileException($"{vocabularyPath}, line {empty + 1}: empty word", "give one word per line");
        return new StaticWordVectors(FileInfo(npyPath, rows, dims), words, new ArrayRowStore(values, rows, dims));
    }

    private static ModelInfo FileInfo(string path, int rows, int dims) =>
        new(Path.GetFileName(path), "static", rows, dims, 0, 0, Path.GetFullPath(path), "see the file's source", null, true);

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..37] + "...";
}
