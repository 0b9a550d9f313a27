using System.Text;
using Simile.Fuzz;
using Simile.Models.Static;
using Simile.Tests.Data;
using Xunit;

namespace Simile.Tests.Fuzz;

/// <summary>
/// The fuzzing suite in CI: every registered reader gets a fixed-seed run of mutated inputs (the long run is
/// tests/Simile.Fuzz/run.sh, 100,000 per reader). Accepted outcomes are success or SimileException; a crash, a hang
/// or an allocation beyond the limit fails the test with the inputs' indices (replay: run.sh with --first/--count).
/// </summary>
public class FuzzSuiteTests
{
    public const int Seed = 12;
    public const int CountPerReader = 400;

    public static TheoryData<string> QuickTargets()
    {
        var data = new TheoryData<string>();
        foreach (var t in FuzzTargets.All.Where(t => t.InQuickRun)) data.Add(t.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(QuickTargets))]
    public void MutatedInputsAreReadOrRefusedWithOneLine(string target)
    {
        var t = FuzzTargets.Get(target);
        using var runner = new FuzzRunner { TimeLimit = TimeSpan.FromSeconds(30) };
        var report = runner.Run(t, Seed, CountPerReader);
        Assert.True(report.Failures.Count == 0,
            $"{report.Failures.Count} failing inputs (seed {Seed}):\n" + string.Join("\n", report.Failures.Take(8)));
        Assert.Equal(CountPerReader, report.Succeeded + report.Refused);
        Assert.True(report.Refused > CountPerReader / 10, $"only {report.Refused} inputs were refused: the mutations hardly damage the seed");
    }

    [Fact]
    public void EveryTargetHasItsOwnName()
    {
        var names = FuzzTargets.All.Select(t => t.Name).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void EverySeedIsAValidFileForItsReader()
    {
        using var runner = new FuzzRunner();
        foreach (var t in FuzzTargets.All.Where(t => t.InQuickRun))
        {
            var seeds = t.Seeds()!;
            var (kind, detail) = runner.RunOne(t, seeds, seeds[t.MutatedFile]);
            Assert.True(kind == "ok", $"{t.Name}: the unmutated seed gives {kind}: {detail}");
        }
    }

    /// <summary>Input i of a run must be the same bytes in every run (a failure is reproduced by its index), so the
    /// generated seeds may not depend on the clock or the process: the tarball's PAX headers carried both before.
    /// (Within one process; the long runs compare across processes, see tests/Simile.Fuzz/run.sh.)</summary>
    [Fact]
    public void GeneratedSeedsAreTheSameBytesEveryTime()
    {
        var first = Seeds.GloveTarball();
        Thread.Sleep(1100);   // past a whole second, so any time field would change
        Assert.Equal(first, Seeds.GloveTarball());
        using var tar = new System.IO.Compression.GZipStream(new MemoryStream(first), System.IO.Compression.CompressionMode.Decompress);
        var raw = new MemoryStream();
        tar.CopyTo(raw);
        Assert.DoesNotContain("PaxHeaders", Encoding.ASCII.GetString(raw.ToArray()));   // .NET names them PaxHeaders.<pid>
        Assert.Equal(Seeds.TinyBertOnnx(), Seeds.TinyBertOnnx());
    }

    [Fact]
    public void MutationsAreDeterministicAndChangeTheBytes()
    {
        var seed = Encoding.UTF8.GetBytes("{\"a\": [1, 2, 3], \"b\": \"text\"}");
        int changed = 0;
        for (int i = 0; i < 200; i++)
        {
            int s = FuzzRunner.InputSeed(1, "x", i);
            var a = Mutator.Mutate(seed, new Random(s), json: true);
            var b = Mutator.Mutate(seed, new Random(s), json: true);
            Assert.Equal(a, b);
            if (!a.AsSpan().SequenceEqual(seed)) changed++;
        }
        Assert.True(changed > 180, $"{changed} of 200 mutations changed the seed");
        Assert.NotEqual(FuzzRunner.InputSeed(1, "x", 0), FuzzRunner.InputSeed(1, "x", 1));
        Assert.NotEqual(FuzzRunner.InputSeed(1, "x", 0), FuzzRunner.InputSeed(2, "x", 0));
    }

    /// <summary>The harness itself: a crash, a hang and an oversize allocation are each reported as failures.</summary>
    [Fact]
    public void TheRunnerReportsCrashesHangsAndAllocations()
    {
        FuzzTarget Fake(string name, Action run) => new()
        {
            Name = name, MutatedFile = "f", Seeds = () => new Dictionary<string, byte[]> { ["f"] = [1, 2, 3] }, Run = (_, _) => run(),
        };
        using var runner = new FuzzRunner { TimeLimit = TimeSpan.FromMilliseconds(500), AllocationBase = 8 << 20 };
        Assert.Equal("exception", runner.RunOne(Fake("crash", () => throw new IndexOutOfRangeException()), new Dictionary<string, byte[]> { ["f"] = [1] }, [1]).Kind);
        Assert.Equal("refused", runner.RunOne(Fake("user", () => throw new SimileException("bad file", "fix it")), new Dictionary<string, byte[]> { ["f"] = [1] }, [1]).Kind);
        Assert.Equal("allocation", runner.RunOne(Fake("alloc", () => GC.KeepAlive(new byte[64 << 20])), new Dictionary<string, byte[]> { ["f"] = [1] }, [1]).Kind);
        using var release = new ManualResetEventSlim();
        Assert.Equal("hang", runner.RunOne(Fake("hang", () => release.Wait(5000)), new Dictionary<string, byte[]> { ["f"] = [1] }, [1]).Kind);
        release.Set();
        Assert.Equal("ok", runner.RunOne(Fake("fine", () => { }), new Dictionary<string, byte[]> { ["f"] = [1] }, [1]).Kind);
    }
}

/// <summary>
/// Inputs that crashed a reader before it was fixed, replayed by (reader, seed 1, input index) — the mutator is a pure
/// function of those — plus hand-made files for the causes named in the issue.
/// </summary>
public class FuzzRegressionTests
{
    [Theory]
    [InlineData("word2vec-text", 252)] [InlineData("word2vec-text", 1070)] [InlineData("word2vec-text", 1152)] [InlineData("word2vec-text", 1216)]
    [InlineData("word2vec-text", 1748)] [InlineData("word2vec-text", 1855)] [InlineData("word2vec-text", 2701)]
    [InlineData("word2vec-binary", 14)] [InlineData("word2vec-binary", 173)] [InlineData("word2vec-binary", 186)]
    [InlineData("glove-json", 11)] [InlineData("glove-json", 13)] [InlineData("glove-json", 21)] [InlineData("glove-json", 111)]
    [InlineData("glove-tarball", 0)] [InlineData("glove-tarball", 3)] [InlineData("glove-tarball", 6)]
    [InlineData("safetensors-index", 0)] [InlineData("tokenizer-config", 2)]
    [InlineData("tokenizer-json-bpe", 37)] [InlineData("tokenizer-json-bpe", 66)] [InlineData("tokenizer-json-wordpiece", 11)]
    [InlineData("onnx-bert", 1619)] [InlineData("onnx-bert", 1666)] [InlineData("onnx-bert", 2993)]
    public void FormerCrashIsNowReadOrRefused(string target, int index)
    {
        using var runner = new FuzzRunner();
        var report = runner.Run(FuzzTargets.Get(target), seed: 1, count: 1, firstIndex: index);
        Assert.True(report.Failures.Count == 0, string.Join("\n", report.Failures));
    }

    private static (string Kind, string Detail) Run(string target, byte[] input)
    {
        var t = FuzzTargets.Get(target);
        using var runner = new FuzzRunner { AllocationBase = 16 << 20 };
        return runner.RunOne(t, t.Seeds()!, input);
    }

    /// <summary>"4 268435456" promised 4 × 268,435,456 floats and allocated 1 GB before reading any data.</summary>
    [Theory]
    [InlineData("word2vec-text", "4 268435456\nthe 0.1 0.2\n")]
    [InlineData("word2vec-binary", "4 268435456\nthe ")]
    [InlineData("word2vec-text", "2147483647 2147483647\n")]
    [InlineData("word2vec-binary", "9223372036854775807 4\n")]
    public void AHugeHeaderIsRefusedBeforeAnythingIsAllocated(string target, string file)
    {
        var (kind, detail) = Run(target, Encoding.ASCII.GetBytes(file));
        Assert.Equal("refused", kind);
        Assert.Contains("header says", detail);
        Assert.Contains("Fix:", detail);
    }

    [Theory]
    [InlineData("tokenizer-json-wordpiece", "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"\\ud800\": 0}}}", "lone UTF-16 surrogate")]
    [InlineData("safetensors-index", "{\"weight_map\": {\"a\\udc00\": \"x.safetensors\"}}", "lone UTF-16 surrogate")]
    [InlineData("tokenizer-config", "{\"do_lower_case\": \"\\ud800\"}", "lone UTF-16 surrogate")]
    [InlineData("tokenizer-json-bpe", "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [[1, 2]]}}", "neither")]
    public void BadJsonTextNamesTheFileAndThePlace(string target, string json, string expected)
    {
        var (kind, detail) = Run(target, Encoding.UTF8.GetBytes(json));
        Assert.Equal("refused", kind);
        Assert.Contains(expected, detail);
        Assert.Contains(FuzzTargets.Get(target).MutatedFile, detail);
    }

    [Fact]
    public void InvalidUtf8InAJsonStringIsRefusedWithItsByteOffset()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"ab\": 0}}}");
        int at = Array.IndexOf(bytes, (byte)'a', 40);
        bytes[at] = 0xFF;
        var (kind, detail) = Run("tokenizer-json-wordpiece", bytes);
        Assert.Equal("refused", kind);
        Assert.Contains("invalid UTF-8", detail);
        Assert.Contains($"byte {at - 1}", detail);   // the string token starts at its opening quote
    }

    /// <summary>A GloVe JSON with two "vectors" objects used to open a second cache writer and leave the first one's temporary files.</summary>
    [Fact]
    public void GloveConversionLeavesNoTemporaryFilesWhenItFails()
    {
        using var tmp = new TempFolder();
        string json = "{\"dimensions\": 2, \"vectors\": {\"a\": [1, 2]}, \"vectors\": {\"b\": [1, \"x\"]}}";
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));
        var e = Assert.Throws<SimileException>(() => GloveNpmSource.ConvertJson(stream, stream.Length, tmp.File("g.vectors"), tmp.File("g.words")));
        Assert.Contains("two \"vectors\"", e.Message);
        Assert.Empty(Directory.GetFiles(tmp.Path));
    }
}
