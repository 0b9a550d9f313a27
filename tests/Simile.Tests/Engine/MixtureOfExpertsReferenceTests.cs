using Simile.Engine;
using Simile.Models;
using Simile.Models.Gguf;
using Simile.Models.HuggingFace;
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

    /// <summary>Counts which tensors a pass reads.</summary>
    private sealed class ReadLog(IDecoderWeights inner) : IDecoderWeights
    {
        public readonly List<string> Reads = [];
        public DecoderConfig Config => inner.Config;
        public bool Has(string name) => inner.Has(name);
        public IReadOnlyList<long> Shape(string name) => inner.Shape(name);
        public string StorageType(string name) => inner.StorageType(name);
        public void Read(string name, Span<float> destination) { Reads.Add(name); inner.Read(name, destination); }
        public void ReadRows(string name, ReadOnlySpan<int> rows, Span<float> destination) => inner.ReadRows(name, rows, destination);
        public void ReadBlock(string name, int firstRow, int rows, int firstColumn, int columns, Span<float> destination) =>
            inner.ReadBlock(name, firstRow, rows, firstColumn, columns, destination);
        public void Dispose() { }
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
}
