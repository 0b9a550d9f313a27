using Simile.Analyses.Layers;
using Simile.Models;
using Simile.Models.HuggingFace;
using Simile.Tests.Models.HuggingFace;
using Xunit;

namespace Simile.Tests.Analyses.Layers;

/// <summary>A tiny random GPT-2 checkpoint through the native engine: leading space, "final", byte-level pieces located by offsets.</summary>
public class NativeGpt2LayersTests
{
    [Fact]
    public void Gpt2WordsAreReadWithTheirLeadingSpaceAndFinalIsIncluded()
    {
        using var dir = new TempFolder();
        TinyModel.Gpt2(seed: 3).WriteFolder(dir.Path);
        using var model = HuggingFaceModel.Open(dir.Path);
        string[] words = ["galaxy", "cat", "the"];
        var alone = ContextualVectors.Compute(model, words, ContextSpec.None, SubwordPolicy.Mean, modelName: "tiny-gpt2");
        Assert.Equal(model.RepresentationLabels, alone.Labels);
        Assert.Equal("final", alone.Labels[^1]);

        // The token representation of a word fed alone is its embedding rows pooled like the static route.
        var table = model.Vectors(words, SubwordPolicy.Mean);
        for (int w = 0; w < words.Length; w++)
            for (int f = 0; f < table.Dims; f++)
                Assert.Equal(table.Vectors[w, f], alone["token"].Vectors[w, f], 5);

        // In a sentence the same word's tokens are found by offsets; its token layer is the same embedding.
        var inText = ContextualVectors.Compute(model, words, ContextSpec.FromTemplates(["the {word} sat"]), modelName: "tiny-gpt2");
        for (int f = 0; f < table.Dims; f++) Assert.Equal(table.Vectors[1, f], inText["token"].Vectors[1, f], 5);
        Assert.NotEqual(alone["final"].Vectors[1, 0], inText["final"].Vectors[1, 0], 6);

        var e = Assert.Throws<SimileException>(() => ContextualVectors.Compute(model, ["catxy"], ContextSpec.None, SubwordPolicy.Error));
        Assert.Contains("catxy", e.Message);
    }
}
