using System.Text.Json;
using Simile.Analyses;
using Simile.Data;
using Simile.Tests.Cli;
using Simile.Tests.Data;
using Xunit;

namespace Simile.Tests.Cli;

[Collection(ConsoleCollection.Name)]
public class AttentionCommandTests
{
    private static readonly byte[] PngMagic = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static void AssertRowsSumToOne(NpyArray npy)
    {
        int t = npy.Shape[3];
        long matrices = npy.Length / ((long)t * t);
        Assert.True(matrices > 0);
        for (long m = 0; m < matrices; m++)
            for (int q = 0; q < t; q++)
            {
                double sum = 0;
                for (int k = 0; k < t; k++)
                {
                    float v = npy.Float32![(m * t + q) * t + k];
                    Assert.InRange(v, 0f, 1f);
                    sum += v;
                }
                Assert.Equal(1.0, sum, 4);
            }
    }

    [Fact]
    public void MiniLmSelectedLayersAndHeads()
    {
        using var dir = new TempFolder();
        string outDir = Path.Combine(dir.Path, "att");
        var r = CliRunner.Run("attention", "--model", "minilm", "--text", "The cat sat on the mat.",
            "--layers", "0,5", "--heads", "0,3-4", "--per-head", "no", "--out", outDir);
        Assert.True(r.ExitCode == 0, r.ToString());

        var npy = NpyFile.Read(Path.Combine(outDir, "attention.npy"));
        Assert.Equal(NpyDType.Float32, npy.DType);
        int t = npy.Shape[3];
        Assert.Equal([2, 3, t, t], npy.Shape);
        AssertRowsSumToOne(npy);

        var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "attention.json"))).RootElement;
        var pieces = json.GetProperty("pieces").EnumerateArray().Select(p => p.GetString()).ToArray();
        Assert.Equal(t, pieces.Length);
        Assert.Equal("[CLS]", pieces[0]);
        Assert.Equal("[SEP]", pieces[^1]);
        Assert.Contains("cat", pieces);
        Assert.Equal(t, json.GetProperty("offsets").GetArrayLength());
        Assert.Equal(t, json.GetProperty("tokens").GetArrayLength());
        Assert.Equal([0, 5], json.GetProperty("layers").EnumerateArray().Select(x => x.GetInt32()));
        Assert.Equal(["layer 0", "layer 5"], json.GetProperty("layer_labels").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal([0, 3, 4], json.GetProperty("heads").EnumerateArray().Select(x => x.GetInt32()));
        Assert.Equal([2, 3, t, t], json.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()));
        Assert.Equal(6, json.GetProperty("model_layers").GetInt32());
        Assert.Equal(12, json.GetProperty("model_heads").GetInt32());

        foreach (var name in new[] { "layer-0.png", "layer-5.png" })
            Assert.Equal(PngMagic, File.ReadAllBytes(Path.Combine(outDir, name)).Take(8));
        Assert.False(Directory.Exists(Path.Combine(outDir, "heads")));
        Assert.Equal(["attention.json", "attention.npy", "layer-0.png", "layer-5.png"],
            Directory.GetFiles(outDir).Select(Path.GetFileName).OrderBy(s => s, StringComparer.Ordinal));
    }

    [Fact]
    public void PerHeadFiles()
    {
        using var dir = new TempFolder();
        string outDir = Path.Combine(dir.Path, "att");
        var r = CliRunner.Run("attention", "--model", "minilm", "--text", "Stars shine.", "--layers", "2", "--heads", "1,7", "--out", outDir);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(["layer-2-head-1.png", "layer-2-head-7.png"],
            Directory.GetFiles(Path.Combine(outDir, "heads")).Select(Path.GetFileName).OrderBy(s => s, StringComparer.Ordinal));
    }

    [Fact]
    public void BadLayerIsOneLineAndWritesNothing()
    {
        using var dir = new TempFolder();
        string outDir = Path.Combine(dir.Path, "att");
        var r = CliRunner.Run("attention", "--model", "minilm", "--text", "The cat sat.", "--layers", "6", "--out", outDir);
        Assert.True(r.ExitCode == 2, r.ToString());
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains("--layers '6'", lines[0]);
        Assert.Contains("0 to 5", lines[0]);
        Assert.False(Directory.Exists(outDir));

        r = CliRunner.Run("attention", "--model", "minilm", "--text", "The cat sat.", "--heads", "12", "--out", outDir);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("0 to 11", r.Stderr);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void Gpt2AttentionIsCausal()
    {
        using var dir = new TempFolder();
        string folder = Path.Combine(dir.Path, "tiny-gpt2");
        Directory.CreateDirectory(folder);
        Models.HuggingFace.TinyModel.Gpt2(3).WriteFolder(folder);
        string outDir = Path.Combine(dir.Path, "att");
        var r = CliRunner.Run("attention", "--model", folder, "--text", "the cat sat", "--per-head", "no", "--out", outDir);
        Assert.True(r.ExitCode == 0, r.ToString());
        var npy = NpyFile.Read(Path.Combine(outDir, "attention.npy"));
        int t = npy.Shape[3];
        Assert.Equal([2, 4, t, t], npy.Shape);
        Assert.True(t >= 3);
        AssertRowsSumToOne(npy);
        for (long m = 0; m < 2 * 4; m++)
            for (int q = 0; q < t; q++)
                for (int k = q + 1; k < t; k++)
                    Assert.Equal(0f, npy.Float32![(m * t + q) * t + k]);
        Assert.True(File.Exists(Path.Combine(outDir, "layer-1.png")));
    }

    [Fact]
    public void NativeEngineAttentionAgreesWithOnnxRuntime()
    {
        AttentionExport Run(TransformerEngine engine)
        {
            using var model = TransformerBackend.Open("minilm", engine);
            return AttentionExport.Compute(model, "The cat sat on the mat.", "0,5", "all");
        }
        var onnx = Run(TransformerEngine.Onnx);
        var native = Run(TransformerEngine.Native);
        Assert.Equal(onnx.Shape, native.Shape);
        Assert.Equal(onnx.Input.Ids, native.Input.Ids);
        double worst = 0;
        for (int i = 0; i < onnx.Values.Length; i++) worst = Math.Max(worst, Math.Abs(onnx.Values[i] - native.Values[i]));
        Assert.True(worst < 1e-3, $"max |onnx - native| = {worst}");
    }

    [Fact]
    public void EngineErrors()
    {
        using var dir = new TempFolder();
        var r = CliRunner.Run("attention", "--model", "minilm", "--text", "a b c", "--engine", "gpu", "--out", dir.File("x"));
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("--engine 'gpu'", r.Stderr);
        string folder = Path.Combine(dir.Path, "tiny-gpt2");
        Directory.CreateDirectory(folder);
        Models.HuggingFace.TinyModel.Gpt2(1).WriteFolder(folder);
        r = CliRunner.Run("attention", "--model", folder, "--text", "the cat", "--engine", "onnx", "--out", dir.File("x"));
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("not an ONNX graph", r.Stderr);
        Assert.False(Directory.Exists(dir.File("x")));
    }

    [Theory]
    [InlineData("all", 4, new[] { 0, 1, 2, 3 })]
    [InlineData("3,0", 4, new[] { 3, 0 })]
    [InlineData("1-3", 6, new[] { 1, 2, 3 })]
    public void ParseSelection(string spec, int count, int[] expected) =>
        Assert.Equal(expected, AttentionExport.ParseSelection(spec, count, "--layers", "layer"));

    [Theory]
    [InlineData("4")]
    [InlineData("-1")]
    [InlineData("x")]
    [InlineData("3-1")]
    public void ParseSelectionRejects(string spec) =>
        Assert.Throws<SimileException>(() => AttentionExport.ParseSelection(spec, 4, "--layers", "layer"));
}

/// <summary>Help text goes through Spectre markup: a stray [ ] in a description makes it an internal error (exit 1).
/// Spectre writes help to its own console, so only the exit code and stderr are checked.</summary>
[Collection(ConsoleCollection.Name)]
public class VerbHelpTests
{
    [Theory]
    [InlineData("vectors", "--help")]
    [InlineData("attention", "--help")]
    [InlineData("--help")]
    public void HelpRenders(params string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("", r.Stderr);
    }
}
