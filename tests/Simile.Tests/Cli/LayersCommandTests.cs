using System.Text.Json;
using Simile.Tests.Cli;
using Xunit;

namespace Simile.Tests.Cli;

/// <summary>The <c>layers</c> verb in-process (Console redirected, so it runs in the serial console collection).</summary>
[Collection(ConsoleCollection.Name)]
public class LayersCommandTests
{
    private static (int Code, string Out, string Err) RunCli(params string[] args)
    {
        var r = CliRunner.Run(args);
        return (r.ExitCode, r.Stdout, r.Stderr);
    }

    private static string TempDir()
    {
        string d = Path.Combine(Path.GetTempPath(), "simile-layers-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    [Fact]
    public void LayersOnMiniLmWritesResultsFiguresAndReport()
    {
        string dir = TempDir();
        try
        {
            string words = Path.Combine(dir, "words.tsv");
            File.WriteAllText(words, "word\tcategory\ngalaxy\tspace\ncomet\tspace\nplanet\tspace\nchair\tfurniture\nsofa\tfurniture\ntable\tfurniture\n");
            string corpus = Path.Combine(dir, "corpus.txt");
            File.WriteAllText(corpus, "The galaxy was bright.\nA comet passed the planet.\nShe sat on the chair by the sofa.\nThe table is old.\nOur galaxy is big, and a comet is small.\n");
            string outDir = Path.Combine(dir, "out");
            var (code, stdout, stderr) = RunCli("layers", "--model", "minilm", "--words", words, "--corpus", corpus, "--max-contexts", "2",
                "--permutations", "20", "--bootstrap", "20", "--seed", "4", "--normalize", "center", "--out", outDir);
            Assert.True(code == 0, stderr);
            Assert.Contains("minilm within", stdout);
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
            var root = doc.RootElement;
            Assert.Equal(8, root.GetProperty("representations").GetArrayLength());
            Assert.Equal(8, root.GetProperty("within").GetProperty("minilm").GetArrayLength());
            Assert.Equal(2, root.GetProperty("context_counts").GetProperty("minilm").GetProperty("galaxy").GetInt32());
            Assert.Equal(1, root.GetProperty("context_counts").GetProperty("minilm").GetProperty("sofa").GetInt32());
            Assert.Equal("corpus", root.GetProperty("settings").GetProperty("context").GetString());
            Assert.Equal(8, root.GetProperty("category_rsa").GetProperty("minilm").GetArrayLength());
            Assert.True(File.Exists(Path.Combine(outDir, "report.html")));
            Assert.True(File.Exists(Path.Combine(outDir, "layers-within-minilm.svg")));
            Assert.Empty(Directory.GetFiles(outDir, "*.tmp"));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void AWordMissingFromTheCorpusIsOneErrorLineWithExitCode2()
    {
        string dir = TempDir();
        try
        {
            string words = Path.Combine(dir, "words.tsv");
            File.WriteAllText(words, "word\tcategory\ngalaxy\tspace\ncomet\tspace\nnebula\tspace\n");
            string corpus = Path.Combine(dir, "corpus.txt");
            File.WriteAllText(corpus, "The galaxy was bright.\nA comet passed.\n");
            var (code, _, stderr) = RunCli("layers", "--model", "minilm", "--words", words, "--corpus", corpus, "--out", Path.Combine(dir, "out"));
            Assert.Equal(2, code);
            Assert.Contains("nebula", stderr);
            Assert.Single(stderr.Trim().Split('\n'));
            Assert.False(File.Exists(Path.Combine(dir, "out", "results.json")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void BadOptionsAreUserErrors()
    {
        Assert.Equal(2, RunCli("layers", "--model", "minilm", "--normalize", "whiten").Code);
        Assert.Equal(2, RunCli("layers", "--model", "minilm", "--subword", "average").Code);
        string dir = TempDir();
        try { Assert.Equal(2, RunCli("layers", "--model", "glove-100d", "--out", Path.Combine(dir, "out")).Code); }
        finally { Directory.Delete(dir, true); }
        Assert.Equal(2, RunCli("layers").Code);
    }
}
