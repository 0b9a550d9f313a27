using System.Text.Json;
using Simile.Analyses;
using Simile.Analyses.Layers;
using Simile.Data;
using Simile.Models;
using Simile.Tests.Cli;
using Simile.Tests.Data;
using Xunit;

namespace Simile.Tests.Cli;

[Collection(ConsoleCollection.Name)]
public class VectorsCommandTests
{
    internal static string WriteWords(TempFolder dir, params (string Word, string Category)[] words) =>
        dir.Write("words.tsv", "word\tcategory\n" + string.Concat(words.Select(w => $"{w.Word}\t{w.Category}\n")));

    private static JsonElement Sidecar(string npyPath) =>
        JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(npyPath, ".json"))).RootElement;

    private static string[] Strings(JsonElement e) => e.EnumerateArray().Select(x => x.GetString()!).ToArray();

    private static void Near(double expected, double actual, double tolerance) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)), $"expected {expected}, got {actual}");

    private static void AssertOneLineError(CliRunner.Result r, params string[] contains)
    {
        Assert.True(r.ExitCode == 2, r.ToString());
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("simile: error: ", lines[0]);
        foreach (var c in contains) Assert.Contains(c, lines[0]);
    }

    [Fact]
    public void AllLayersOfMiniLmWithDefaultWords()
    {
        using var dir = new TempFolder();
        string outPath = dir.File("v.npy");
        var r = CliRunner.Run("vectors", "--model", "minilm", "--out", outPath);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(["v.json", "v.npy"], dir.Files());

        var seed = WordListFile.Read(Path.Combine(TestPaths.RepoRoot, "data", "seed-words.tsv"));
        var npy = NpyFile.Read(outPath);
        Assert.Equal(NpyDType.Float32, npy.DType);
        Assert.Equal([8, seed.Count, 384], npy.Shape);

        var side = Sidecar(outPath);
        Assert.Equal("minilm", side.GetProperty("model").GetString());
        Assert.Equal([8, seed.Count, 384], side.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray());
        Assert.Equal(["token", "0", "1", "2", "3", "4", "5", "6"], Strings(side.GetProperty("layers")));
        Assert.Equal(seed.Words, Strings(side.GetProperty("words")));
        Assert.Equal(seed.Categories, Strings(side.GetProperty("categories")));
        Assert.Equal("none", side.GetProperty("context").GetString());
        Assert.Equal("mean", side.GetProperty("subword").GetString());
        var pieces = side.GetProperty("pieces").EnumerateArray().Select(Strings).ToArray();
        Assert.Equal(seed.Count, pieces.Length);
        Assert.Equal(["galaxy"], pieces[0]);

        // "token" is the token-embedding rows (pooled by mean), exactly what the static lookup gives
        using var model = ModelCatalogue.Resolve("minilm");
        var rows = model.Vectors(seed.Words, SubwordPolicy.Mean).Vectors;
        for (int w = 0; w < seed.Count; w++)
            for (int f = 0; f < 384; f++)
                Near(rows[w, f], npy.Float32![w * 384 + f], 1e-6);
        // and the layers differ from it
        Assert.NotEqual(npy.Float32![0], npy.Float32[(long)seed.Count * 384 * 7]);
    }

    [Fact]
    public void SingleLayerIsThreeDimensionalAndMatchesTheStack()
    {
        using var dir = new TempFolder();
        string words = WriteWords(dir, ("cat", "animal"), ("dog", "animal"), ("unbelievably", "adjective"));
        string outPath = dir.File("v3.npy");
        var r = CliRunner.Run("vectors", "--model", "minilm", "--words", words, "--layer", "3", "--out", outPath);
        Assert.True(r.ExitCode == 0, r.ToString());
        var npy = NpyFile.Read(outPath);
        Assert.Equal([1, 3, 384], npy.Shape);
        var side = Sidecar(outPath);
        Assert.Equal(["3"], Strings(side.GetProperty("layers")));
        var pieces = side.GetProperty("pieces").EnumerateArray().Select(Strings).ToArray();
        Assert.True(pieces[2].Length > 1, "unbelievably is split by WordPiece");
        Assert.Equal(["animal", "animal", "adjective"], Strings(side.GetProperty("categories")));

        using var model = ModelCatalogue.ResolveTransformer("minilm");
        var stack = ContextualVectors.Compute(model, ["cat", "dog", "unbelievably"], ContextSpec.None, SubwordPolicy.Mean);
        var expected = stack["3"].Vectors;
        for (int i = 0; i < expected.Values.Length; i++) Near(expected.Values[i], npy.Float32![i], 1e-5);
    }

    [Fact]
    public void FinalAndContextTemplate()
    {
        using var dir = new TempFolder();
        string words = WriteWords(dir, ("cat", "animal"), ("dog", "animal"), ("sun", "sky"));
        string outPath = dir.File("ctx.npy");
        var r = CliRunner.Run("vectors", "--model", "minilm", "--words", words, "--layer", "final,token",
            "--context", "I saw the {word} yesterday.", "--out", outPath);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal([2, 3, 384], NpyFile.Read(outPath).Shape);
        var side = Sidecar(outPath);
        Assert.Equal(["6", "token"], Strings(side.GetProperty("layers")));
        Assert.Equal("templates", side.GetProperty("context").GetString());
        Assert.Equal(["I saw the {word} yesterday."], Strings(side.GetProperty("context_templates")));
    }

    [Fact]
    public void CorpusContexts()
    {
        using var dir = new TempFolder();
        string words = WriteWords(dir, ("cat", "animal"), ("dog", "animal"), ("sun", "sky"));
        string corpus = dir.Write("corpus.txt", "The cat slept.\nA dog barked at the cat.\nThe sun rose.\n");
        string outPath = dir.File("c.npy");
        var r = CliRunner.Run("vectors", "--model", "minilm", "--words", words, "--corpus", corpus, "--layer", "6", "--out", outPath);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal([1, 3, 384], NpyFile.Read(outPath).Shape);
        var side = Sidecar(outPath);
        Assert.Equal("corpus", side.GetProperty("context").GetString());
        Assert.Equal([2, 1, 1], side.GetProperty("context_counts").EnumerateArray().Select(x => x.GetInt32()));
        Assert.Contains("corpus.txt", side.GetProperty("context_description").GetString());
    }

    [Fact]
    public void UnknownLayerIsOneLineAndLeavesNoFiles()
    {
        using var dir = new TempFolder();
        string words = WriteWords(dir, ("cat", "animal"), ("dog", "animal"), ("sun", "sky"));
        var r = CliRunner.Run("vectors", "--model", "minilm", "--words", words, "--layer", "9", "--out", dir.File("v.npy"));
        AssertOneLineError(r, "'9'", "token, 0, 1, 2, 3, 4, 5, 6");
        Assert.Equal(["words.tsv"], dir.Files());

        r = CliRunner.Run("vectors", "--model", "minilm", "--words", words, "--layer", "nope", "--out", dir.File("sub/v.npy"));
        AssertOneLineError(r, "'nope'");
        Assert.False(Directory.Exists(dir.File("sub")));

        r = CliRunner.Run("vectors", "--model", "minilm", "--words", words, "--out", dir.File("v.csv"));
        AssertOneLineError(r, ".npy");
        Assert.Equal(["words.tsv"], dir.Files());
    }

    [Fact]
    public void SubwordErrorNamesTheWordAndLeavesNoFiles()
    {
        using var dir = new TempFolder();
        string words = WriteWords(dir, ("cat", "animal"), ("sun", "sky"), ("unbelievably", "adjective"));
        var r = CliRunner.Run("vectors", "--model", "minilm", "--words", words, "--subword", "error", "--out", dir.File("v.npy"));
        AssertOneLineError(r, "unbelievably");
        Assert.Equal(["words.tsv"], dir.Files());
    }

    [Fact]
    public void StaticModelAcceptsOnlyTheTokenLayer()
    {
        using var dir = new TempFolder();
        var r = CliRunner.Run("vectors", "--model", "glove-100d", "--layer", "3", "--out", dir.File("g.npy"));
        AssertOneLineError(r, "glove-100d", "static", "token");
        Assert.Empty(dir.Files());
    }

    [Fact]
    public void StaticVectorFileGivesTheTokenLayer()
    {
        using var dir = new TempFolder();
        string vec = dir.Write("tiny.txt", "cat 1 2 3\ndog 4 5 6\nsun 7 8 9\n");
        string words = WriteWords(dir, ("dog", "animal"), ("cat", "animal"), ("sun", "sky"));
        string outPath = dir.File("s.npy");
        var r = CliRunner.Run("vectors", "--model", vec, "--words", words, "--out", outPath);
        Assert.True(r.ExitCode == 0, r.ToString());
        var npy = NpyFile.Read(outPath);
        Assert.Equal([1, 3, 3], npy.Shape);
        Assert.Equal([4f, 5f, 6f, 1f, 2f, 3f, 7f, 8f, 9f], npy.Float32!);
        Assert.Equal(["token"], Strings(Sidecar(outPath).GetProperty("layers")));

        var bad = CliRunner.Run("vectors", "--model", vec, "--words", words, "--context", "the {word}", "--out", dir.File("t.npy"));
        AssertOneLineError(bad, "static");
        Assert.False(File.Exists(dir.File("t.npy")));
    }

    [Fact]
    public void HuggingFaceGpt2HasAFinalLayer()
    {
        using var dir = new TempFolder();
        string folder = Path.Combine(dir.Path, "tiny-gpt2");
        Directory.CreateDirectory(folder);
        Models.HuggingFace.TinyModel.Gpt2(7).WriteFolder(folder);
        string words = WriteWords(dir, ("cat", "a"), ("galaxy", "b"), ("sat", "a"));
        string all = dir.File("all.npy"), fin = dir.File("final.npy");
        var r = CliRunner.Run("vectors", "--model", folder, "--words", words, "--out", all);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal([5, 3, 16], NpyFile.Read(all).Shape);
        var side = Sidecar(all);
        Assert.Equal(["token", "0", "1", "2", "final"], Strings(side.GetProperty("layers")));
        Assert.Equal("tiny-gpt2", side.GetProperty("model").GetString());
        Assert.Equal("gpt2", side.GetProperty("architecture").GetString());

        r = CliRunner.Run("vectors", "--model", folder, "--words", words, "--layer", "final", "--out", fin);
        Assert.True(r.ExitCode == 0, r.ToString());
        var a = NpyFile.Read(all).Float32!;
        var f = NpyFile.Read(fin).Float32!;
        Assert.Equal(3 * 16, f.Length);
        for (int i = 0; i < f.Length; i++) Near(a[4 * 3 * 16 + i], f[i], 1e-5);
    }

    [Fact]
    public void NativeEngineAgreesWithOnnxRuntime()
    {
        var words = new WordList(["cat", "galaxy", "unbelievably"], [null, null, null]);
        var onnx = WordVectorsExport.Compute("minilm", words, "all", ContextSpec.None, SubwordPolicy.Mean, TransformerEngine.Onnx);
        var native = WordVectorsExport.Compute("minilm", words, "all", ContextSpec.None, SubwordPolicy.Mean, TransformerEngine.Native);
        Assert.Equal(onnx.Layers, native.Layers);
        Assert.Equal(onnx.Shape, native.Shape);
        double worst = 0;
        for (int i = 0; i < onnx.Values.Length; i++) worst = Math.Max(worst, Math.Abs(onnx.Values[i] - native.Values[i]));
        Assert.True(worst < 2e-3, $"max |onnx - native| = {worst}");
    }

    [Theory]
    [InlineData("all", new[] { "token", "0", "1", "2", "final" })]
    [InlineData("final", new[] { "final" })]
    [InlineData("2, token ,2", new[] { "2", "token" })]
    public void SelectLayers(string spec, string[] expected) =>
        Assert.Equal(expected, WordVectorsExport.SelectLayers(["token", "0", "1", "2", "final"], spec, "m"));

    [Fact]
    public void FinalMeansTheLastLayerOfBert() =>
        Assert.Equal(["6"], WordVectorsExport.SelectLayers(["token", "0", "1", "2", "3", "4", "5", "6"], "final", "minilm"));
}
