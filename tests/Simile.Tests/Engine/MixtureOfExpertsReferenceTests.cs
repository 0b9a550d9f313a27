using Simile.Engine;
using Simile.Models;
using Simile.Models.Gguf;
using Simile.Models.HuggingFace;
using Simile.Tests.Models;
using Simile.Tests.Models.Gguf;
using Xunit;

namespace Simile.Tests.Engine;

/// <summary>
/// Mixtral and Qwen3-MoE against the float64 references of tests/reference/modern (written from modeling_mixtral.py and
/// modeling_qwen3_moe.py: softmax router, top-k, renormalisation as each config says): mixtral-tiny (BF16, 4 experts,
/// top 2, grouped-query attention), qwen3-moe-tiny (F32, 6 experts, top 2, norm_topk_prob true, q/k norms, head_dim ≠
/// hidden/heads) and qwen3-moe-dense-tiny (BF16, a dense layer from mlp_only_layers, 5 experts, top 3, no
/// renormalisation), from their folders; the first two also from their GGUF copies (llama with experts, qwen3moe). Every
/// layer of every input at 1e-4; the experts read for each input are exactly those the reference routes its tokens to
/// ("experts" in the expected file), each read once.
/// </summary>
public class MixtureOfExpertsReferenceTests
{
    private const double Tolerance = 1e-4;
    private static string Modern => Path.Combine(TestPaths.Reference, "modern");

    public static TheoryData<string, string> Folders => new()
    {
        { "mixtral-tiny", "mixtral-tiny-expected.json" },
        { "qwen3-moe-tiny", "qwen3-moe-tiny-expected.json" },
        { "qwen3-moe-dense-tiny", "qwen3-moe-dense-tiny-expected.json" },
    };

    [Theory]
    [MemberData(nameof(Folders))]
    public void EveryLayerOfTheFolderMatchesTheReference(string folder, string expected)
    {
        using var doc = FamilyReference.Load(expected);
        string path = Path.Combine(Modern, folder);
        var config = HuggingFaceConfig.Load(path).Decoder!;
        using var ckpt = SafetensorsCheckpoint.Open(path);
        using var weights = new SafetensorsDecoderWeights(ckpt, config);
        var model = new LlamaModel(weights);
        FamilyReference.Check(model, doc, Tolerance, decoder: true);
    }

    public static TheoryData<string, string> GgufFiles => new()
    {
        { "mixtral-tiny-F32.gguf", "mixtral-tiny-expected.json" },
        { "qwen3-moe-tiny-F32.gguf", "qwen3-moe-tiny-expected.json" },
    };

    [Theory]
    [MemberData(nameof(GgufFiles))]
    public void EveryLayerOfTheGgufCopyMatchesTheReference(string file, string expected)
    {
        using var doc = FamilyReference.Load(expected);
        using var weights = GgufDecoderWeights.Open(Path.Combine(Modern, file));
        var hf = doc.RootElement.GetProperty("config");
        Assert.Equal(hf.GetProperty("architectures")[0].GetString(), weights.Config.Architecture);
        Assert.Equal(hf.GetProperty("num_experts_per_tok").GetInt32(), weights.Config.ExpertsPerToken);
        Assert.True(weights.Config.NormalizeTopK);
        FamilyReference.Check(new LlamaModel(weights), doc, Tolerance, decoder: true);
    }

    [Fact]
    public void TheFolderAndTheGgufFileOpenAsModels()
    {
        using var doc = FamilyReference.Load("qwen3-moe-tiny-expected.json");
        var input = doc.RootElement.GetProperty("inputs")[7];
        foreach (var model in new[] { HuggingFaceModel.Open(Path.Combine(Modern, "qwen3-moe-tiny")), GgufModel.Open(Path.Combine(Modern, "qwen3-moe-tiny-F32.gguf")) })
            using (model)
            {
                Assert.Equal(["token", "0", "1", "2", "3", "final"], model.RepresentationLabels);
                var run = model.Run([input.GetProperty("text").GetString()!], withAttention: false)[0];
                Assert.Equal(input.GetProperty("ids").EnumerateArray().Select(v => v.GetInt32()), run.Input.Ids);
                double d = HiddenStateReference.MaxDiff(run.Hidden[^1], HiddenStateReference.Rows(input.GetProperty("final_norm")));
                Assert.True(d <= Tolerance, $"final: {d:E3}");
            }
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void OnlyTheExpertsTheRouterChoosesAreRead(string folder, string expected)
    {
        // Each input alone: the experts whose weights the pass reads in a layer are exactly those the reference routes
        // that input's tokens to, each read once.
        using var doc = FamilyReference.Load(expected);
        string path = Path.Combine(Modern, folder);
        var config = HuggingFaceConfig.Load(path).Decoder!;
        using var ckpt = SafetensorsCheckpoint.Open(path);
        using var inner = new SafetensorsDecoderWeights(ckpt, config);
        foreach (var input in doc.RootElement.GetProperty("inputs").EnumerateArray())
        {
            var log = new ReadLog(inner);
            new LlamaModel(log).Forward([input.GetProperty("ids").EnumerateArray().Select(v => v.GetInt32()).ToArray()], withAttention: false);
            foreach (var layer in input.GetProperty("experts").EnumerateObject())
            {
                int l = int.Parse(layer.Name);
                var routed = layer.Value.EnumerateArray().SelectMany(t => t.EnumerateArray().Select(v => v.GetInt32())).Distinct().Order().ToList();
                var read = Enumerable.Range(0, config.Experts).Where(e => log.Reads.Contains(MixtureOfExperts.ExpertNames(config, l, e).Gate)).ToList();
                Assert.Equal(routed, read);
                foreach (int e in read) Assert.Single(log.Reads, n => n == MixtureOfExperts.ExpertNames(config, l, e).Down);
            }
        }
    }

    [Theory]
    [InlineData("mixtral-tiny", "\"num_experts_per_tok\": 5", "num_experts_per_tok 5 is more than the 4 experts")]
    [InlineData("mixtral-tiny", "\"num_local_experts\": 0", "num_local_experts")]
    [InlineData("qwen3-moe-tiny", "\"mlp_only_layers\": [7]", "mlp_only_layers")]
    [InlineData("qwen3-moe-tiny", "\"num_experts_per_tok\": 0", "num_experts_per_tok")]
    [InlineData("qwen3-moe-tiny", "\"num_key_value_heads\": 3", "not a multiple of num_key_value_heads 3")]
    public void ABadConfigIsOneLine(string folder, string field, string message)
    {
        var fields = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Modern, folder, "config.json")))!.AsObject();
        string name = field[1..field.IndexOf('"', 1)];
        fields[name] = System.Text.Json.Nodes.JsonNode.Parse("{" + field + "}")![name]!.DeepClone();
        var e = Assert.Throws<SimileException>(() => HuggingFaceConfig.Parse(System.Text.Encoding.UTF8.GetBytes(fields.ToJsonString()), "config.json"));
        Assert.Contains(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    // ---- experts stored quantized (Ollama's MoE files): multiplied in integers as the dense projections are

    [Theory]
    [InlineData("Q8_0", false)]
    [InlineData("Q4_K", false)]
    [InlineData("Q6_K", false)]
    [InlineData("Q8_0", true)]
    [InlineData("Q4_K", true)]
    [InlineData("Q6_K", true)]
    public void Quantized_experts_are_multiplied_in_integers_close_to_the_float32_pass(string typeName, bool attentionF32)
    {
        var type = Enum.Parse<GgmlType>(typeName);
        bool k = type != GgmlType.Q8_0;
        using var tmp = new TempFolder();
        // Widths: whole blocks of 32 (Q8_0) or 256 (k-quants) for every matrix. Every token takes all 4 experts (their
        // weights still from the router): with top-k < E a choice flips wherever two router probabilities lie within the
        // rounding noise, and that token's output then differs by O(1) in any quantized pass (llama.cpp's too), which
        // says nothing about the products. Which experts are read for which rows is the float32 tests' subject.
        var shape = k ? new QuantizedMoeGguf.Shape(D: 256, H: 4, KV: 2, Hd: 64, E: 4, K: 4, ExpertI: 256, V: 12, L: 2)
                      : new QuantizedMoeGguf.Shape(D: 64, H: 4, KV: 2, Hd: 16, E: 4, K: 4, ExpertI: 96, V: 12, L: 2);
        var (path, _) = QuantizedMoeGguf.Write(tmp, "moe.gguf", shape, type,
            values => type switch { GgmlType.Q4_K => KQuantize.Q4_K(values), GgmlType.Q6_K => KQuantize.Q6_K(values), _ => RefQuant.Q8_0(values) },
            attentionF32);
        using var w = GgufDecoderWeights.Open(path);
        var exact = new LlamaModel(w) { IntegerProducts = false };
        var integer = new LlamaModel(w);                            // the default
        var kind = k ? IntegerProductKind.KQuant : IntegerProductKind.Q8_0;
        Assert.Equal(IntegerProductKind.None, exact.ExpertIntegerKind);
        Assert.Equal(kind, integer.ExpertIntegerKind);
        Assert.Equal(attentionF32 ? IntegerProductKind.None : kind, integer.IntegerKind);   // the dense projections decide alone

        // An expert's blocks are its rows of the merged tensor: they dequantize to the values the float32 path reads for it.
        var (gate, _, down) = MixtureOfExperts.ExpertNames(w.Config, 1, 3);
        foreach (var name in new[] { gate, down })
        {
            var shapeOf = w.Shape(name);
            var values = new float[shapeOf[0] * shapeOf[1]];
            w.Read(name, values);
            var blocks = new byte[values.Length / GgmlTypes.BlockSize(type) * GgmlTypes.TypeSize(type)];
            Assert.True(k ? w.TryReadKQuant(name, blocks) : w.TryReadQ8_0(name, blocks));
            var again = new float[values.Length];
            GgmlDequantize.Row(type, blocks, again);
            Assert.Equal(values, again);                            // the blocks dequantize to the expert's values
        }

        // Q8_0 / Q8_K activations carry a rounding error ≤ 1/254 of the largest of each block. With the experts alone in
        // integers the hidden states stay within 2 % (Q8_0) / 4 % (k-quants) of their largest value through 2 layers, the
        // dense projections' bounds (Q8GemmTests, KQuantGemmTests); with the attention projections quantized too every
        // layer has twice the quantized products, and the bounds are 3 % / 6 % (measured: 2.5 %, 4.0 %). A wrong row
        // order, block, scale or expert is off by O(1).
        double bound = (k ? 0.04 : 0.02) * (attentionF32 ? 1 : 1.5);
        QuantizedPassChecks.AssertCloseButNotEqual(exact, integer, shape.V, bound, $"integer experts ({typeName}, attention {(attentionF32 ? "F32" : typeName)})");
    }
}
