using Simile.Models.Tokenization;
using Xunit;

namespace Simile.Tests.Models;

/// <summary>BERT's uncased normalisation (lowercase, NFD, drop Mn) as done by the one WordPiece tokenizer.</summary>
public class BertNormalizationTests
{
    // Expected values from Python: ''.join(c for c in unicodedata.normalize('NFD', s.lower()) if category(c) != 'Mn')
    [Theory]
    [InlineData("Crème Brûlée", "creme brulee")]
    [InlineData("ÅNGSTRÖM Łódź", "angstrom łodz")]
    [InlineData("한국어", "\u1112\u1161\u11AB\u1100\u116E\u11A8\u110B\u1165")]
    [InlineData("Cafe\u0301", "cafe")]
    public void MatchesPythonBertStripAccents(string text, string expected)
    {
        // A vocabulary holding exactly the normalised words: each word must come out as one whole token.
        string[] words = expected.Split(' ');
        var tok = new WordPieceTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", .. words]);
        var got = tok.Tokenize(text);
        Assert.Equal(words, got.Select(t => t.Piece));
        // Character spans point back into the input, in order, and cover the original (accented) words.
        string[] originals = text.Split(' ');
        Assert.Equal(originals.Length, got.Count);
        int from = 0;
        for (int i = 0; i < got.Count; i++)
        {
            Assert.True(got[i].Start >= from);
            Assert.Equal(originals[i], text.Substring(got[i].Start, got[i].Length));
            from = got[i].Start + got[i].Length;
        }
        Assert.True(from <= text.Length);
    }

    [Fact]
    public void SpecialTokensInTheTextStayWhole()
    {
        var tok = new WordPieceTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "is", "red", "[", "]", "mask"]);
        string text = "The [MASK] is red[SEP]";
        var got = tok.Tokenize(text);
        Assert.Equal(["the", "[MASK]", "is", "red", "[SEP]"], got.Select(t => t.Piece));
        Assert.Equal(4, got[1].Id);
        Assert.Equal("[MASK]", text.Substring(got[1].Start, got[1].Length));
        Assert.Equal("[SEP]", text.Substring(got[4].Start, got[4].Length));
        Assert.Equal(["[", "mask", "]"], tok.Tokenize("[mask]").Select(t => t.Piece));   // case matters, as in HF
    }
}
