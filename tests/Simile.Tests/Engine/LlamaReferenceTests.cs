using System.Text.Json;
using Simile.Engine;
using Simile.Models;
using Simile.Models.HuggingFace;
using Simile.Models.Tokenization;
using Xunit;

namespace Simile.Tests.Engine;

/// <summary>
/// The BF16 llama-tiny checkpoint in tests/reference/modern against its float64 reference hidden states (computed
/// independently from the Hugging Face equations, confirmed against llama.cpp): every layer, every position, 1e-4.
/// </summary>
public class LlamaReferenceTests
{
    private const double Tolerance = 1e-4;
    private static string Folder => Path.Combine(TestPaths.Reference, "modern", "llama-tiny");
    private static JsonDocument Expected() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(TestPaths.Reference, "modern", "llama-tiny-expected.json")));

    private static double[][] Rows(JsonElement e) => HiddenStateReference.Rows(e);

    private static double MaxDiff(float[] actual, double[][] expected) => HiddenStateReference.MaxDiff(actual, expected);

    [Fact]
    public void HiddenStatesOfEveryLayerMatchTheReference()
    {
        using var doc = Expected();
        var inputs = doc.RootElement.GetProperty("inputs").EnumerateArray().ToList();
        using var ckpt = SafetensorsCheckpoint.Open(Folder);
        var config = HuggingFaceConfig.Load(Folder).Decoder!;
        Assert.Equal((64, 3, 4, 2, 16, 160, 287), (config.Hidden, config.Layers, config.Heads, config.KeyValueHeads, config.HeadDim, config.Intermediate, config.VocabularySize));
        using var weights = new SafetensorsDecoderWeights(ckpt, config);
        Assert.Equal("BF16", weights.StorageType("model.layers.0.mlp.up_proj.weight"));
        var model = new LlamaModel(weights);
        Assert.Equal(["token", "0", "1", "2", "3", "final"], model.Labels);

        // All inputs in one packed batch: each attends only to its own tokens.
        var sequences = inputs.Select(i => i.GetProperty("ids").EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToList();
        var outputs = model.Forward(sequences, withAttention: true);
        for (int k = 0; k < inputs.Count; k++)
        {
            var layers = inputs[k].GetProperty("layers");
            var hidden = outputs[k].Hidden;
            var zero = Rows(layers.GetProperty("0"));
            Assert.True(MaxDiff(hidden[0], zero) <= Tolerance, $"input {k} token");   // Llama: "token" = "0"
            for (int l = 0; l <= 3; l++)
            {
                double diff = MaxDiff(hidden[l + 1], Rows(layers.GetProperty(l.ToString())));
                Assert.True(diff <= Tolerance, $"input {k} layer {l}: max diff {diff:E3}");
            }
            double fin = MaxDiff(hidden[5], Rows(inputs[k].GetProperty("final_norm")));
            Assert.True(fin <= Tolerance, $"input {k} final: max diff {fin:E3}");

            if (inputs[k].TryGetProperty("attentions", out var att))
            {
                var a = att.GetProperty("1");
                int H = a.GetArrayLength(), T = sequences[k].Length;
                double worst = 0;
                for (int h = 0; h < H; h++)
                    for (int i = 0; i < T; i++)
                        for (int j = 0; j < T; j++)
                            worst = Math.Max(worst, Math.Abs(outputs[k].Attention![0][(h * T + i) * T + j] - a[h][i][j].GetDouble()));
                Assert.True(worst <= 1e-5, $"input {k} attention of block 1: max diff {worst:E3}");
            }
        }
    }

    [Fact]
    public void TheFolderRunsThroughTheModelInterfaceWithItsOwnTokenizer()
    {
        using var doc = Expected();
        using var model = HuggingFaceModel.Open(Folder);
        Assert.Equal(["token", "0", "1", "2", "3", "final"], model.RepresentationLabels);
        Assert.True(model.UsesLeadingSpace);
        var inputs = doc.RootElement.GetProperty("inputs").EnumerateArray().ToList();
        var texts = inputs.Select(i => i.GetProperty("text").GetString()!).ToList();
        var runs = model.Run(texts, withAttention: false);
        for (int k = 0; k < inputs.Count; k++)
        {
            Assert.Equal(inputs[k].GetProperty("ids").EnumerateArray().Select(v => v.GetInt32()), runs[k].Input.Ids);
            Assert.Equal(inputs[k].GetProperty("tokens").EnumerateArray().Select(v => v.GetString()!), runs[k].Input.Pieces);
            double fin = MaxDiff(runs[k].Hidden[^1], Rows(inputs[k].GetProperty("final_norm")));
            Assert.True(fin <= Tolerance, $"input {k} final: max diff {fin:E3}");
        }
        // A word's token embedding is its word-initial row (Ġgalaxy = 261), read from the BF16 matrix.
        var set = model.Vectors(["galaxy"], SubwordPolicy.Error);
        var expectedRow = Rows(inputs[0].GetProperty("layers").GetProperty("0"))[1];
        for (int j = 0; j < expectedRow.Length; j++) Assert.Equal(expectedRow[j], set.Vectors[0, j], 6);

        // The static route (rsa, --layer token) reads the same rows without building the model.
        using var embeddings = HuggingFaceModel.OpenEmbeddings(Folder);
        Assert.Equal((287, 64), embeddings.Shape);
        var same = embeddings.Vectors(["galaxy"], SubwordPolicy.Error);
        for (int j = 0; j < expectedRow.Length; j++) Assert.Equal(expectedRow[j], same.Vectors[0, j], 6);
        Assert.Contains("galaxy", embeddings.VocabularyWords());
    }
}

/// <summary>The llama-tiny byte-level BPE (Llama-3 split regex, ignore_merges) against the ids of Hugging Face tokenizers.</summary>
public class LlamaTinyTokenizerTests
{
    [Fact]
    public void TokenizerChecksMatchHuggingFaceTokenizers()
    {
        string folder = Path.Combine(TestPaths.Reference, "modern", "llama-tiny");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(TestPaths.Reference, "modern", "llama-tiny-expected.json")));
        var tok = Assert.IsType<BpeModelTokenizer>(HuggingFaceTokenizer.Load(folder, "llama"));
        Assert.Equal("byte-level-bpe", tok.Kind);
        int checkedCount = 0;
        foreach (var check in doc.RootElement.GetProperty("tokenizer_checks").EnumerateObject())
        {
            var tokens = tok.Bpe.Encode(check.Name, withSpecials: false);
            Assert.Equal(check.Value.GetProperty("ids").EnumerateArray().Select(v => v.GetInt32()), tokens.Select(t => t.Id));
            Assert.Equal(check.Value.GetProperty("tokens").EnumerateArray().Select(v => v.GetString()!), tokens.Select(t => t.Piece));
            checkedCount++;
        }
        Assert.True(checkedCount >= 7);
        // With specials: BOS from the post-processor, with an empty span; the word's token covers " galaxy".
        var text = tok.EncodeText(" galaxy");
        Assert.Equal([285, 261], text.Ids);
        Assert.Equal((0, 0), text.Offsets[0]);
        Assert.Equal((0, 7), text.Offsets[1]);
        Assert.Equal([261], tok.EncodeWord("galaxy").Ids);
    }
}
