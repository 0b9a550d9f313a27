using Simile.Data;
using Simile.Inference;
using Xunit;

namespace Simile.Tests.Data;

public class MatrixFileTests
{
    private static Matrix RandomMatrix(int rows, int cols, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var m = new Matrix(rows, cols);
        for (int i = 0; i < m.Values.Length; i++) m.Values[i] = (rng.NextDouble() - 0.5) * Math.Pow(10, rng.NextInt(9) - 4);
        return m;
    }

    [Theory]
    [InlineData("m.csv", true, true)]
    [InlineData("m.csv", false, false)]
    [InlineData("m.tsv", true, true)]
    [InlineData("m.tsv", true, false)]
    [InlineData("m.txt", false, false)]
    [InlineData("m.npy", false, false)]
    public void RoundTripKeepsEveryDoubleBitForBit(string name, bool withNames, bool withHeader)
    {
        using var dir = new TempFolder();
        var m = RandomMatrix(7, 5, 42);
        var names = withNames ? new[] { "galaxy", "comet, the", "sofa \"big\"", "chair", "apple", "pear", "moon" } : null;
        var cols = withHeader ? new[] { "d0", "d1", "d2", "d3", "d4" } : null;
        string path = dir.File(name);
        MatrixFile.Write(path, m, names, cols, corner: "word");
        var back = MatrixFile.Read(path);
        Assert.Equal(m.Rows, back.Rows);
        Assert.Equal(m.Cols, back.Cols);
        Assert.Equal(m.Values, back.Values.Values);
        Assert.Equal(names, back.RowNames);
        Assert.Equal(cols, back.ColumnNames);
        Assert.Single(dir.Files());   // no temporaries left behind
    }

    [Theory]
    [InlineData("word,d0,d1\na,1,2\nb,3,4\nc,5,6\n", true, true)]
    [InlineData("a,1,2\nb,3,4\nc,5,6\n", false, true)]
    [InlineData("1,2\n3,4\n5,6\n", false, false)]
    [InlineData("x,y\n1,2\n3,4\n", true, false)]
    [InlineData(",0,1,2\na,1,2,3\nb,4,5,6\n", true, true)]          // pandas to_csv with an unnamed index
    [InlineData(",0,1\na,1,2\nb,4,5\n", true, true)]
    [InlineData("word,0,1,2\na,1,2,3\nb,4,5,6\n", true, true)]      // pandas with default integer column labels
    [InlineData("x\n1\n2\n", true, false)]
    [InlineData("0,1,2\n0.5,1.5,2.5\n1.5,0.5,2\n", true, false)]  // pandas to_csv(index=False): labels 0..k-1
    [InlineData(",0,1\n0,0.5,1.5\n1,1.5,0.5\n2,3,1\n", true, true)] // pandas index=True: integer index = item labels
    [InlineData("0.5,1.5,2.5\n1,2,3\n", false, false)]            // a data row of integers that is no label sequence
    [InlineData("0,1\n1,0\n0,1\n", false, false)]                   // one-hot rows of two features are data
    [InlineData("\n\n1, 2\n\n3 ,4\n", false, false)]                // blank lines skipped, cells trimmed
    [InlineData("\"a, b\",1,2\n\"c \"\"d\"\"\",3,4\n", false, true)]  // quoted names
    public void DetectsHeaderAndNamesColumn(string csv, bool header, bool names)
    {
        using var dir = new TempFolder();
        var lm = MatrixFile.Read(dir.Write("m.csv", csv));
        Assert.Equal(header, lm.ColumnNames is not null);
        Assert.Equal(names, lm.RowNames is not null);
        Assert.All(lm.Values.Values, v => Assert.True(v >= 0 && v <= 6));
        if (csv.StartsWith('"')) Assert.Equal(["a, b", "c \"d\""], lm.RowNames!);
    }

    [Fact]
    public void DetectedValuesAreInRowOrder()
    {
        using var dir = new TempFolder();
        var lm = MatrixFile.Read(dir.Write("m.tsv", "word\tx\ty\nsun\t1.5\t-2e-3\nmoon\t0\t7\n"));
        Assert.Equal(["sun", "moon"], lm.RowNames!);
        Assert.Equal(["x", "y"], lm.ColumnNames!);
        Assert.Equal([1.5, -2e-3, 0, 7], lm.Values.Values);
    }

    [Fact]
    public void WhitespaceSeparatedTextAsNumpySavetxtWritesIt()
    {
        using var dir = new TempFolder();
        var lm = MatrixFile.Read(dir.Write("m.txt", "# written by numpy\n1.000000000000000000e+00 -2.5e-01\n  3   4\n\n5\t6\n"));
        Assert.Null(lm.RowNames);
        Assert.Equal([1.0, -0.25, 3, 4, 5, 6], lm.Values.Values);
        var e = Assert.Throws<SimileException>(() => MatrixFile.Read(dir.Write("r.txt", "1 2\n3 4 5\n")));
        Assert.Contains("line 2: row has 3 whitespace-separated fields, expected 2", e.Message);
    }

    [Fact]
    public void ForcedOptionsOverrideDetection()
    {
        using var dir = new TempFolder();
        string p = dir.Write("m.csv", "1,2,3\n4,5,6\n");
        var lm = MatrixFile.Read(p, new MatrixReadOptions { Header = Presence.Yes, RowNames = Presence.Yes });
        Assert.Equal(["4"], lm.RowNames!);
        Assert.Equal(["2", "3"], lm.ColumnNames!);
        Assert.Equal([5.0, 6.0], lm.Values.Values);

        var e = Assert.Throws<SimileException>(() =>
            MatrixFile.Read(dir.Write("n.csv", "x,y\n1,2\n"), new MatrixReadOptions { Header = Presence.No, RowNames = Presence.No }));
        Assert.Contains("line 1, column 1", e.Message);
        Assert.Contains("'x'", e.Message);
    }

    [Theory]
    [InlineData("", "file is empty")]
    [InlineData("\n  \n", "file is empty")]
    [InlineData("a,b,c\n", "no data rows")]
    [InlineData("a,1,2\nb,3\n", "line 2: row has 2 comma-separated fields, expected 3 (as on line 1)")]
    [InlineData("1,2\n3,4,5\n", "line 2: row has 3")]
    [InlineData("a,1,2\nb,3,x7\n", "line 2, column 3: non-numeric cell 'x7'")]
    [InlineData("a,1,2\nb,3,\n", "line 2, column 3: non-numeric cell '(empty)'")]
    [InlineData("1,2\nb,3\n", "line 2, column 1: non-numeric cell 'b'")]
    [InlineData("a,1,2\nb,3,1.5.2\n", "column 3: non-numeric cell '1.5.2'")]
    [InlineData("a,1,2\nb,3,NaN\n", "line 2, column 3: cell 'NaN' is NaN or infinite")]
    [InlineData("a,1,2\nb,-inf,4\n", "line 2, column 2: cell '-inf' is NaN or infinite")]
    [InlineData("a,1,2\nb,1e999,4\n", "line 2, column 2: cell '1e999' is NaN or infinite")]
    [InlineData("a,1,2\nb,3,4\na,5,6\n", "line 3: duplicate item name 'a' (first on line 1)")]
    [InlineData("a,1,2\n\"b,3,4\n", "line 2, column 1: quoted field has no closing quote")]
    [InlineData("1,2,3\n4,5,6\n1,2,3,4,5,6,7\n", "line 3: row has 7")]
    [InlineData("a,1,oops\nb,2,3\n", "line 1, column 3: non-numeric cell 'oops'")]   // not taken for a header
    [InlineData("1,,2\n3,4,5\n", "line 1, column 2: non-numeric cell '(empty)'")]
    [InlineData(",1.5,2.5\nb,3,4\n", "line 1, column 1: empty item name")]
    public void BadCsvNamesFileLineAndColumn(string csv, string expected)
    {
        using var dir = new TempFolder();
        string p = dir.Write("bad.csv", csv);
        var e = Assert.Throws<SimileException>(() => MatrixFile.Read(p));
        Assert.Contains(p, e.Message);
        Assert.Contains(expected, e.Message);
        Assert.False(string.IsNullOrWhiteSpace(e.Fix));
        Assert.DoesNotContain('\n', e.OneLine);
    }

    [Fact]
    public void MissingFileAndUnknownExtensionAreUserErrors()
    {
        using var dir = new TempFolder();
        var e = Assert.Throws<SimileException>(() => MatrixFile.Read(dir.File("nope.csv")));
        Assert.Contains("file not found", e.Message);
        Assert.Contains("nope.csv", e.Message);
        e = Assert.Throws<SimileException>(() => MatrixFile.Read(dir.Write("m.xlsx", "1")));
        Assert.Contains("unsupported file type '.xlsx'", e.Message);
        e = Assert.Throws<SimileException>(() => MatrixFile.Read(dir.Path + "/"));
        Assert.Contains("unsupported file type", e.Message);
    }

    [Fact]
    public void NpyNamesComeFromTheWordSidecar()
    {
        using var dir = new TempFolder();
        var m = RandomMatrix(3, 2, 7);
        string p = dir.File("v.npy");
        NpyFile.WriteMatrix(p, m);
        Assert.Null(MatrixFile.Read(p).RowNames);
        Assert.Throws<SimileException>(() => MatrixFile.Read(p, new MatrixReadOptions { RowNames = Presence.Yes }));

        dir.Write("v.words.txt", "sun\nmoon\nstar\n");
        Assert.Equal(["sun", "moon", "star"], MatrixFile.Read(p).RowNames!);
        dir.Write("v.words.tsv", "word\tcategory\na\tx\nb\tx\nc\ty\n");   // .tsv wins over .txt
        Assert.Equal(["a", "b", "c"], MatrixFile.Read(p).RowNames!);
        dir.Write("v.words.tsv", "word\na\nb\n");
        var e = Assert.Throws<SimileException>(() => MatrixFile.Read(p));
        Assert.Contains("has 3 rows but its word file", e.Message);
    }
}
