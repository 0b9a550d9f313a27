using System.Security.Cryptography;
using Simile.Models;
using Simile.Models.Gguf;
using Xunit;

namespace Simile.Tests.Models.Gguf;

/// <summary>A fake Ollama store (manifests + sha256 blobs, as Ollama lays them out) holding the reference GGUF file.</summary>
public class OllamaStoreTests
{
    private static readonly string Gguf = Path.Combine(TestPaths.Reference, "modern", "llama-tiny-gguf", "llama-tiny-Q8_0-embd.gguf");

    private static string Manifest(string digest, long size, string mediaType = OllamaStore.ModelMediaType) => $$"""
        {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
         "config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"sha256:{{new string('0', 64)}}","size":10},
         "layers":[{"mediaType":"application/vnd.ollama.image.template","digest":"sha256:{{new string('1', 64)}}","size":5},
                   {"mediaType":"{{mediaType}}","digest":"{{digest}}","size":{{size}}}]}
        """;

    private static (TempFolder Tmp, OllamaStore Store, string Blob) FakeStore()
    {
        var tmp = new TempFolder();
        var bytes = File.ReadAllBytes(Gguf);
        string hex = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Directory.CreateDirectory(tmp.File("blobs"));
        string blob = tmp.File(Path.Combine("blobs", "sha256-" + hex));
        File.WriteAllBytes(blob, bytes);
        void Put(string rel, string text)
        {
            string p = tmp.File(Path.Combine("manifests", rel));
            Directory.CreateDirectory(Path.GetDirectoryName(p)!);
            File.WriteAllText(p, text);
        }
        Put("registry.ollama.ai/library/tiny/latest", Manifest("sha256:" + hex, bytes.Length));
        Put("registry.ollama.ai/library/tiny/q8", Manifest("sha256:" + hex, bytes.Length));
        Put("registry.ollama.ai/someone/tiny/v1", Manifest("sha256:" + hex, bytes.Length));
        Put("hf.co/org/tiny-gguf/Q8_0", Manifest("sha256:" + hex, bytes.Length));
        Put("registry.ollama.ai/library/broken/latest", "{not json");
        return (tmp, new OllamaStore(tmp.Path), blob);
    }

    [Fact]
    public void Names_resolve_to_the_model_blob()
    {
        var (tmp, store, blob) = FakeStore();
        using (tmp)
        {
            Assert.Equal(blob, store.Resolve("ollama:tiny"));
            Assert.Equal(blob, store.Resolve("ollama:tiny:latest"));
            Assert.Equal(blob, store.Resolve("ollama:tiny:q8"));
            Assert.Equal(blob, store.Resolve("ollama:someone/tiny:v1"));
            Assert.Equal(blob, store.Resolve("ollama:hf.co/org/tiny-gguf:Q8_0"));
            Assert.Equal(("registry.ollama.ai", "library", "qwen2.5", "0.5b"), OllamaStore.Parse("ollama:qwen2.5:0.5b"));
        }
    }

    [Fact]
    public void An_ollama_model_gives_token_embeddings_and_inspect()
    {
        var (tmp, store, _) = FakeStore();
        using (tmp)
        {
            using var model = GgufModel.OpenEmbeddings("ollama:tiny", store);
            Assert.Equal("ollama:tiny:latest", model.Info.Name);
            Assert.Equal([261], model.Tokenize("galaxy").Ids);
            Assert.Equal(64, model.Vectors(["galaxy"], SubwordPolicy.Error).Vectors.Cols);
            string text = GgufModel.Describe("ollama:tiny:q8", store);
            Assert.Contains("ollama:tiny:q8", text);
            Assert.Contains("Q8_0", text);
        }
    }

    [Fact]
    public void Listing_shows_every_manifest_and_why_one_is_unusable()
    {
        var (tmp, store, blob) = FakeStore();
        using (tmp)
        {
            var list = store.List();
            Assert.Equal(["broken:latest", "hf.co/org/tiny-gguf:Q8_0", "someone/tiny:v1", "tiny:latest", "tiny:q8"], list.Select(m => m.Name));
            Assert.Null(list[0].BlobPath);
            Assert.Contains("JSON", list[0].Problem);
            Assert.All(list.Skip(1), m => Assert.Equal(blob, m.BlobPath));
            Assert.Empty(new OllamaStore(tmp.File("nowhere")).List());
        }
    }

    [Theory]
    [InlineData("ollama:../etc/passwd")]
    [InlineData("ollama:a/b/c/d")]
    [InlineData("ollama:tiny:..")]
    [InlineData("ollama:")]
    [InlineData("ollama:ti ny")]
    public void Bad_names_are_refused(string name)
    {
        var (tmp, store, _) = FakeStore();
        using (tmp) Assert.Throws<SimileException>(() => store.Resolve(name));
    }

    [Fact]
    public void Missing_models_and_hostile_manifests_are_clear_errors()
    {
        var (tmp, store, blob) = FakeStore();
        using (tmp)
        {
            var e = Assert.Throws<SimileException>(() => store.Resolve("ollama:llama3.2"));
            Assert.Contains("ollama pull llama3.2:latest", e.Fix);
            Assert.Throws<SimileException>(() => store.Resolve("ollama:broken"));
            string m = tmp.File(Path.Combine("manifests", "registry.ollama.ai", "library", "tiny", "latest"));
            long size = new FileInfo(blob).Length;
            foreach (var text in new[]
                     {
                         Manifest("sha256:../../../../etc/passwd", size),
                         Manifest("sha256:" + new string('a', 64), size),                         // blob missing
                         Manifest("sha256:" + Path.GetFileName(blob)[7..], size + 1),             // size lies
                         Manifest("sha256:" + Path.GetFileName(blob)[7..], size, "application/vnd.ollama.image.adapter"),
                         "[]", "{\"layers\": 5}", "{\"layers\": [1]}",
                     })
            {
                File.WriteAllText(m, text);
                Assert.Throws<SimileException>(() => store.Resolve("ollama:tiny"));
            }
            File.WriteAllBytes(m, new byte[OllamaStore.MaxManifestBytes + 1]);
            Assert.Throws<SimileException>(() => store.Resolve("ollama:tiny"));
        }
    }
}
