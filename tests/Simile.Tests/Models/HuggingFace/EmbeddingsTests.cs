using Simile.Models;
using Simile.Models.HuggingFace;
using Xunit;

namespace Simile.Tests.Models.HuggingFace;

/// <summary>The token-embedding table of a model folder, read without the transformer layers.</summary>
public class EmbeddingsTests
{
    [Fact]
    public void EmbeddingsOnlyReadsTheTokenTable()
    {
        using var dir = new TempFolder();
        var tiny = TinyModel.Gpt2(4);
        tiny.WriteFolder(dir.Path);
        using var emb = HuggingFaceModel.OpenEmbeddings(dir.Path);
        Assert.Equal((tiny.V, tiny.D), emb.Shape);
        Assert.Equal("gpt2", emb.Info.Architecture);
        Assert.Contains("galaxy", emb.VocabularyWords());
        var vs = emb.Vectors(["galaxy", "the", "cat"], SubwordPolicy.Error);
        int id = TinyModel.Gpt2Vocab().IndexOf("Ġgalaxy");
        Assert.Equal(tiny.W["transformer.wte.weight"][id * tiny.D], vs.Vectors[0, 0]);

        // "sat the" is two tokens: Error names it with its pieces; Mean averages the rows.
        var e = Assert.Throws<SimileException>(() => emb.Vectors(["sat the"], SubwordPolicy.Error));
        Assert.Contains("'sat the' → Ġsat Ġthe", e.Message);   // the one message of EmbeddingLookup
        var mean = emb.Vectors(["sat the"], SubwordPolicy.Mean);
        int a = TinyModel.Gpt2Vocab().IndexOf("Ġsat"), b = TinyModel.Gpt2Vocab().IndexOf("Ġthe");
        Assert.Equal((tiny.W["transformer.wte.weight"][a * tiny.D] + (double)tiny.W["transformer.wte.weight"][b * tiny.D]) / 2, mean.Vectors[0, 0], 12);
        var last = emb.Vectors(["sat the"], SubwordPolicy.Last);
        Assert.Equal(tiny.W["transformer.wte.weight"][b * tiny.D], last.Vectors[0, 0]);
    }
}
