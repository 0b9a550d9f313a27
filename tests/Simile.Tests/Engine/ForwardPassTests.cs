using Simile.Engine;
using Simile.Models;
using Simile.Models.HuggingFace;
using Simile.Tests.Models.HuggingFace;
using Xunit;

namespace Simile.Tests.Engine;

public class ForwardPassTests
{
    private const double HiddenTolerance = 1e-4;
    private const double AttentionTolerance = 1e-5;

    private static readonly string[] BertTexts = ["the cat sat on the mat.", "A dog", "galaxys", "The big red dog was running, it ran!", "cafe"];
    private static readonly string[] Gpt2Texts = ["the cat sat", " galaxy", "hello the cat, the galaxy sat!", "x"];

    private static void AssertMatchesReference(TransformerRun run, double[][,] hidden, double[][,,] attention, int heads)
    {
        Assert.Equal(hidden.Length, run.Hidden.Length);
        int T = run.Input.Count, D = run.Dims;
        for (int r = 0; r < hidden.Length; r++)
        {
            Assert.Equal(T * D, run.Hidden[r].Length);
            double worst = 0;
            for (int t = 0; t < T; t++)
                for (int d = 0; d < D; d++)
                    worst = Math.Max(worst, Math.Abs(run.Hidden[r][t * D + d] - hidden[r][t, d]));
            Assert.True(worst <= HiddenTolerance, $"representation {run.Labels[r]}: max |native − reference| = {worst:E3}");
        }
        Assert.NotNull(run.Attention);
        Assert.Equal(attention.Length, run.Attention!.Length);
        for (int l = 0; l < attention.Length; l++)
        {
            double worst = 0;
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < T; i++)
                    for (int j = 0; j < T; j++)
                        worst = Math.Max(worst, Math.Abs(run.Attention[l][(h * T + i) * T + j] - attention[l][h, i, j]));
            Assert.True(worst <= AttentionTolerance, $"attention layer {l}: max |native − reference| = {worst:E3}");
        }
    }

    [Theory]
    [InlineData(SafetensorsDType.F32, 1)]
    [InlineData(SafetensorsDType.F16, 1)]
    [InlineData(SafetensorsDType.BF16, 1)]
    [InlineData(SafetensorsDType.F32, 3)]
    public void BertMatchesFloat64Reference(SafetensorsDType dtype, int shards)
    {
        using var dir = new TempFolder();
        var tiny = TinyModel.Bert(seed: 11, dtype);
        tiny.WriteFolder(dir.Path, shards);
        using var model = HuggingFaceModel.Open(dir.Path);
        Assert.Equal(["token", "0", "1", "2"], model.RepresentationLabels);
        Assert.False(model.UsesLeadingSpace);

        var runs = model.Run(BertTexts, withAttention: true);   // one packed batch of different lengths
        Assert.Equal(BertTexts.Length, runs.Count);
        foreach (var run in runs)
        {
            Assert.Equal(2, run.Input.Ids[0]);                          // [CLS]
            Assert.Equal(3, run.Input.Ids[^1]);                         // [SEP]
            var (hidden, attention) = ReferenceTransformer.Bert(tiny.W, TinyModel.BertPrefix, run.Input.Ids, tiny.D, tiny.H, tiny.I, tiny.L, tiny.Eps);
            AssertMatchesReference(run, hidden, attention, tiny.H);
        }
    }

    [Fact]
    public void BertWithoutPrefixAndWithLegacyGammaBetaNames()
    {
        using var dir = new TempFolder();
        var tiny = TinyModel.Bert(seed: 12);
        // Older checkpoints: no "bert." prefix, LayerNorm parameters named gamma/beta.
        var renamed = tiny.Tensors.Select(t => t with
        {
            Name = t.Name[TinyModel.BertPrefix.Length..].Replace("LayerNorm.weight", "LayerNorm.gamma").Replace("LayerNorm.bias", "LayerNorm.beta"),
        }).ToList();
        tiny.Tensors.Clear();
        tiny.Tensors.AddRange(renamed);
        tiny.WriteFolder(dir.Path);
        using var model = HuggingFaceModel.Open(dir.Path);
        var run = model.Run(["the cat sat on the mat."], withAttention: true)[0];
        var (hidden, attention) = ReferenceTransformer.Bert(tiny.W, TinyModel.BertPrefix, run.Input.Ids, tiny.D, tiny.H, tiny.I, tiny.L, tiny.Eps);
        AssertMatchesReference(run, hidden, attention, tiny.H);
    }

    [Theory]
    [InlineData(SafetensorsDType.F32, "transformer.", 1)]
    [InlineData(SafetensorsDType.F16, "", 1)]
    [InlineData(SafetensorsDType.BF16, "transformer.", 2)]
    public void Gpt2MatchesFloat64Reference(SafetensorsDType dtype, string prefix, int shards)
    {
        using var dir = new TempFolder();
        var tiny = TinyModel.Gpt2(seed: 5, dtype, prefix);
        tiny.WriteFolder(dir.Path, shards);
        using var model = HuggingFaceModel.Open(dir.Path);
        Assert.Equal(["token", "0", "1", "2", "final"], model.RepresentationLabels);
        Assert.True(model.UsesLeadingSpace);

        var runs = model.Run(Gpt2Texts, withAttention: true);
        foreach (var run in runs)
        {
            var (hidden, attention) = ReferenceTransformer.Gpt2(tiny.W, prefix, run.Input.Ids, tiny.D, tiny.H, tiny.I, tiny.L, tiny.Eps);
            AssertMatchesReference(run, hidden, attention, tiny.H);
        }
    }

    [Fact]
    public void BatchedRunEqualsOneTextAtATime()
    {
        using var dir = new TempFolder();
        var tiny = TinyModel.Gpt2(seed: 8);
        tiny.WriteFolder(dir.Path);
        using var model = HuggingFaceModel.Open(dir.Path);
        var batch = model.Run(Gpt2Texts, withAttention: false);
        for (int i = 0; i < Gpt2Texts.Length; i++)
        {
            var single = model.Run([Gpt2Texts[i]], withAttention: false)[0];
            Assert.Null(single.Attention);
            for (int r = 0; r < single.Hidden.Length; r++)
                Assert.Equal(single.Hidden[r], batch[i].Hidden[r]);   // bit-identical: rows never mix across texts
        }
    }

    [Fact]
    public void CausalAttentionNeverLooksAhead()
    {
        using var dir = new TempFolder();
        var tiny = TinyModel.Gpt2(seed: 9);
        tiny.WriteFolder(dir.Path);
        using var model = HuggingFaceModel.Open(dir.Path);
        var run = model.Run(["the cat sat the cat"], withAttention: true)[0];
        int T = run.Input.Count;
        Assert.True(T >= 4);
        foreach (var layer in run.Attention!)
            for (int h = 0; h < run.Heads; h++)
                for (int i = 0; i < T; i++)
                {
                    double sum = 0;
                    for (int j = 0; j < T; j++)
                    {
                        float p = layer[(h * T + i) * T + j];
                        if (j > i) Assert.Equal(0f, p);
                        sum += p;
                    }
                    Assert.Equal(1.0, sum, 5);
                }
        // A prefix's hidden states do not depend on what follows it.
        var prefix = model.Run(["the cat"], withAttention: false)[0];
        int tp = prefix.Input.Count, D = run.Dims;
        for (int r = 0; r < prefix.Hidden.Length; r++)
            Assert.Equal(prefix.Hidden[r], run.Hidden[r].AsSpan(0, tp * D).ToArray());
    }

    [Fact]
    public void TokenRepresentationIsTheEmbeddingRowAndEqualsWordVectors()
    {
        using var dir = new TempFolder();
        var tiny = TinyModel.Bert(seed: 3);
        tiny.WriteFolder(dir.Path);
        using var model = HuggingFaceModel.Open(dir.Path);
        var vs = model.Vectors(["galaxy", "cat"], SubwordPolicy.Error);
        int id = Array.IndexOf(TinyModel.BertVocab, "galaxy");
        for (int d = 0; d < tiny.D; d++)
            Assert.Equal(tiny.W["bert.embeddings.word_embeddings.weight"][id * tiny.D + d], vs.Vectors[0, d]);
        var run = model.Run(["galaxy"], withAttention: false)[0];
        Assert.Equal(id, run.Input.Ids[1]);
        for (int d = 0; d < tiny.D; d++)
            Assert.Equal((float)vs.Vectors[0, d], run.Hidden[0][1 * tiny.D + d]);
    }

    [Fact]
    public void TextLongerThanThePositionsIsAUserError()
    {
        using var dir = new TempFolder();
        var tiny = TinyModel.Bert(seed: 3);
        tiny.WriteFolder(dir.Path);
        using var model = HuggingFaceModel.Open(dir.Path);
        string text = string.Join(" ", Enumerable.Repeat("cat", tiny.P));
        var e = Assert.Throws<SimileException>(() => model.Run([text], withAttention: false));
        Assert.Contains("positions", e.Message);
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.5, 0.5204998778130465)]
    [InlineData(1.0, 0.8427007929497149)]
    [InlineData(-2.0, -0.9953222650189527)]
    [InlineData(3.0, 0.9999779095030014)]
    [InlineData(4.5, 0.9999999998033839)]
    public void ErfMatchesKnownValues(double x, double expected)
    {
        Assert.Equal(expected, SpecialFunctions.Erf(x), 13);
        Assert.Equal(expected, ReferenceTransformer.ErfByQuadrature(x), 11);
    }

    [Fact]
    public void GeluErfIsTheErfGeluToFloatPrecision()
    {
        var xs = Enumerable.Range(0, 4001).Select(i => (float)(-10 + i * 0.005)).ToArray();
        var y = (float[])xs.Clone();
        TransformerOps.GeluErf(y);
        for (int i = 0; i < xs.Length; i++)
        {
            double exact = 0.5 * xs[i] * (1 + SpecialFunctions.Erf(xs[i] / Math.Sqrt(2)));
            Assert.True(Math.Abs(y[i] - exact) <= 2e-7 * Math.Max(1, Math.Abs(xs[i])), $"x = {xs[i]}: {y[i]} vs {exact}");
        }
    }

    [Fact]
    public void ErfIsContinuousAcrossTheSeriesAndFractionSwitch()
    {
        for (double x = -6; x <= 6; x += 0.01)
            Assert.Equal(ReferenceTransformer.ErfByQuadrature(x), SpecialFunctions.Erf(x), 11);
    }
}
