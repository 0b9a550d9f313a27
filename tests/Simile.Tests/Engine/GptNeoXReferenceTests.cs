using Simile.Engine;
using Simile.Models;
using Simile.Models.Gguf;
using Simile.Models.HuggingFace;
using Xunit;

namespace Simile.Tests.Engine;

/// <summary>
/// GPT-NeoX against the float64 references of tests/reference/modern (written from modeling_gpt_neox.py): gpt-neox-tiny
/// (F16 safetensors, parallel residual, rotary_pct 0.25, vocabulary padded past the tokenizer) and the Pythia-style
/// training checkpoint pythia-tiny/step1000 (F32, sequential residual, rotary_pct 0.5, rotary inv_freq buffers in the
/// file), from their folders and from their GGUF copies in llama.cpp's converter layout. Every layer of every input,
/// 1e-4 absolute (float32 pass against float64, states of magnitude up to ~15).
/// </summary>
public class GptNeoXReferenceTests
{
    private const double Tolerance = 1e-4;
    private static string Modern => Path.Combine(TestPaths.Reference, "modern");

    public static TheoryData<string, string> Folders => new()
    {
        { "gpt-neox-tiny", "gpt-neox-tiny-expected.json" },
        { Path.Combine("pythia-tiny", "step1000"), "pythia-tiny-step1000-expected.json" },
    };

    [Theory]
    [MemberData(nameof(Folders))]
    public void EveryLayerOfTheFolderMatchesTheReference(string folder, string expected)
    {
        using var doc = FamilyReference.Load(expected);
        string path = Path.Combine(Modern, folder);
        var config = HuggingFaceConfig.Load(path).Decoder!;
        Assert.Equal(DecoderFamily.GptNeoX, config.Family);
        using var ckpt = SafetensorsCheckpoint.Open(path);
        using var weights = new SafetensorsDecoderWeights(ckpt, config);
        var model = new GptNeoXModel(weights);
        Assert.Equal(["token", "0", .. Enumerable.Range(1, config.Layers).Select(i => i.ToString()), "final"], model.Labels);
        FamilyReference.Check(model, doc, Tolerance, decoder: true);
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void TheFolderOpensAsAModelWithItsTokenizer(string folder, string expected)
    {
        using var doc = FamilyReference.Load(expected);
        using var model = HuggingFaceModel.Open(Path.Combine(Modern, folder));
        Assert.True(model.UsesLeadingSpace);
        var inputs = doc.RootElement.GetProperty("inputs").EnumerateArray().ToList();
        var runs = model.Run(inputs.Select(i => i.GetProperty("text").GetString()!).ToList(), withAttention: false);
        for (int k = 0; k < inputs.Count; k++)
        {
            Assert.Equal(inputs[k].GetProperty("ids").EnumerateArray().Select(v => v.GetInt32()), runs[k].Input.Ids);
            Assert.Equal(inputs[k].GetProperty("tokens").EnumerateArray().Select(v => v.GetString()!), runs[k].Input.Pieces);
            double d = HiddenStateReference.MaxDiff(runs[k].Hidden[^1], HiddenStateReference.Rows(inputs[k].GetProperty("final_norm")));
            Assert.True(d <= Tolerance, $"input {k} final: {d:E3}");
        }
        // A word alone is " word" (Ġgalaxy, one token): its vector is that row of embed_in.
        var set = model.Vectors(["galaxy"], SubwordPolicy.Error);
        var row = HiddenStateReference.Rows(inputs[0].GetProperty("layers").GetProperty("0"))[0];
        for (int j = 0; j < row.Length; j++) Assert.Equal(row[j], set.Vectors[0, j], 6);
    }

    public static TheoryData<string, string> GgufFiles => new()
    {
        { "gpt-neox-tiny-F32.gguf", "gpt-neox-tiny-expected.json" },
        { "pythia-tiny-step1000-F32.gguf", "pythia-tiny-step1000-expected.json" },
    };

    [Theory]
    [MemberData(nameof(GgufFiles))]
    public void EveryLayerOfTheGgufCopyMatchesTheReference(string file, string expected)
    {
        using var doc = FamilyReference.Load(expected);
        using var weights = GgufGptNeoXWeights.Open(Path.Combine(Modern, file));
        var hf = doc.RootElement.GetProperty("config");
        Assert.Equal(hf.GetProperty("use_parallel_residual").GetBoolean(), weights.Config.ParallelResidual);
        Assert.Equal((int)(hf.GetProperty("rotary_pct").GetDouble() * 16), weights.Config.RotaryDims);
        Assert.Equal(10000, weights.Config.RopeTheta);   // no rope base in the file: llama.cpp's default
        FamilyReference.Check(new GptNeoXModel(weights), doc, Tolerance, decoder: true);
    }

    [Fact]
    public void TheGgufFileOpensAsAModel()
    {
        using var doc = FamilyReference.Load("gpt-neox-tiny-expected.json");
        using var model = GgufModel.Open(Path.Combine(Modern, "gpt-neox-tiny-F32.gguf"));
        Assert.Equal(["token", "0", "1", "2", "3", "final"], model.RepresentationLabels);
        var input = doc.RootElement.GetProperty("inputs")[7];
        var run = model.Run([input.GetProperty("text").GetString()!], withAttention: false)[0];
        Assert.Equal(input.GetProperty("ids").EnumerateArray().Select(v => v.GetInt32()), run.Input.Ids);
        double d = HiddenStateReference.MaxDiff(run.Hidden[^1], HiddenStateReference.Rows(input.GetProperty("final_norm")));
        Assert.True(d <= Tolerance, $"final: {d:E3}");
    }

    [Theory]
    [InlineData("\"num_attention_heads\": 0", "num_attention_heads")]
    [InlineData("\"num_attention_heads\": 5", "not a multiple of num_attention_heads 5")]
    [InlineData("\"rotary_pct\": 0.1", "rotary dimensions")]
    [InlineData("\"rotary_pct\": 1.5", "rotary_pct 1.5")]
    [InlineData("\"hidden_act\": \"relu\"", "hidden_act \"relu\"")]
    [InlineData("\"layer_norm_eps\": 0", "layer_norm_eps 0")]
    [InlineData("\"use_parallel_residual\": 3", "use_parallel_residual")]
    [InlineData("\"rope_scaling\": {\"type\": \"dynamic\", \"factor\": 2.0}", "rope_scaling")]
    public void ABadConfigIsOneLine(string field, string message)
    {
        string json = File.ReadAllText(Path.Combine(Modern, "gpt-neox-tiny", "config.json"));
        string name = field[1..field.IndexOf('"', 1)];
        var fields = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        fields[name] = System.Text.Json.Nodes.JsonNode.Parse("{" + field + "}")![name]!.DeepClone();
        var e = Assert.Throws<SimileException>(() => HuggingFaceConfig.Parse(System.Text.Encoding.UTF8.GetBytes(fields.ToJsonString()), "config.json"));
        Assert.Contains(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
