using System.Text;
using Simile.Models.Gguf;
using Simile.Models.HuggingFace;
using Simile.Tests.Cli;
using Simile.Tests.Models.Gguf;
using Xunit;

namespace Simile.Tests.Models.HuggingFace;

/// <summary>
/// Configurations a forward pass cannot run are refused when they are read, in one line naming the field: config.json
/// of every family (including architectures read only for their token embeddings) and GGUF metadata alike.
/// </summary>
[Collection(ConsoleCollection.Name)]
public class ConfigValidationTests
{
    private static string LlamaConfig => File.ReadAllText(Path.Combine(TestPaths.Reference, "modern", "llama-tiny", "config.json"));

    private static SimileException Refused(string json)
    {
        var e = Assert.Throws<SimileException>(() => HuggingFaceConfig.Parse(Encoding.UTF8.GetBytes(json), "/m/config.json"));
        Assert.DoesNotContain('\n', e.OneLine);
        Assert.Contains("/m/config.json", e.Message);
        return e;
    }

    private static string Set(string json, string field, string value)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        if (value == "absent") node.Remove(field); else node[field] = System.Text.Json.Nodes.JsonNode.Parse(value);
        return node.ToJsonString();
    }

    [Theory]
    [InlineData("num_attention_heads", "0", "field 'num_attention_heads' is 0")]
    [InlineData("num_attention_heads", "-4", "field 'num_attention_heads' is -4")]
    [InlineData("num_key_value_heads", "0", "field 'num_key_value_heads' is 0")]
    [InlineData("num_key_value_heads", "3", "num_attention_heads 4 is not a multiple of num_key_value_heads 3")]
    [InlineData("num_key_value_heads", "8", "num_attention_heads 4 is not a multiple of num_key_value_heads 8")]
    [InlineData("num_hidden_layers", "0", "field 'num_hidden_layers' is 0")]
    [InlineData("vocab_size", "0", "field 'vocab_size' is 0")]
    [InlineData("hidden_size", "0", "field 'hidden_size' is 0")]
    [InlineData("rms_norm_eps", "0", "rms_norm_eps 0 is not in (0, 1]")]
    [InlineData("rms_norm_eps", "-1e-5", "rms_norm_eps -1E-05 is not in (0, 1]")]
    [InlineData("head_dim", "0", "field 'head_dim' is 0")]
    [InlineData("head_dim", "15", "head_dim 15 is odd")]
    public void LlamaFamilyConfigsAreChecked(string field, string value, string expected)
    {
        Assert.Contains(expected, Refused(Set(LlamaConfig, field, value)).Message);
    }

    [Fact]
    public void AHeadDimThatDoesNotDivideIsNamedWhenItIsDerived()
    {
        string json = Set(Set(LlamaConfig, "head_dim", "absent"), "num_attention_heads", "3");
        json = Set(json, "num_key_value_heads", "3");
        var e = Refused(json);
        Assert.Contains("hidden_size 64 is not a multiple of num_attention_heads 3, and no head_dim is given", e.Message);
        // given explicitly, a head_dim that does not divide hidden_size is what Qwen3 and Gemma do: accepted
        var ok = HuggingFaceConfig.Parse(Encoding.UTF8.GetBytes(Set(json, "head_dim", "16")), "/m/config.json");
        Assert.Equal(16, ok.Decoder!.HeadDim);
    }

    [Fact]
    public void TokenEmbeddingsOnlyConfigsRefuseNonPositiveSizesAndNeverDivideByZero()
    {
        const string falcon = "{\"model_type\":\"falcon\",\"architectures\":[\"FalconForCausalLM\"],\"hidden_size\":64,\"vocab_size\":100}";
        var c = HuggingFaceConfig.Parse(Encoding.UTF8.GetBytes(falcon), "/m/config.json");
        Assert.NotNull(c.Unsupported);
        Assert.Equal(0, c.Heads);
        Assert.Equal(0, c.HeadDim);   // was hidden / 0
        Assert.Contains("field 'num_attention_heads' is 0", Refused(Set(falcon, "num_attention_heads", "0")).Message);
        Assert.Contains("field 'hidden_size' is -64", Refused(Set(falcon, "hidden_size", "-64")).Message);
    }

    [Theory]
    [InlineData("{\"model_type\":\"bert\",\"hidden_size\":384,\"num_hidden_layers\":6,\"num_attention_heads\":0,\"intermediate_size\":1536,\"max_position_embeddings\":512,\"vocab_size\":30522}", "num_attention_heads")]
    [InlineData("{\"model_type\":\"gpt2\",\"n_embd\":768,\"n_layer\":12,\"n_head\":-1,\"n_positions\":1024,\"vocab_size\":50257}", "n_head")]
    [InlineData("{\"model_type\":\"gpt2\",\"n_embd\":768,\"n_layer\":12,\"n_head\":12,\"n_positions\":1024,\"vocab_size\":50257,\"layer_norm_epsilon\":0}", "epsilon 0 is not in (0, 1]")]
    public void BertAndGpt2HeadsAndEpsilonAreChecked(string json, string expected)
    {
        Assert.Contains(expected, Refused(json).Message);
    }

    [Fact]
    public void TheCliPrintsTheSameOneLine()
    {
        using var tmp = new TempFolder();
        foreach (var f in Directory.GetFiles(Path.Combine(TestPaths.Reference, "modern", "llama-tiny")))
            File.Copy(f, tmp.File(Path.GetFileName(f)));
        File.WriteAllText(tmp.File("config.json"), Set(LlamaConfig, "num_attention_heads", "0"));
        var r = CliRunner.Run("inspect", tmp.Path);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("simile: error: '" + tmp.File("config.json") + "': field 'num_attention_heads' is 0", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }

    // ------------------------------------------------------------------ GGUF metadata → the same checks

    private static GgufWriter Gguf(uint heads = 4, uint? kv = null, float eps = 1e-5f, uint hidden = 32, uint? keyLength = null)
    {
        var w = new GgufWriter()
            .String("general.architecture", "llama")
            .U32("llama.embedding_length", hidden)
            .U32("llama.block_count", 1)
            .U32("llama.attention.head_count", heads)
            .U32("llama.feed_forward_length", 32)
            .F32("llama.attention.layer_norm_rms_epsilon", eps)
            .AddArray("tokenizer.ggml.tokens", GgufValueType.String, new[] { "a", "b", "c" })
            .TensorF32("token_embd.weight", [hidden, 3], new float[hidden * 3]);
        if (kv is { } k) w.U32("llama.attention.head_count_kv", k);
        if (keyLength is { } kl) w.U32("llama.attention.key_length", kl);
        return w;
    }

    private static SimileException GgufRefused(GgufWriter w)
    {
        using var tmp = new TempFolder();
        string path = tmp.File("m.gguf");
        File.WriteAllBytes(path, w.ToBytes());
        var e = Assert.Throws<SimileException>(() => { using var d = GgufDecoderWeights.Open(path); });
        Assert.Contains("m.gguf", e.Message);
        Assert.DoesNotContain('\n', e.OneLine);
        return e;
    }

    [Fact]
    public void GgufMetadataPassesTheSameChecks()
    {
        Assert.Contains("rms_norm_eps 0 is not in (0, 1]", GgufRefused(Gguf(eps: 0)).Message);
        Assert.Contains("rms_norm_eps -1 is not in (0, 1]", GgufRefused(Gguf(eps: -1)).Message);
        Assert.Contains("embedding length 32 is not a multiple of 3 attention heads, and no key_length is given", GgufRefused(Gguf(heads: 3, kv: 3)).Message);
        Assert.Contains("4 query heads are not a multiple of 3 key/value heads", GgufRefused(Gguf(kv: 3)).Message);
        Assert.Contains("metadata 'llama.attention.head_count' is 0", GgufRefused(Gguf(heads: 0)).Message);
    }
}
