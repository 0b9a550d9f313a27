using Simile.Engine;
using Simile.Models;
using Simile.Models.Embedded;
using Simile.Models.Onnx;
using Xunit;

namespace Simile.Tests.Engine;

/// <summary>The native BERT on the embedded ONNX graphs' own initializers equals ONNX Runtime layer by layer.</summary>
public class NativeVsOnnxRuntimeTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly string[] Texts =
    [
        "galaxy", "banana", "chair",                                  // single words: [CLS] w [SEP]
        "This is an example sentence",
        "The quick brown fox jumps over the lazy dog, twice!",         // longer than the rest: ONNX Runtime pads the batch
    ];

    private static EmbeddedBertModel OpenOnnx(EmbeddedPackage package) =>
        EmbeddedBertModel.Open(package, g => new ModelInfo(package.PackageId, "bert", g.VocabularySize, g.Dims, g.Layers, g.Heads,
            package.PackageId, "Apache-2.0", null, true));

    public static TheoryData<string> Packages => new() { "minilm", "arctic-xs" };

    private static EmbeddedPackage Package(string name) => name == "minilm" ? EmbeddedPackage.MiniLM : EmbeddedPackage.ArcticXs;

    [Theory]
    [MemberData(nameof(Packages))]
    public void EveryLayerAndAttentionMatchOnnxRuntime(string name)
    {
        using var onnx = OpenOnnx(Package(name));
        using var native = new NativeBertTransformer(OpenOnnx(Package(name)));
        Assert.Equal(onnx.RepresentationLabels, native.RepresentationLabels);
        Assert.Equal(12, native.Model.Heads);
        Assert.Equal(6, native.Model.LayerCount);

        var expected = onnx.Run(Texts, withAttention: true);
        var got = native.Run(Texts, withAttention: true);
        double hiddenWorst = 0, attentionWorst = 0;
        for (int i = 0; i < Texts.Length; i++)
        {
            Assert.Equal(expected[i].Input.Ids, got[i].Input.Ids);
            for (int r = 0; r < expected[i].Hidden.Length; r++)
            {
                double worst = MaxAbsDiff(expected[i].Hidden[r], got[i].Hidden[r]);
                Assert.True(worst <= 1e-4, $"{name} text {i} representation {expected[i].Labels[r]}: max diff {worst:E2}");
                hiddenWorst = Math.Max(hiddenWorst, worst);
            }
            for (int l = 0; l < expected[i].Attention!.Length; l++)
            {
                double worst = MaxAbsDiff(expected[i].Attention![l], got[i].Attention![l]);
                Assert.True(worst <= 1e-5, $"{name} text {i} attention layer {l}: max diff {worst:E2}");
                attentionWorst = Math.Max(attentionWorst, worst);
            }
        }
        output.WriteLine($"{name}: max |native − ONNX Runtime| hidden {hiddenWorst:E2}, attention {attentionWorst:E2}");
    }

    [Fact]
    public void MiniLmSentenceEmbeddingMatchesSentenceTransformers()
    {
        using var native = new NativeBertTransformer(OpenOnnx(EmbeddedPackage.MiniLM));
        var run = native.Run(["This is an example sentence"], withAttention: false)[0];
        int T = run.Input.Count, D = run.Dims;
        var last = run.Hidden[^1];
        var pooled = new double[D];
        for (int t = 0; t < T; t++) for (int d = 0; d < D; d++) pooled[d] += last[t * D + d] / (double)T;
        double norm = Math.Sqrt(pooled.Sum(v => v * v));
        double[] expected = [0.0677, 0.0635, 0.0487, 0.0793, 0.0374];
        for (int d = 0; d < expected.Length; d++)
            Assert.True(Math.Abs(pooled[d] / norm - expected[d]) <= 6e-5, $"dim {d}: {pooled[d] / norm:F5} vs {expected[d]}");
    }

    private static double MaxAbsDiff(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        double worst = 0;
        for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs(a[i] - b[i]));
        return worst;
    }
}
