using Simile.Analyses.Layers;
using Simile.Engine;
using Simile.Models;
using Simile.Models.HuggingFace;
using Simile.Tests.Engine;
using Simile.Tests.Models.HuggingFace;
using Xunit;

namespace Simile.Tests.Analyses.Layers;

/// <summary>
/// <see cref="ContextualVectors.Compute"/> asked for some representations only: the native passes stop at the deepest
/// one asked for (reading no deeper layer's weights), and every representation returned equals, bit for bit, the same
/// one of a run that computes them all; progress still reaches 1.
/// </summary>
public class RepresentationSubsetTests
{
    private static readonly string Modern = Path.Combine(TestPaths.Reference, "modern");
    private static readonly string[] Words = ["planet", "chair", "apple", "moon"];

    public static TheoryData<string> Folders => new() { "llama-tiny", "gemma3-tiny", "gpt-neox-tiny", "roberta-tiny" };

    private static void AssertSubsetsEqualTheFullRun(ITransformerModel model)
    {
        var full = ContextualVectors.Compute(model, Words, ContextSpec.Neutral);
        var labels = model.RepresentationLabels;
        foreach (var subset in new[] { new[] { "token" }, new[] { "0" }, new[] { "token", "1" }, new[] { labels[^1] }, new[] { "1", labels[^1] } })
        {
            double last = 0;
            var part = ContextualVectors.Compute(model, Words, ContextSpec.Neutral, progress: new SyncProgress(v => last = v), representations: subset);
            Assert.Equal(labels.Where(subset.Contains).ToList(), part.Labels);      // the model's order
            foreach (var label in subset)
                Assert.Equal(full[label].Vectors.Values, part[label].Vectors.Values);   // bit for bit
            Assert.Equal(1.0, last);
        }
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void HuggingFaceFolders(string folder)
    {
        using var model = HuggingFaceModel.Open(Path.Combine(Modern, folder));
        AssertSubsetsEqualTheFullRun(model);
    }

    [Theory]
    [InlineData("bert")]
    [InlineData("gpt2")]
    public void BertAndGpt2(string type)
    {
        using var dir = new TempFolder();
        var tiny = type == "bert" ? TinyModel.Bert(seed: 5) : TinyModel.Gpt2(seed: 5);
        tiny.WriteFolder(dir.Path);
        using var model = HuggingFaceModel.Open(dir.Path);
        AssertSubsetsEqualTheFullRun(model);
    }

    [Fact]
    public void ThePassReadsNoDeeperLayer()
    {
        string path = Path.Combine(Modern, "llama-tiny");
        using var ckpt = SafetensorsCheckpoint.Open(path);
        using var inner = new SafetensorsDecoderWeights(ckpt, HuggingFaceConfig.Load(path).Decoder!);
        var log = new ReadLog(inner);
        var pass = new LlamaModel(log);
        Assert.True(pass.LayerCount >= 2);
        int[][] ids = [[1, 5, 7, 9], [1, 3]];
        foreach (int deepest in new[] { 0, 1, 2 })                  // "token", "0", "1" (= after layer 0)
        {
            log.Reads.Clear();
            var sink = new Labels(deepest);
            pass.Forward([new PackedBatch(ids, pass, withAttention: false)], sink);
            Assert.Equal(Enumerable.Range(0, deepest + 1), sink.Received);
            Assert.DoesNotContain(log.Reads, n => n.StartsWith(LlamaModel.LayerPrefix(1), StringComparison.Ordinal));
            Assert.Equal(deepest == 2, log.Reads.Any(n => n.StartsWith(LlamaModel.LayerPrefix(0), StringComparison.Ordinal)));
            Assert.DoesNotContain("model.norm.weight", log.Reads);
        }
    }

    private sealed class Labels(int deepest) : IHiddenStateSink
    {
        public readonly List<int> Received = [];
        public int Deepest => deepest;
        public void Receive(int representation, PackedBatch batch, ReadOnlySpan<float> rows) => Received.Add(representation);
    }
}
