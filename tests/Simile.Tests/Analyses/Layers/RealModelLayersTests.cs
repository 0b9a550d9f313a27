using Simile.Analyses.Layers;
using Simile.Models;
using Xunit;

namespace Simile.Tests.Analyses.Layers;

/// <summary>The embedded MiniLM through ONNX Runtime: shapes, labels, and the token representation read by offsets.</summary>
public class RealModelLayersTests
{
    [Fact]
    public void MiniLmWithoutContextGivesEightRepresentationsOfTheWordsOwnTokens()
    {
        using var model = ModelCatalogue.ResolveTransformer("minilm");
        string[] words = ["galaxy", "chair", "apple", "asteroid"];
        var stack = ContextualVectors.Compute(model, words, ContextSpec.None, SubwordPolicy.Mean, modelName: "minilm");
        Assert.Equal(["token", "0", "1", "2", "3", "4", "5", "6"], stack.Labels);
        Assert.All(stack.Sets, s => { Assert.Equal(4, s.Count); Assert.Equal(384, s.Dims); });
        Assert.Equal([1, 1, 1, 1], stack.ContextCounts);

        // "token" is the input embedding of the word's own pieces (no [CLS]/[SEP]): the static token-embedding rows.
        var table = model.Vectors(words, SubwordPolicy.Mean);
        for (int w = 0; w < words.Length; w++)
            for (int f = 0; f < 384; f += 37)
                Assert.Equal(table.Vectors[w, f], stack["token"].Vectors[w, f], 5);

        // Contextual layers differ from the token embedding and between templates.
        var inContext = ContextualVectors.Compute(model, words, ContextSpec.FromTemplates(["I saw the {word} yesterday."]), modelName: "minilm");
        Assert.NotEqual(stack["6"].Vectors[0, 0], inContext["6"].Vectors[0, 0], 4);
        Assert.Equal(stack["token"].Vectors[0, 5], inContext["token"].Vectors[0, 5], 5);

        var grid = LayerRsa.Within(stack, permutations: 0);
        Assert.Equal(8, grid.Rows);
        Assert.All(Enumerable.Range(0, 8), r => Assert.Equal(1.0, grid[r, r]));
    }
}
