using System.Globalization;
using System.Text;
using Simile.Data;
using Simile.Inference;
using Xunit;

namespace Simile.Tests.Cli;

/// <summary>
/// The generator of examples/model-a.csv and examples/model-b.csv (the README's example inputs): the 34 seed
/// words (data/seed-words.tsv) as two toy "models" of the same words.
/// <list type="bullet">
/// <item>model-a: 8 features = its category's centre (standard normal, one per category) + noise (sd 0.6).</item>
/// <item>model-b: 6 features = model-a × a random 8×6 matrix (entries N(0, 1/8)) + noise (sd 0.35).</item>
/// </list>
/// All draws come from <see cref="SeededRandom"/> with seed 2026; values are written with 4 decimals.
/// Regenerate with <c>SIMILE_WRITE_EXAMPLES=1 dotnet test --filter ExampleFiles</c>.
/// </summary>
public class ExampleFiles
{
    public const ulong Seed = 2026;

    public static (string ModelA, string ModelB) Generate()
    {
        var words = WordListFile.Read(Path.Combine(TestPaths.RepoRoot, "data", "seed-words.tsv"));
        var rng = new SeededRandom(Seed);
        int n = words.Count, da = 8, db = 6;
        var cats = words.CategoryNames;
        var centres = cats.ToDictionary(c => c, _ => Enumerable.Range(0, da).Select(_ => rng.NextGaussian()).ToArray());
        var a = new double[n, da];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < da; j++)
                a[i, j] = Math.Round(centres[words.Categories[i]!][j] + 0.6 * rng.NextGaussian(), 4);
        var proj = new double[da, db];
        for (int k = 0; k < da; k++)
            for (int j = 0; j < db; j++)
                proj[k, j] = rng.NextGaussian() / Math.Sqrt(da);
        var b = new double[n, db];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < db; j++)
            {
                double s = 0;
                for (int k = 0; k < da; k++) s += a[i, k] * proj[k, j];
                b[i, j] = Math.Round(s + 0.35 * rng.NextGaussian(), 4);
            }
        return (Csv(words.Words, a), Csv(words.Words, b));
    }

    private static string Csv(IReadOnlyList<string> words, double[,] x)
    {
        var sb = new StringBuilder();
        sb.Append("word");
        for (int j = 0; j < x.GetLength(1); j++) sb.Append(",d").Append(j + 1);
        sb.Append('\n');
        for (int i = 0; i < words.Count; i++)
        {
            sb.Append(words[i]);
            for (int j = 0; j < x.GetLength(1); j++) sb.Append(',').Append(x[i, j].ToString("0.0000", CultureInfo.InvariantCulture));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    [Fact]
    public void ShippedExamplesAreTheGeneratedOnes()
    {
        var (a, b) = Generate();
        string dir = Path.Combine(TestPaths.RepoRoot, "examples");
        if (Environment.GetEnvironmentVariable("SIMILE_WRITE_EXAMPLES") == "1")
        {
            AtomicFile.WriteAllText(Path.Combine(dir, "model-a.csv"), a);
            AtomicFile.WriteAllText(Path.Combine(dir, "model-b.csv"), b);
        }
        Assert.Equal(a, File.ReadAllText(Path.Combine(dir, "model-a.csv")));
        Assert.Equal(b, File.ReadAllText(Path.Combine(dir, "model-b.csv")));
        var ma = MatrixFile.Read(Path.Combine(dir, "model-a.csv"));
        Assert.Equal((34, 8), (ma.Rows, ma.Cols));
        Assert.Equal("galaxy", ma.RowNames![0]);
    }
}
