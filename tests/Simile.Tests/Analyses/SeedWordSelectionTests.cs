using Simile.Analyses;
using Simile.Data;
using Simile.Models;
using Xunit;

namespace Simile.Tests.Analyses;

public class SeedWordSelectionTests
{
    private static (WordList Words, FakeEmbeddings A, FakeEmbeddings B) Setup()
    {
        var words = SeedFakes.SeedWords();
        var (a, b, _, _) = SeedFakes.Models(words);
        return (words, a, b);
    }

    private static WordList List(params string[] words) => new(words, words.Select(_ => (string?)null).ToList());

    [Fact]
    public void SelectsEveryWordWhenAllAreSingleTokens()
    {
        var (words, a, b) = Setup();
        var sel = WordSelection.Select(words, [a, b], SubwordPolicy.Error, skipMissing: false);
        Assert.Equal(words.Words, sel.Words.Words);
        Assert.Empty(sel.Skipped);
        Assert.Equal(2, sel.Vectors.Count);
        Assert.Equal(64, sel.Vectors[0].Dims);
        Assert.Equal(48, sel.Vectors[1].Dims);
        Assert.All(sel.Checks, c => Assert.Empty(c.MultiToken));
    }

    [Fact]
    public void DuplicateWordsAreRejectedByName()
    {
        var (_, a, b) = Setup();
        var e = Assert.Throws<SimileException>(() => WordSelection.Select(List("sun", "moon", "sun", "star"), [a, b], SubwordPolicy.Error, false));
        Assert.Contains("'sun' (positions 1 and 3)", e.Message);
    }

    [Fact]
    public void FewerThanThreeWordsAreRejected()
    {
        var (_, a, b) = Setup();
        var e = Assert.Throws<SimileException>(() => WordSelection.Select(List("sun", "moon"), [a, b], SubwordPolicy.Error, false));
        Assert.Contains("2 words", e.Message);
        Assert.Contains("at least 3", e.Message);
    }

    [Fact]
    public void MissingWordsAreNamedPerModel()
    {
        var (_, a, b) = Setup();
        var e = Assert.Throws<SimileException>(() =>
            WordSelection.Select(List("sun", "moon", "star", "zorblax", "quux"), [a, b], SubwordPolicy.Error, false));
        Assert.Contains("alpha lacks 'zorblax', 'quux'", e.Message);
        Assert.Contains("beta lacks 'zorblax', 'quux'", e.Message);
        Assert.Contains("--skip-missing", e.Fix);
    }

    [Fact]
    public void SkipMissingDropsFromEveryModelAndSaysWhich()
    {
        var words = SeedFakes.SeedWords();
        var (a, _, _, _) = SeedFakes.Models(words);
        // "narrow" knows only the first 30 seed words.
        var narrowWords = words.Words.Take(30).ToList();
        var narrow = new FakeEmbeddings("narrow", narrowWords, a.Vectors(narrowWords, SubwordPolicy.Error).Vectors);
        var sel = WordSelection.Select(words, [a, narrow], SubwordPolicy.Error, skipMissing: true);
        Assert.Equal(30, sel.Words.Count);
        Assert.Equal(new[] { "jelly", "orange", "lime", "fruit" }, sel.Skipped.Select(s => s.Word));
        Assert.All(sel.Skipped, s => Assert.Equal(["narrow"], s.MissingIn));
        Assert.All(sel.Vectors, v => Assert.Equal(30, v.Count));
        Assert.Equal(sel.Words.Categories, words.Categories.Take(30));
    }

    [Fact]
    public void SkipMissingStillNeedsThreeWords()
    {
        var (_, a, b) = Setup();
        var e = Assert.Throws<SimileException>(() =>
            WordSelection.Select(List("sun", "moon", "zorblax", "quux"), [a, b], SubwordPolicy.Error, skipMissing: true));
        Assert.Contains("only 2 words of 4", e.Message);
    }

    [Fact]
    public void MultiTokenWordsAreNamedWithTheirPieces()
    {
        var (_, a, b) = Setup();
        var e = Assert.Throws<SimileException>(() =>
            WordSelection.Select(List("sun", "moon", "star", "sun-lamp"), [a, b], SubwordPolicy.Error, false));
        Assert.Contains("alpha splits 'sun-lamp' into sun + ##lamp", e.Message);
        Assert.Contains("--subword", e.Fix);
    }

    [Theory]
    [InlineData(SubwordPolicy.Mean)]
    [InlineData(SubwordPolicy.First)]
    [InlineData(SubwordPolicy.Last)]
    public void PoolingPoliciesPoolThePieces(SubwordPolicy policy)
    {
        var (_, a, b) = Setup();
        var sel = WordSelection.Select(List("sun", "moon", "star", "sun-lamp"), [a, b], policy, false);
        Assert.Equal(["sun-lamp"], sel.Checks[0].MultiToken.Select(t => t.Word));
        var v = sel.Vectors[0].Vectors;
        double sun = v[0, 5], lamp = a.Vectors(["lamp"], SubwordPolicy.Error).Vectors[0, 5];
        double expected = policy switch { SubwordPolicy.Mean => (sun + lamp) / 2, SubwordPolicy.First => sun, _ => lamp };
        Assert.Equal(expected, v[3, 5], 1e-12);
    }
}
