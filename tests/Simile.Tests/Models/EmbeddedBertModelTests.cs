using Microsoft.ML.Tokenizers;
using Simile.Models;
using Simile.Models.Embedded;
using Xunit;
using Xunit.Abstractions;

namespace Simile.Tests.Models;

/// <summary>Opens MiniLM once for the whole class (the ONNX Runtime session is created on the first Run).</summary>
public sealed class MiniLMFixture : IDisposable
{
    public EmbeddedBertModel Model { get; } = (EmbeddedBertModel)ModelCatalogue.ResolveTransformer("minilm");
    public void Dispose() => Model.Dispose();
}

public class EmbeddedBertModelTests(MiniLMFixture fixture, ITestOutputHelper output) : IClassFixture<MiniLMFixture>
{
    private EmbeddedBertModel MiniLM => fixture.Model;

    internal static IReadOnlyList<string> SeedWords() =>
        File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, "data", "seed-words.tsv")).Skip(1)
            .Where(l => l.Trim().Length > 0).Select(l => l.Split('\t')[0].Trim()).ToList();

    [Fact]
    public void ResourcesAreFoundInBothPackages()
    {
        foreach (var p in new[] { EmbeddedPackage.MiniLM, EmbeddedPackage.ArcticXs })
        {
            Assert.True(p.IsAvailable, p.PackageId + " not found in " + string.Join(", ", EmbeddedPackage.PackageRoots()));
            var names = p.ResourceNames();
            Assert.Contains(p.ResourcePrefix + "model.onnx", names);
            Assert.Contains(p.ResourcePrefix + "vocab.txt", names);
        }
    }

    [Fact]
    public void VocabularyFilesAreIdentical()
    {
        var a = EmbeddedPackage.MiniLM.ReadResource("vocab.txt");
        var b = EmbeddedPackage.ArcticXs.ReadResource("vocab.txt");
        Assert.True(a.Length > 200_000);
        Assert.Equal(a, b);
    }

    [Fact]
    public void MissingResourceIsAUserError()
    {
        var e = Assert.Throws<SimileException>(() => EmbeddedPackage.MiniLM.ReadResource("no-such-thing.bin"));
        Assert.Contains("no-such-thing.bin", e.Message);
        var missing = new EmbeddedPackage("Simile.NoSuchPackage", "1.0.0", "Nope.dll", "Nope.");
        var nowhere = new PackageLocations([], [], Path.Combine(Path.GetTempPath(), "simile-no-cache-" + Guid.NewGuid().ToString("N")), []);
        var e2 = Assert.Throws<SimileException>(() => missing.ReadResource("model.onnx", nowhere));
        Assert.Contains(PackageLocations.SourceVariable, e2.Fix);
    }

    [Fact]
    public void TokenEmbeddingMatrixHasTheExpectedShape()
    {
        Assert.Equal((30522, 384), MiniLM.Shape);
        Assert.Equal("embeddings.word_embeddings.weight", MiniLM.Graph.WordEmbeddingName);
        Assert.Equal(6, MiniLM.Info.Layers);
        Assert.Equal(12, MiniLM.Info.Heads);
        Assert.Equal(384, MiniLM.TokenEmbedding(30521).Length);
    }

    [Theory]
    [InlineData("galaxy", 9088)]
    [InlineData("banana", 15212)]
    [InlineData("Galaxy", 9088)]
    [InlineData("BANANA", 15212)]
    public void KnownWordsHaveTheirKnownIds(string word, int id)
    {
        var t = MiniLM.Tokenize(word);
        Assert.True(t.IsSingleToken);
        Assert.Equal(id, t.Ids[0]);
    }

    [Fact]
    public void AccentsAreStrippedAndTextIsLowerCased()
    {
        Assert.Equal(MiniLM.Tokenize("cafe").Ids, MiniLM.Tokenize("café").Ids);
        Assert.Equal(["cafe"], MiniLM.Tokenize("Café").Pieces);
        Assert.Equal(["naive", "resume"], MiniLM.Tokenize("NAÏVE RÉSUMÉ").Pieces);
    }

    [Fact]
    public void TokenizerAgreesWithMicrosoftMLTokenizersOnPlainText()
    {
        using var vocab = new MemoryStream(EmbeddedPackage.MiniLM.ReadResource("vocab.txt"));
        var reference = BertTokenizer.Create(vocab, new BertOptions { LowerCaseBeforeTokenization = true, RemoveNonSpacingMarks = true });
        string[] texts =
        [
            "The galaxy is vast, and the banana is yellow.",
            "Unbelievably, spaceships don't orbit Jupiter's moons (yet)!",
            "astronaut telescope chair wardrobe mango",
            "e-mail: someone@example.com -- 3.14159 #hashtag 100%",
        ];
        foreach (var text in texts)
        {
            var expected = reference.EncodeToIds(text, addSpecialTokens: false);
            var actual = MiniLM.Tokenizer.Tokenize(text).Select(t => t.Id).ToList();
            Assert.Equal(expected, actual);
        }
        // Microsoft.ML.Tokenizers 2.0.1 drops '$'; Hugging Face's BasicTokenizer (ASCII 33–47 are punctuation) keeps it as a token.
        Assert.Equal(["$", "100"], MiniLM.Tokenizer.Tokenize("$100").Select(t => t.Piece));
    }

    [Fact]
    public void TokenSpansPointIntoTheOriginalText()
    {
        const string text = "The Café, naïvely";
        var t = MiniLM.TokenizeText(text);
        Assert.Equal("[CLS]", t.Pieces[0]);
        Assert.Equal("[SEP]", t.Pieces[^1]);
        for (int i = 1; i < t.Count - 1; i++)
        {
            var (s, l) = t.Offsets[i];
            string piece = t.Pieces[i].TrimStart('#');
            Assert.Equal(piece.Length, l);   // each piece covers as many original characters (accents fold 1:1 here)
            Assert.Equal(piece, text.Substring(s, l).ToLowerInvariant().Replace('é', 'e').Replace('ï', 'i'));
        }
    }

    [Fact]
    public void SubwordPolicyErrorListsEveryMultiTokenWordWithItsPieces()
    {
        var e = Assert.Throws<SimileException>(() => MiniLM.Vectors(["galaxy", "astronomically", "xylophonist"], SubwordPolicy.Error));
        Assert.Contains("'astronomically' →", e.Message);
        Assert.Contains("'xylophonist' →", e.Message);
        Assert.Contains("##", e.Message);
        Assert.DoesNotContain("'galaxy'", e.Message);
        Assert.Contains("--subword", e.Fix);
    }

    [Fact]
    public void PoolingAveragesFirstOrLastPieceRows()
    {
        var t = MiniLM.Tokenize("astronomically");
        Assert.True(t.Ids.Count > 1);
        var mean = MiniLM.Vectors(["astronomically"], SubwordPolicy.Mean).Vectors;
        var first = MiniLM.Vectors(["astronomically"], SubwordPolicy.First).Vectors;
        var last = MiniLM.Vectors(["astronomically"], SubwordPolicy.Last).Vectors;
        for (int j = 0; j < 384; j++)
        {
            double m = t.Ids.Average(id => (double)MiniLM.TokenEmbedding(id)[j]);
            Assert.Equal(m, mean[0, j], 1e-12);
            Assert.Equal(MiniLM.TokenEmbedding(t.Ids[0])[j], first[0, j]);
            Assert.Equal(MiniLM.TokenEmbedding(t.Ids[^1])[j], last[0, j]);
        }
    }

    [Fact]
    public void VocabularyWordsAreWholeWordsOnly()
    {
        var words = MiniLM.VocabularyWords();
        Assert.InRange(words.Count, 20_000, 30_000);
        Assert.DoesNotContain(words, w => w.StartsWith("##") || w.StartsWith("[unused") || w is "[CLS]" or "[SEP]" or "[PAD]" or "[MASK]" or "[UNK]");
        Assert.Contains("galaxy", words);
        Assert.Contains("banana", words);
    }

    [Fact]
    public void MiniLMAndArcticTokenEmbeddingsCorrelateDirectly()
    {
        using var arctic = ModelCatalogue.Resolve("arctic-xs");
        var seeds = SeedWords();
        var a = MiniLM.Vectors(seeds, SubwordPolicy.Mean).Vectors;
        var b = arctic.Vectors(seeds, SubwordPolicy.Mean).Vectors;
        double same = 0, other = 0;
        for (int i = 0; i < seeds.Count; i++)
        {
            same += NaiveReference.Pearson(a.RowReadOnly(i), b.RowReadOnly(i));
            other += NaiveReference.Pearson(a.RowReadOnly(i), b.RowReadOnly((i + 1) % seeds.Count));
        }
        same /= seeds.Count; other /= seeds.Count;
        output.WriteLine($"mean per-word Pearson r, MiniLM vs Arctic-xs token embeddings over {seeds.Count} seed words: same word {same:F4}, next word {other:F4}");
        Assert.True(same > 0.5, $"same-word correlation {same}");
        Assert.True(same > other + 0.3, $"same {same} vs other {other}");
    }


    [Fact]
    public void EveryLayerAndAttentionIsExposed()
    {
        Assert.Null(MiniLM.Unavailable);
        Assert.Equal(["token", "0", "1", "2", "3", "4", "5", "6"], MiniLM.RepresentationLabels);
        var runs = MiniLM.Run(["The galaxy is vast.", "banana"], withAttention: true);
        Assert.Equal(2, runs.Count);
        var r = runs[0];
        int n = r.Input.Count;
        Assert.Equal(7, n);   // [CLS] the galaxy is vast . [SEP]
        Assert.Equal(384, r.Dims);
        Assert.Equal(8, r.Hidden.Length);             // token + 7 hidden representations (0..6)
        Assert.All(r.Hidden, h => Assert.Equal(n * 384, h.Length));
        Assert.Equal(12, r.Heads);
        Assert.Equal(6, r.Attention!.Length);         // 6 attention tensors
        Assert.All(r.Attention, a => Assert.Equal(12 * n * n, a.Length));
        // attention rows are probability distributions
        for (int row = 0; row < 12 * n; row++)
        {
            double s = 0;
            for (int k = 0; k < n; k++) s += r.Attention[3][row * n + k];
            Assert.Equal(1.0, s, 1e-5);
        }
        // "token" is the embedding row; "0" is its LayerNorm-ed sum with position/type embeddings: mean ≈ β-dominated, not the raw row
        Assert.Equal(MiniLM.TokenEmbedding(9088).ToArray(), r.Hidden[0].AsSpan(2 * 384, 384).ToArray());
        Assert.NotEqual(r.Hidden[1].AsSpan(0, 384).ToArray(), r.Hidden[2].AsSpan(0, 384).ToArray());
        Assert.Equal(3, runs[1].Input.Count);
        Assert.Null(MiniLM.Run(["banana"], withAttention: false)[0].Attention);
    }

    [Fact]
    public void PaddingInABatchDoesNotChangeAText()
    {
        var alone = MiniLM.Run(["banana"], withAttention: false)[0];
        var batched = MiniLM.Run(["a much longer sentence that forces the short one to be padded", "banana"], withAttention: false)[1];
        Assert.Equal(alone.Input.Ids, batched.Input.Ids);
        for (int h = 0; h < alone.Hidden.Length; h++)
            for (int k = 0; k < alone.Hidden[h].Length; k++)
                Assert.Equal(alone.Hidden[h][k], batched.Hidden[h][k], 1e-4f);
    }
}
