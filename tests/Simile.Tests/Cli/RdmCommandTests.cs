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
        string c2 = Path.Combine(TestPaths.Shared, "reference", "cases", "c2.csv");
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
}
