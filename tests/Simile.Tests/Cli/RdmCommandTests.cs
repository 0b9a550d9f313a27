using Simile.Data;
using Simile.Similarity;
using Simile.Tests.Data;
using Xunit;

namespace Simile.Tests.Cli;

[Collection(ConsoleCollection.Name)]
public class RdmCommandTests
{
    private static string Example(string name) => Path.Combine(TestPaths.RepoRoot, "examples", name);

    [Theory]
    [InlineData("cosine")]
    [InlineData("euclidean")]
    public void CsvOutputIsSquareWithItemNames(string kind)
    {
        using var dir = new TempFolder();
        string outPath = dir.File("rdm.csv");
        var r = CliRunner.Run("rdm", Example("model-a.csv"), "--rdm", kind, "--out", outPath);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(["rdm.csv"], dir.Files());

        var input = MatrixFile.Read(Example("model-a.csv"));
        var expected = Dissimilarity.Compute(input.Values, DissimilarityKinds.Parse(kind));
        var back = MatrixFile.Read(outPath);
        Assert.Equal(input.RowNames, back.RowNames);
        Assert.Equal(input.RowNames, back.ColumnNames);
        Assert.Equal((34, 34), (back.Rows, back.Cols));
        for (int i = 0; i < 34; i++)
            for (int j = 0; j < 34; j++)
                Assert.Equal(expected[i, j], back.Values[i, j]);   // bit-for-bit through the text
        Assert.StartsWith("item,galaxy,asteroid,", File.ReadLines(outPath).First());
    }

    [Fact]
    public void NpyOutputIsFloat64WithoutNames()
    {
        using var dir = new TempFolder();
        string outPath = dir.File("sub/rdm.npy");
        string c2 = Path.Combine(TestPaths.Reference, "cases", "c2.csv");
        var r = CliRunner.Run("rdm", c2, "--rdm", "correlation", "--out", outPath);
        Assert.True(r.ExitCode == 0, r.ToString());
        var a = NpyFile.Read(outPath);
        Assert.Equal(NpyDType.Float64, a.DType);
        Assert.Equal([34, 34], a.Shape);
        var expected = Dissimilarity.Compute(MatrixFile.Read(c2).Values, DissimilarityKind.Correlation);
        Assert.Equal(expected[3, 17], a.Float64![3 * 34 + 17]);
        Assert.Equal(0.0, a.Float64![5 * 34 + 5]);
    }

    [Fact]
    public void FailuresLeaveNoOutputBehind()
    {
        using var dir = new TempFolder();
        string bad = dir.Write("bad.csv", "a,1,2\nb,3\n");
        string outPath = dir.File("rdm.csv");
        var r = CliRunner.Run("rdm", bad, "--out", outPath);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("line 2", r.Stderr);
        Assert.Equal(["bad.csv"], dir.Files());

        r = CliRunner.Run("rdm", Example("model-a.csv"), "--out", dir.File("rdm.xlsx"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("unsupported file type '.xlsx'", r.Stderr);

        r = CliRunner.Run("rdm", Example("model-a.csv"), "--out", Path.Combine(bad, "rdm.csv"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("is an existing file", r.Stderr);

        r = CliRunner.Run("rdm", Example("model-a.csv"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--out", r.Stderr);
        Assert.Equal(["bad.csv"], dir.Files());
    }

    [Theory]
    [InlineData("f8_fortran_2x3.npy", 0, "Fortran order")]
    [InlineData("i8_2x3.npy", 0, "unsupported .npy dtype '<i8'")]
    [InlineData("f8_2x3.npy", -5, "needs 48 bytes of data, found 43")]
    [InlineData("f8_2x3.npy", 60000, "header length 60000 goes beyond the end of the file")]
    [InlineData("f4_3d_2x3x4.npy", 0, "3 dimensions")]
    public void BadNpyInputsAreOneLineErrorsAndLeaveNoOutput(string fixture, int change, string expected)
    {
        using var dir = new TempFolder();
        byte[] bytes = File.ReadAllBytes(Path.Combine(TestPaths.RepoRoot, "tests", "Simile.Tests", "Data", "npy", fixture));
        if (change < 0) bytes = bytes[..^(-change)];
        if (change > 0) System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)change);
        string input = dir.Write("in.npy", bytes);
        var r = CliRunner.Run("rdm", input, "--out", dir.File("rdm.npy"));
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Equal("", r.Stdout);
        string line = Assert.Single(r.Stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("simile: error: " + input, line);
        Assert.Contains(expected, line);
        Assert.Contains("Fix: ", line);
        Assert.Equal(["in.npy"], dir.Files());
    }
}
