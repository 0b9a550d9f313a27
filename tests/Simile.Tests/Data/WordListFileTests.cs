using Simile.Data;
using Xunit;

namespace Simile.Tests.Data;

public class WordListFileTests
{
    [Fact]
    public void ReadsTheSeedWordList()
    {
        var list = WordListFile.Read(Path.Combine(TestPaths.RepoRoot, "data", "seed-words.tsv"));
        Assert.Equal(34, list.Count);
        Assert.Equal("galaxy", list.Words[0]);
        Assert.Equal("space", list.Categories[0]);
        Assert.True(list.HasCategories);
        Assert.Equal(3, list.CategoryNames.Count);
    }

    [Fact]
    public void TheBuiltInSeedWordsAreTheRepositoryFile()
    {
        var file = WordListFile.Read(Path.Combine(TestPaths.RepoRoot, "data", "seed-words.tsv"));
        var builtIn = WordListFile.SeedWords();
        Assert.Equal(file.Words, builtIn.Words);
        Assert.Equal(file.Categories, builtIn.Categories);
    }

    [Fact]
    public void CategoryIsOptionalAndRoundTrips()
    {
        using var dir = new TempFolder();
        var list = WordListFile.Read(dir.Write("w.tsv", "word\nsun\n\nmoon\nstar\n"));
        Assert.Equal(["sun", "moon", "star"], list.Words);
        Assert.All(list.Categories, Assert.Null);

        var withCats = WordListFile.Read(dir.Write("c.tsv", "category\tword\tnote\nsky\tsun\tx\n\tmoon\t\nsky\tstar\n"));
        Assert.Equal(["sun", "moon", "star"], withCats.Words);
        Assert.Equal(["sky", null, "sky"], withCats.Categories);
        string p = dir.File("out.tsv");
        WordListFile.Write(p, withCats);
        var back = WordListFile.Read(p);
        Assert.Equal(withCats.Words, back.Words);
        Assert.Equal(withCats.Categories, back.Categories);
    }

    [Theory]
    [InlineData("sun\nmoon\nstar\n", "line 1: missing header")]
    [InlineData("", "word list is empty")]
    [InlineData("word\tcategory\nsun\tsky\n\tsky\nstar\tsky\n", "line 3: empty word")]
    [InlineData("word\nsun\nmoon\n\nsun\n", "line 5: duplicate word 'sun' (also on line 2)")]
    [InlineData("word\nsun\nmoon\n", "has 2 words, at least 3 are needed")]
    public void BadListsNameTheLine(string text, string expected)
    {
        using var dir = new TempFolder();
        string p = dir.Write("bad.tsv", text);
        var e = Assert.Throws<SimileException>(() => WordListFile.Read(p));
        Assert.Contains(p, e.Message);
        Assert.Contains(expected, e.Message);
        Assert.False(string.IsNullOrWhiteSpace(e.Fix));
    }
}
