using System.Buffers.Binary;
using System.Text;
using Simile.Models;
using Simile.Models.Static;
using Xunit;

namespace Simile.Tests.Models;

/// <summary>A temporary folder removed after the test.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "simile-models-" + Guid.NewGuid().ToString("N"));
    public TempFolder() => Directory.CreateDirectory(Path);
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
}

public class StaticVectorTests
{
    private static readonly string[] Words = ["the", "galaxy", "banana", "ice cream"];
    private static readonly float[][] Rows =
    [
        [0.5f, -1.25f, 3f],
        [1e-3f, 2.5f, -0.75f],
        [-4f, 0f, 1.5f],
        [7f, 8f, 9f],
    ];

    private static void AssertTable(StaticWordVectors v)
    {
        Assert.Equal((4, 3), v.Shape);
        Assert.Equal(Words, v.VocabularyWords());
        var set = v.Vectors(["banana", "Galaxy", "ice cream"], SubwordPolicy.Error);
        Assert.Equal(["banana", "Galaxy", "ice cream"], set.Words);
        for (int j = 0; j < 3; j++)
        {
            Assert.Equal(Rows[2][j], set.Vectors[0, j]);
            Assert.Equal(Rows[1][j], set.Vectors[1, j]);
            Assert.Equal(Rows[3][j], set.Vectors[2, j]);
        }
    }

    private static string TextLines() =>
        string.Concat(Words.Select((w, i) => w + " " + string.Join(" ", Rows[i].Select(x => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "\n"));

    [Fact]
    public void Word2VecText()
    {
        using var tmp = new TempFolder();
        var path = tmp.File("vectors.vec");
        File.WriteAllText(path, "4 3\n" + TextLines());
        using var v = StaticVectorFiles.Open(path);
        AssertTable(v);
        Assert.Equal("static", v.Info.Architecture);
    }

    [Fact]
    public void GloveText()
    {
        using var tmp = new TempFolder();
        var path = tmp.File("glove.txt");
        File.WriteAllText(path, TextLines());
        using var v = StaticVectorFiles.Open(path);
        AssertTable(v);
    }

    [Fact]
    public void Word2VecBinary()
    {
        using var tmp = new TempFolder();
        var path = tmp.File("vectors.bin");
        Span<byte> b = stackalloc byte[4];
        using (var fs = File.Create(path))
        {
            fs.Write("4 3\n"u8);
            for (int i = 0; i < Words.Length; i++)
            {
                if (Words[i].Contains(' ')) { fs.Write(Encoding.UTF8.GetBytes("ice_cream ")); }
                else fs.Write(Encoding.UTF8.GetBytes(Words[i] + " "));
                foreach (float x in Rows[i]) { BinaryPrimitives.WriteSingleLittleEndian(b, x); fs.Write(b); }
                fs.WriteByte((byte)'\n');
            }
        }
        using var v = StaticVectorFiles.Open(path);
        Assert.Equal((4, 3), v.Shape);
        Assert.Equal(["the", "galaxy", "banana", "ice_cream"], v.VocabularyWords());
        Assert.Equal(Rows[1][1], v.Vectors(["galaxy"], SubwordPolicy.Error).Vectors[0, 1]);
        // truncated: cut inside the last vector
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^6]);
        var e = Assert.Throws<SimileException>(() => StaticVectorFiles.Open(path));
        Assert.Contains("ends inside", e.Message);
    }

    [Fact]
    public void NpyWithVocabulary()
    {
        using var tmp = new TempFolder();
        var npy = tmp.File("table.npy");
        WriteNpy(npy, Rows);
        File.WriteAllLines(tmp.File("table.vocab"), Words);
        using var v = StaticVectorFiles.Open(npy);
        AssertTable(v);
        File.WriteAllLines(tmp.File("table.vocab"), Words[..3]);
        var e = Assert.Throws<SimileException>(() => StaticVectorFiles.Open(npy));
        Assert.Contains("3 words", e.Message);
        Assert.Contains("4 rows", e.Message);
    }

    [Fact]
    public void NpyFloat64AndShapeChecksGoThroughNpyFile()
    {
        using var tmp = new TempFolder();
        var npy = tmp.File("table.npy");
        // float64 table: the values are float32-exact, so narrowing gives the same table
        Simile.Data.NpyFile.Write(npy, Rows.SelectMany(r => r.Select(x => (double)x)).ToArray(), Rows.Length, Rows[0].Length);
        File.WriteAllLines(tmp.File("table.vocab"), Words);
        using (var v = StaticVectorFiles.Open(npy)) AssertTable(v);

        Simile.Data.NpyFile.Write(npy, new float[24], 2, 4, 3);   // [layers, words, dims] is not a table
        var e = Assert.Throws<SimileException>(() => StaticVectorFiles.Open(npy));
        Assert.Contains("(2, 4, 3)", e.Message);
        Assert.Contains("2-D", e.Message);
    }

    internal static void WriteNpy(string path, float[][] rows)
    {
        string header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows.Length}, {rows[0].Length}), }}";
        int total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        using var fs = File.Create(path);
        fs.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        Span<byte> len = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length);
        fs.Write(len);
        fs.Write(Encoding.ASCII.GetBytes(header));
        Span<byte> b = stackalloc byte[4];
        foreach (var r in rows) foreach (float x in r) { BinaryPrimitives.WriteSingleLittleEndian(b, x); fs.Write(b); }
    }

    [Fact]
    public void BadNumberIsReportedWithLineAndColumn()
    {
        using var tmp = new TempFolder();
        var path = tmp.File("bad.txt");
        File.WriteAllText(path, "the 1 2 3\ngalaxy 1 zwei 3\n");
        var e = Assert.Throws<SimileException>(() => StaticVectorFiles.Open(path));
        Assert.Contains("line 2", e.Message);
        Assert.Contains("column 10", e.Message);
        Assert.Contains("zwei", e.Message);
    }

    [Fact]
    public void HeaderCountMismatchIsReported()
    {
        using var tmp = new TempFolder();
        var path = tmp.File("short.vec");
        File.WriteAllText(path, "5 3\n" + TextLines());
        var e = Assert.Throws<SimileException>(() => StaticVectorFiles.Open(path));
        Assert.Contains("header says 5", e.Message);
    }

    [Fact]
    public void MissingWordsAreAllNamedWithTheSkipHint()
    {
        using var tmp = new TempFolder();
        var path = tmp.File("glove.txt");
        File.WriteAllText(path, TextLines());
        using var v = StaticVectorFiles.Open(path);
        Assert.False(v.Tokenize("comet").Known);
        var e = Assert.Throws<SimileException>(() => v.Vectors(["galaxy", "comet", "mango"], SubwordPolicy.Mean));
        Assert.Contains("'comet'", e.Message);
        Assert.Contains("'mango'", e.Message);
        Assert.Contains("2 words", e.Message);
        Assert.Contains("--skip-missing", e.Fix);
    }
}
