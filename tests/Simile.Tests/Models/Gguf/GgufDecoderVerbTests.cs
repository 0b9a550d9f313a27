using Simile.Data;
using Simile.Tests.Cli;
using Simile.Tests.Models.HuggingFace;
using Xunit;

namespace Simile.Tests.Models.Gguf;

/// <summary>
/// Every verb on the Gemma 2, Gemma 3, Phi-3 and OLMo 2 GGUF files of the reference set (their own SentencePiece-style
/// vocabulary, words falling back to byte pieces) and on the HF folders (llama-tiny's byte-level BPE tokenizer): <c>vectors</c> through every layer, <c>attention</c>, <c>layers</c>,
/// <c>rsa</c> and a whole <c>grid</c> (the numbers themselves are checked against llama.cpp and the float64 pass elsewhere).
/// </summary>
[Collection(ConsoleCollection.Name)]
public class GgufDecoderVerbTests
{
    private static string Gguf(string family) => Path.Combine(TestPaths.Reference, "modern", family + "-tiny-gguf", family + "-tiny-F32.gguf");

    private static string Words(TempFolder tmp)
    {
        string path = tmp.File("words.tsv");
        File.WriteAllText(path, "word\tcategory\ncat\tanimal\ndog\tanimal\nred\tcolour\nblue\tcolour\nsun\tsky\n");
        return path;
    }

    [Theory]
    [InlineData("gemma2", 4)]
    [InlineData("gemma3", 6)]
    [InlineData("phi3", 3)]
    [InlineData("olmo2", 3)]
    public void Vectors_through_every_layer_and_attention(string family, int layers)
    {
        using var tmp = new TempFolder();
        var r = CliRunner.Run("vectors", "-m", Gguf(family), "--words", Words(tmp), "--layer", "all", "--context", "none",
            "--subword", "mean", "--out", tmp.File("v.npy"));
        Assert.True(r.ExitCode == 0, r.ToString());
        var npy = NpyFile.Read(tmp.File("v.npy"));
        Assert.Equal([layers + 3, 5, 32], npy.Shape);

        var a = CliRunner.Run("attention", "-m", Gguf(family), "--text", "the cat sat", "--out", tmp.File("att"));
        Assert.True(a.ExitCode == 0, a.ToString());
        var att = NpyFile.Read(Path.Combine(tmp.File("att"), "attention.npy"));
        Assert.Equal(layers, att.Shape[0]);
        Assert.Equal(4, att.Shape[1]);
        int T = (int)att.Shape[2];
        for (int l = 0; l < layers; l++)
            for (int h = 0; h < 4; h++)
                for (int i = 0; i < T; i++)
                {
                    double sum = 0;
                    for (int j = 0; j < T; j++) sum += att.Float32![((l * 4 + h) * T + i) * T + j];
                    Assert.Equal(1.0, sum, 4);                       // each query row is a distribution over its visible keys
                }
    }

    [Theory]
    [InlineData("gemma2", 4)]
    [InlineData("gemma3", 6)]
    [InlineData("phi3", 3)]
    [InlineData("phi3-longrope", 3)]
    [InlineData("olmo2", 3)]
    public void The_hugging_face_folders_run_every_layer_and_attention(string family, int layers)
    {
        using var tmp = new TempFolder();
        string folder = Path.Combine(TestPaths.Reference, "modern", family + "-tiny");
        var r = CliRunner.Run("vectors", "-m", folder, "--words", Words(tmp), "--layer", "all", "--context", "none",
            "--subword", "mean", "--out", tmp.File("v.npy"));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal([layers + 3, 5, 32], NpyFile.Read(tmp.File("v.npy")).Shape);
        var a = CliRunner.Run("attention", "-m", folder, "--text", "The cat sat on the mat.", "--out", tmp.File("att"));
        Assert.True(a.ExitCode == 0, a.ToString());
        Assert.Equal(layers, NpyFile.Read(Path.Combine(tmp.File("att"), "attention.npy")).Shape[0]);
    }

    [Fact]
    public void Layers_rsa_and_grid_across_the_families()
    {
        using var tmp = new TempFolder();
        string words = Words(tmp);
        var layers = CliRunner.Run("layers", "-m", Gguf("gemma3"), "-m", Path.Combine(TestPaths.Reference, "modern", "phi3-tiny"), "--words", words, "--subword", "mean",
            "--permutations", "9", "--out", tmp.File("layers"));
        Assert.True(layers.ExitCode == 0, layers.ToString());
        Assert.True(File.Exists(Path.Combine(tmp.File("layers"), "results.json")));
        var rsa = CliRunner.Run("rsa", "-m", Gguf("gemma2"), "-m", Gguf("olmo2"), "--words", words, "--subword", "mean",
            "--permutations", "9", "--seed", "1", "--out", tmp.File("rsa"));
        Assert.True(rsa.ExitCode == 0, rsa.ToString());
        var plan = CliRunner.Run("grid", "plan", "-m", Gguf("gemma2"), "-m", Gguf("olmo2"), "--words", words, "--subword", "mean",
            "--measures", "pearson", "--permutations", "9", "--out", tmp.File("grid"));
        Assert.True(plan.ExitCode == 0, plan.ToString());
        var grid = CliRunner.Run("grid", "run", "--plan", tmp.File("grid"));
        Assert.True(grid.ExitCode == 0, grid.ToString());
        Assert.True(File.Exists(Path.Combine(tmp.File("grid"), "results.json")));
    }
}
