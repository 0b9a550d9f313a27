using System.Diagnostics;
using System.Text;
using Simile.Models.HuggingFace;
using Xunit;

namespace Simile.Tests.Models.HuggingFace;

public class ConfigTests
{
    private const string Bert = "{\"model_type\":\"bert\",\"hidden_size\":384,\"num_hidden_layers\":6,\"num_attention_heads\":12,\"intermediate_size\":1536," +
                                "\"max_position_embeddings\":512,\"type_vocab_size\":2,\"vocab_size\":30522,\"layer_norm_eps\":1e-12,\"hidden_act\":\"gelu\"}";
    private const string Gpt2 = "{\"model_type\":\"gpt2\",\"n_embd\":768,\"n_layer\":12,\"n_head\":12,\"n_positions\":1024,\"vocab_size\":50257," +
                                "\"layer_norm_epsilon\":1e-5,\"activation_function\":\"gelu_new\",\"n_inner\":null}";

    private static HuggingFaceConfig Parse(string json) => HuggingFaceConfig.Parse(Encoding.UTF8.GetBytes(json), "/m/config.json");

    [Fact]
    public void ReadsBertAndGpt2()
    {
        var b = Parse(Bert);
        Assert.Equal(("bert", 384, 6, 12, 1536, 512, 2, 30522, 1e-12, "gelu"),
            (b.ModelType, b.HiddenSize, b.Layers, b.Heads, b.IntermediateSize, b.MaxPositions, b.TypeVocabSize, b.VocabSize, b.LayerNormEpsilon, b.Activation));
        Assert.Equal(32, b.HeadDim);
        var g = Parse(Gpt2);
        Assert.Equal(("gpt2", 768, 12, 12, 3072, 1024, 50257, 1e-5), (g.ModelType, g.HiddenSize, g.Layers, g.Heads, g.IntermediateSize, g.MaxPositions, g.VocabSize, g.LayerNormEpsilon));
    }

    [Theory]
    [InlineData("\"hidden_size\":384,", "", "hidden_size")]
    [InlineData("\"num_attention_heads\":12", "\"num_attention_heads\":7", "not a multiple")]
    [InlineData("\"hidden_act\":\"gelu\"", "\"hidden_act\":\"relu\"", "relu")]
    [InlineData("\"model_type\":\"bert\"", "\"model_type\":\"llama\"", "activation \"gelu\"")]   // a Llama needs SiLU
    [InlineData("\"vocab_size\":30522", "\"vocab_size\":\"many\"", "vocab_size")]
    [InlineData("\"vocab_size\":30522", "\"vocab_size\":-3", "vocab_size")]
    public void BadFieldsAreNamed(string from, string to, string expected)
    {
        var e = Assert.Throws<SimileException>(() => Parse(Bert.Replace(from, to)));
        Assert.Contains(expected, e.Message);
        Assert.Contains("config.json", e.Message);
    }

    [Fact]
    public void ShapesAreCheckedAgainstTheConfig()
    {
        using var dir = new TempFolder();
        var tiny = TinyModel.Bert(2);
        tiny.WriteFolder(dir.Path);
        File.WriteAllText(dir.File("config.json"), tiny.ConfigJson().Replace("\"intermediate_size\":24", "\"intermediate_size\":32"));
        var e = Assert.Throws<SimileException>(() => HuggingFaceModel.Open(dir.Path));
        Assert.Contains("bert.encoder.layer.0.intermediate.dense.weight", e.Message);
        Assert.Contains("[24, 16]", e.Message);
        Assert.Contains("[32, 16]", e.Message);
    }

    [Fact]
    public void MissingTensorIsNamed()
    {
        using var dir = new TempFolder();
        var tiny = TinyModel.Gpt2(2);
        tiny.Tensors.RemoveAll(t => t.Name == "transformer.h.1.ln_2.bias");
        tiny.WriteFolder(dir.Path);
        var e = Assert.Throws<SimileException>(() => HuggingFaceModel.Open(dir.Path));
        Assert.Contains("transformer.h.1.ln_2.bias", e.Message);
    }

    /// <summary>A copy of the tiny Llama folder (285 vocabulary entries, 2 added tokens, vocab_size 287) whose
    /// tokenizer.json gets one more token, with id 287: past the embedding matrix.</summary>
    private static TempFolder LlamaWithTokenPastTheMatrix(bool added)
    {
        var dir = new TempFolder();
        string source = Path.Combine(TestPaths.Reference, "modern", "llama-tiny");
        foreach (var f in Directory.GetFiles(source)) File.Copy(f, dir.File(Path.GetFileName(f)));
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(dir.File("tokenizer.json")))!;
        if (added)
            json["added_tokens"]!.AsArray().Add(new System.Text.Json.Nodes.JsonObject { ["id"] = 287, ["content"] = "<image_soft_token>", ["special"] = true });
        else
            json["model"]!["vocab"]!.AsObject().Add("zzzz", 287);
        File.WriteAllText(dir.File("tokenizer.json"), json.ToJsonString());
        return dir;
    }

    [Fact]
    public void AnAddedTokenPastTheEmbeddingMatrixIsAllowedUntilATextUsesIt()
    {
        // Gemma 3 1B's tokenizer has <image_soft_token> at id 262144 of a 262,144-row matrix; transformers opens it.
        using var dir = LlamaWithTokenPastTheMatrix(added: true);
        using var model = HuggingFaceModel.Open(dir.Path);
        var words = Simile.Analyses.Layers.ContextualVectors.Compute(model, ["the"], Simile.Analyses.Layers.ContextSpec.None);
        Assert.Equal(model.Info.Layers + 3, words.Labels.Count);     // token, 0 … L, final
        var e = Assert.Throws<SimileException>(() =>
            Simile.Analyses.Layers.ContextualVectors.Compute(model, ["the"], Simile.Analyses.Layers.ContextSpec.FromTemplates(["a <image_soft_token> {word}"])));
        Assert.Contains("token id 287", e.Message);
        Assert.Contains("287-row embedding matrix", e.Message);
    }

    [Fact]
    public void AVocabularyEntryPastTheEmbeddingMatrixIsRefused()
    {
        using var dir = LlamaWithTokenPastTheMatrix(added: false);
        var e = Assert.Throws<SimileException>(() => HuggingFaceModel.Open(dir.Path));
        Assert.Contains("288 tokens", e.Message);
        Assert.Contains("'zzzz'", e.Message);
        Assert.Contains("vocab_size 287", e.Message);
    }

    /// <summary>Mutated config.json bytes: Parse succeeds or throws SimileException, never anything else.</summary>
    [Fact]
    public void FuzzedConfigsOnlyEverThrowSimileException()
    {
        var rng = new Random(424242);
        string[] values = ["0", "-1", "1e309", "2147483648", "null", "true", "\"x\"", "[]", "{}", "1.5", "\"gelu\"", "\"gpt2\"", "\"bert\""];
        const int Inputs = 5000;   // a fixed count, so every machine tries the same inputs
        int tried = 0;
        while (tried < Inputs)
        {
            string baseJson = rng.Next(2) == 0 ? Bert : Gpt2;
            byte[] b;
            if (rng.Next(3) == 0)
            {
                b = Encoding.UTF8.GetBytes(baseJson);
                for (int k = rng.Next(1, 4); k > 0; k--) b[rng.Next(b.Length)] = (byte)rng.Next(256);
            }
            else
            {
                // Replace one value after a colon.
                var parts = baseJson.Split(',');
                int i = rng.Next(parts.Length);
                int colon = parts[i].IndexOf(':');
                parts[i] = parts[i][..(colon + 1)] + values[rng.Next(values.Length)] + (parts[i].EndsWith('}') ? "}" : "");
                b = Encoding.UTF8.GetBytes(string.Join(",", parts));
            }
            tried++;
            try { Parse(Encoding.UTF8.GetString(b)); } catch (SimileException) { }
        }
        Assert.Equal(Inputs, tried);
    }
}
