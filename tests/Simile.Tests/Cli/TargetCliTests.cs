using System.Text.Json;
using Xunit;

namespace Simile.Tests.Cli;

/// <summary>
/// <c>rsa --target</c> and <c>layers --target</c> through the real verbs (in-process): the results.json contract, the
/// values against the offline references (tests/reference/targets), files and one-line errors.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class TargetCliTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "simile-target-cli-" + Guid.NewGuid().ToString("N"));
    private static string Ref(string name) => Path.Combine(TestPaths.Reference, "targets", name);
    private static readonly JsonElement Expected = JsonDocument.Parse(File.ReadAllText(Ref("expected.json"))).RootElement;

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, true);
    }

    private string Temp(string name)
    {
        string d = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return Path.Combine(d, name);
    }

    private static string[] BrainFiles => Enumerable.Range(1, 5).SelectMany(s => new[] { "--target", Ref($"brain-s{s}.csv") }).ToArray();

    [Fact]
    public void RsaWithOneModelAndTargetsWritesTheContract()
    {
        string outDir = Temp("out");
        var r = CliRunner.Run(["rsa", "--model", Ref("vectors.vec"), "--target", Ref("pairs-wordsim.csv"), .. BrainFiles,
            "--target-measure", "spearman", "--permutations", "99", "--bootstrap", "50", "--seed", "2", "--out", outDir]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("pairs-wordsim", r.Stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
        var targets = doc.RootElement.GetProperty("targets");
        Assert.Equal(2, targets.GetArrayLength());

        var pairs = targets[0];
        Assert.Equal("pairs-wordsim", pairs.GetProperty("name").GetString());
        Assert.Equal("pairs", pairs.GetProperty("kind").GetString());
        Assert.Equal("spearman", pairs.GetProperty("measure").GetString());
        Assert.Equal(1, pairs.GetProperty("subjects").GetInt32());
        Assert.Equal(52, pairs.GetProperty("pairs_total").GetInt32());
        Assert.Equal(JsonValueKind.Null, pairs.GetProperty("noise_ceiling").ValueKind);
        var v = Assert.Single(pairs.GetProperty("results").EnumerateArray());
        Assert.Equal("vectors.vec", v.GetProperty("model").GetString());
        Assert.Equal("token", v.GetProperty("representation").GetString());
        Assert.Equal(49, v.GetProperty("pairs_used").GetInt32());
        Assert.Equal(Expected.GetProperty("pairs").GetProperty("spearman").GetDouble(), v.GetProperty("value").GetDouble(), 12);
        Assert.Equal(0.01, v.GetProperty("p_value").GetDouble(), 12);   // (0 + 1) / (99 + 1)
        Assert.Equal(2, v.GetProperty("ci95").GetArrayLength());

        var brain = targets[1];
        Assert.Equal("brain-s1", brain.GetProperty("name").GetString());
        Assert.Equal("rdm", brain.GetProperty("kind").GetString());
        Assert.Equal(5, brain.GetProperty("subjects").GetInt32());
        Assert.Equal(66, brain.GetProperty("pairs_total").GetInt32());
        var e = Expected.GetProperty("brain").GetProperty("spearman");
        Assert.Equal(e.GetProperty("noise_ceiling")[0].GetDouble(), brain.GetProperty("noise_ceiling").GetProperty("lower").GetDouble(), 12);
        Assert.Equal(e.GetProperty("noise_ceiling")[1].GetDouble(), brain.GetProperty("noise_ceiling").GetProperty("upper").GetDouble(), 12);
        Assert.Equal(e.GetProperty("eval_fixed").GetDouble(), brain.GetProperty("results")[0].GetProperty("value").GetDouble(), 12);

        foreach (var f in new[] { "report.html", "target-pairs-wordsim-models.svg", "target-pairs-wordsim-scatter.png", "target-brain-s1-models.png" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        string html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        Assert.Contains("49 of 52 pairs", html);
        Assert.Contains("Unicorn", html);
        Assert.Empty(Directory.GetFiles(outDir, "*.tmp"));
    }

    [Fact]
    public void PermutationsAndBootstrapZeroGiveNulls()
    {
        string outDir = Temp("out");
        var r = CliRunner.Run(["rsa", "--model", Ref("vectors.vec"), .. BrainFiles, "--target-measure", "tau-a",
            "--permutations", "0", "--bootstrap", "0", "--out", outDir]);
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
        var t = Assert.Single(doc.RootElement.GetProperty("targets").EnumerateArray());
        Assert.Equal("kendall-tau-a", t.GetProperty("measure").GetString());
        var v = Assert.Single(t.GetProperty("results").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, v.GetProperty("p_value").ValueKind);
        Assert.Equal(JsonValueKind.Null, v.GetProperty("ci95").ValueKind);
        Assert.Equal(Expected.GetProperty("brain").GetProperty("kendall-tau-a").GetProperty("eval_fixed").GetDouble(), v.GetProperty("value").GetDouble(), 12);
    }

    [Fact]
    public void RsaWithTwoModelsKeepsTheWordListAnalysisAndAddsTargets()
    {
        string outDir = Temp("out");
        string other = Temp("other.vec");
        File.Copy(Ref("vectors.vec"), other);
        string words = Temp("words.tsv");
        File.WriteAllText(words, "word\tcategory\ntiger\tanimal\ncat\tanimal\ndog\tanimal\ncar\tvehicle\nbus\tvehicle\ntrain\tvehicle\n");
        var r = CliRunner.Run(["rsa", "--model", Ref("vectors.vec"), "--model", other, "--words", words, "--target", Ref("pairs-men.txt"),
            "--target-measure", "corr", "--permutations", "19", "--bootstrap", "10", "--out", outDir]);
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
        var root = doc.RootElement;
        Assert.Equal(1.0, root.GetProperty("pairs")[0].GetProperty("rsa").GetProperty("pearson").GetDouble(), 12);
        Assert.Equal(6, root.GetProperty("words").GetArrayLength());
        var t = Assert.Single(root.GetProperty("targets").EnumerateArray());
        Assert.Equal("pearson", t.GetProperty("measure").GetString());
        Assert.Equal(2, t.GetProperty("results").GetArrayLength());
        foreach (var v in t.GetProperty("results").EnumerateArray())
            Assert.Equal(Expected.GetProperty("pairs").GetProperty("pearson").GetDouble(), v.GetProperty("value").GetDouble(), 12);
        Assert.Contains("Compared with people and brains", File.ReadAllText(Path.Combine(outDir, "report.html")));
    }

    [Fact]
    public void HostileTargetGivesOneLineAndNoOutput()
    {
        string outDir = Temp("out");
        string bad = Temp("bad.tsv");
        File.WriteAllText(bad, "a\tb\t1\nc\td\thigh\ne\tf\t3\n");
        var r = CliRunner.Run("rsa", "--model", Ref("vectors.vec"), "--target", bad, "--out", outDir);
        Assert.Equal(2, r.ExitCode);
        var lines = r.Stderr.TrimEnd('\n').Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("simile: error: ", lines[0]);
        Assert.Contains("'high' is not a number", lines[0]);
        Assert.False(Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any());

        var m = CliRunner.Run("rsa", "--model", Ref("vectors.vec"), "--target", Ref("pairs-men.txt"), "--target-measure", "kendall", "--out", outDir);
        Assert.Equal(2, m.ExitCode);
        Assert.Contains("--target-measure 'kendall' is not known", m.Stderr);
    }

    [Fact]
    public void LayersWithACorpusCountsTargetWordsItLacksAsMissing()
    {
        string outDir = Temp("out");
        string words = Temp("words.tsv");
        File.WriteAllText(words, "word\ntiger\ncat\ndog\n");
        string corpus = Temp("corpus.txt");
        File.WriteAllText(corpus, "The tiger slept.\nA cat and a dog.\nThe wolf ran to the lion.\nA horse, a cow and a sheep.\nThe car and the bus.\n");
        string target = Temp("ratings.tsv");
        File.WriteAllText(target, "tiger\tcat\t7\ndog\twolf\t8\nlion\ttiger\t9\nhorse\tcow\t6\ncar\tbus\t7\ncat\tcar\t1\nsheep\tdog\t5\nlamp\tchair\t4\n");
        var r = CliRunner.Run("layers", "--model", "minilm", "--words", words, "--corpus", corpus, "--target", target,
            "--permutations", "0", "--bootstrap", "0", "--out", outDir);
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
        var t = Assert.Single(doc.RootElement.GetProperty("targets").EnumerateArray());
        Assert.Equal(8, t.GetProperty("pairs_total").GetInt32());
        Assert.All(t.GetProperty("results").EnumerateArray(), x => Assert.Equal(7, x.GetProperty("pairs_used").GetInt32()));
        Assert.Equal(["chair", "lamp"], t.GetProperty("missing_words").GetProperty("minilm").EnumerateArray().Select(x => x.GetString()!).Order().ToArray());
    }

    [Fact]
    public void LayersWithATargetGivesEveryRepresentation()
    {
        string outDir = Temp("out");
        var r = CliRunner.Run(["layers", "--model", "minilm", "--target", Ref("pairs-men.txt"), .. BrainFiles, "--context", "none",
            "--permutations", "20", "--bootstrap", "20", "--seed", "1", "--out", outDir]);
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
        var root = doc.RootElement;
        Assert.Equal(8, root.GetProperty("representations").GetArrayLength());   // the layer analysis is unchanged
        var targets = root.GetProperty("targets");
        Assert.Equal(2, targets.GetArrayLength());
        var labels = root.GetProperty("representations").EnumerateArray().Select(x => x.GetString()).ToList();
        foreach (var t in targets.EnumerateArray())
        {
            var results = t.GetProperty("results").EnumerateArray().ToList();
            Assert.Equal(labels, results.Select(x => x.GetProperty("representation").GetString()).ToList());
            Assert.All(results, x => Assert.Equal("minilm", x.GetProperty("model").GetString()));
            Assert.All(results, x => Assert.Equal(JsonValueKind.Number, x.GetProperty("p_value").ValueKind));
            Assert.Equal(results.Count - 1, t.GetProperty("compared_with_best").GetArrayLength());
        }
        Assert.Equal(JsonValueKind.Object, targets[1].GetProperty("noise_ceiling").ValueKind);
        Assert.True(File.Exists(Path.Combine(outDir, "target-brain-s1-layers.svg")));
        Assert.True(File.Exists(Path.Combine(outDir, "target-pairs-men-scatter.png")));
        Assert.Contains("pairs-men", r.Stdout);
    }
}
