using Simile.Models;
using Simile.Models.Embedded;
using Xunit;

namespace Simile.Tests.Models;

public class ModelCatalogueTests
{
    [Fact]
    public void CatalogueListsTheThreeModelsWithLicences()
    {
        var entries = ModelCatalogue.Entries();
        Assert.Equal(["minilm", "arctic-xs", "glove-100d"], entries.Select(e => e.Name));
        Assert.All(entries.Take(2), e =>
        {
            Assert.Equal("Apache-2.0", e.Licence);
            Assert.Equal((30522, 384, 6, 12), (e.VocabularySize, e.Dims, e.Layers, e.Heads));
            Assert.True(e.Cached);
        });
        Assert.Equal("PDDL-1.0", entries[2].Licence);
        Assert.Equal(100, entries[2].Dims);
        Assert.All(entries, e => Assert.False(string.IsNullOrEmpty(e.Attribution)));
    }

    [Fact]
    public void UnknownNamesListTheCatalogue()
    {
        var e = Assert.Throws<SimileException>(() => ModelCatalogue.Resolve("bert-huge-9000"));
        Assert.Contains("bert-huge-9000", e.Message);
        Assert.Contains("minilm", e.Fix);
        Assert.Contains("arctic-xs", e.Fix);
        Assert.Contains("glove-100d", e.Fix);
        Assert.Throws<SimileException>(() => ModelCatalogue.ResolveTransformer("bert-huge-9000"));
    }

    [Fact]
    public void StaticVectorsHaveNoLayers()
    {
        var e = Assert.Throws<SimileException>(() => ModelCatalogue.ResolveTransformer("glove-100d"));
        Assert.Contains("no layers", e.Message);
    }

    [Fact]
    public void NamesAreCaseInsensitiveAndFilesResolveByExtension()
    {
        using (var m = ModelCatalogue.Resolve("MiniLM")) Assert.Equal("minilm", m.Info.Name);
        using var tmp = new TempFolder();
        var path = tmp.File("tiny.txt");
        File.WriteAllText(path, "a 1 2\nb 3 4\n");
        using (var v = ModelCatalogue.Resolve(path)) Assert.Equal((2, 2), v.Shape);
        Assert.Throws<SimileException>(() => ModelCatalogue.ResolveTransformer(path));
        var folder = Directory.CreateDirectory(tmp.File("not-a-model")).FullName;
        Assert.Contains("config.json", Assert.Throws<SimileException>(() => ModelCatalogue.Resolve(folder)).Message);
    }

    [Fact]
    public void UserOnnxFileWithVocabularyBesideIt()
    {
        using var tmp = new TempFolder();
        File.WriteAllBytes(tmp.File("model.onnx"), EmbeddedPackage.MiniLM.ReadResource("model.onnx"));
        var e = Assert.Throws<SimileException>(() => ModelCatalogue.Resolve(tmp.File("model.onnx")));
        Assert.Contains("vocab.txt", e.Message);
        File.WriteAllBytes(tmp.File("vocab.txt"), EmbeddedPackage.MiniLM.ReadResource("vocab.txt"));
        using var m = ModelCatalogue.Resolve(tmp.File("model.onnx"));
        Assert.Equal((30522, 384), m.Shape);
        Assert.Equal(9088, m.Tokenize("galaxy").Ids.Single());
    }

    [Fact]
    public void DescribeShowsTheLayersFoundInTheGraph()
    {
        var text = ModelCatalogue.Describe("minilm");
        Assert.Contains("input:        input_ids", text);
        Assert.Contains("token matrix: embeddings.word_embeddings.weight [30522 × 384]", text);
        Assert.Contains("layers found: 6 attention Softmax nodes, heads 12", text);
        Assert.Contains("6=last_hidden_state", text);
        Assert.DoesNotContain("unavailable", text);
        Assert.Contains("PDDL", ModelCatalogue.Describe("glove-100d"));
        // Arctic-xs is a different export (pytorch 2.2, opset 11, Constant nodes instead of initializers): same layout found
        var arctic = ModelCatalogue.Describe("arctic-xs");
        Assert.Contains("layers found: 6 attention Softmax nodes, heads 12", arctic);
        Assert.Contains("0=/embeddings/LayerNorm/", arctic);
        Assert.Contains("6=last_hidden_state", arctic);
    }
}
