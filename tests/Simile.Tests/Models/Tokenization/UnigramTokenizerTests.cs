using System.Text.Json;
using Simile.Models.Tokenization;
using Xunit;

namespace Simile.Tests.Models.Tokenization;

/// <summary>
/// The SentencePiece Unigram tokenizer against SentencePiece's own encoder: the model in
/// tests/reference/modern/xlm-roberta-tiny (trained by python3-sentencepiece, nmt_nfkc) with the ids sentencepiece gave
/// (plus the fairseq offset), read from the .model file and from a Unigram tokenizer.json of the same vocabulary (whose
/// ids Hugging Face tokenizers 0.23.2 gave: they agree except where noted).
/// </summary>
public class UnigramTokenizerTests
{
    private static string Modern => Path.Combine(TestPaths.Reference, "modern");

    private static JsonDocument Expected() => JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Modern, "xlm-roberta-tiny-expected.json")));

    [Fact]
    public void TheSentencePieceModelGivesSentencePiecesIds()
    {
        using var doc = Expected();
        var tok = UnigramModelTokenizer.FromSentencePieceModel(Path.Combine(Modern, "xlm-roberta-tiny", "sentencepiece.bpe.model"), fairseq: true);
        Assert.Equal("sentencepiece-unigram", tok.Kind);
        Assert.Equal(doc.RootElement.GetProperty("config").GetProperty("vocab_size").GetInt32(), tok.VocabularySize);
        Assert.Equal(["<s>", "<pad>", "</s>", "<unk>"], tok.IdToToken.Take(4));
        Assert.Equal("<mask>", tok.IdToToken[^1]);
        int n = 0;
        foreach (var check in doc.RootElement.GetProperty("tokenizer_checks").EnumerateObject())
        {
            var ids = tok.Unigram.Encode(check.Name, withSpecials: false).Select(t => t.Id);
            Assert.Equal(check.Value.GetProperty("ids").EnumerateArray().Select(v => v.GetInt32()), ids);
            n++;
        }
        Assert.True(n >= 15);
        var text = tok.EncodeText("a banana");
        Assert.Equal(0, text.Ids[0]);
        Assert.Equal(2, text.Ids[^1]);
    }

    [Fact]
    public void TheTokenizerJsonGivesHuggingFaceTokenizersIds()
    {
        using var doc = Expected();
        string folder = Path.Combine(Modern, "xlm-roberta-tiny-json");
        var tok = Assert.IsType<UnigramModelTokenizer>(HuggingFaceTokenizer.Load(folder, "xlm-roberta"));
        int differ = 0;
        foreach (var check in doc.RootElement.GetProperty("tokenizer_checks").EnumerateObject())
        {
            var ids = tok.Unigram.Encode(check.Name, withSpecials: false).Select(t => t.Id).ToList();
            if (check.Value.TryGetProperty("hf_ids", out _))
            {
                // The tokenizer.json of this test uses a plain NFKC normaliser, which keeps a tab; SentencePiece's
                // nmt_nfkc map (and XLM-R's own tokenizer.json, whose Precompiled normaliser carries that map) turns it
                // into a space, as Simile does for both sources.
                Assert.Contains('\t', check.Name);
                differ++;
            }
            Assert.Equal(check.Value.GetProperty("ids").EnumerateArray().Select(v => v.GetInt32()), ids);
        }
        Assert.Equal(1, differ);
    }

    [Fact]
    public void SpansPointIntoTheInputAndUnknownCharactersFuseIntoOneToken()
    {
        var tok = UnigramModelTokenizer.FromSentencePieceModel(Path.Combine(Modern, "xlm-roberta-tiny", "sentencepiece.bpe.model"), fairseq: true);
        const string text = "  banana ☃☃ galaxy";
        var t = tok.EncodeText(text);
        for (int i = 1; i < t.Count - 1; i++)
        {
            var (s, len) = t.Offsets[i];
            Assert.InRange(s, 0, text.Length);
            Assert.InRange(s + len, s, text.Length);
        }
        Assert.Equal("banana", text.Substring(t.Offsets[1].Start, t.Offsets[1].Length));
        Assert.Single(t.Ids, 3);                              // ☃☃ is one <unk>
        int unk = Array.IndexOf(t.Ids, 3);
        Assert.Equal("☃☃", text.Substring(t.Offsets[unk].Start, t.Offsets[unk].Length).Trim());
    }

    [Fact]
    public void ViterbiPicksTheBestScoringSegmentation()
    {
        // pieces: ▁ab (−1), ▁a (−1), b (−1.5), ▁abc (−5), c (−1): ▁ab + c = −2 beats ▁abc = −5 and ▁a + b + c = −3.5.
        var data = new UnigramTokenizerData(["<unk>", "▁ab", "▁a", "b", "▁abc", "c"], [0, -1, -1, -1.5f, -5, -1],
            [false, true, true, true, true, true], UnknownId: 0);
        var tok = new UnigramTokenizer(data);
        Assert.Equal([1, 5], tok.Encode("abc", withSpecials: false).Select(t => t.Id));
        Assert.Equal([2, 0], tok.Encode("ax", withSpecials: false).Select(t => t.Id));   // x: unknown
    }
}

/// <summary>A fact that runs when tests/reference/sentencepiece/unigram.model (the tokenizer tests' SentencePiece
/// models, trained by python3-sentencepiece) is in the repository, and is skipped with the reason before it is.</summary>
public sealed class SentencePieceReferenceFactAttribute : FactAttribute
{
    public static string Folder => Path.Combine(TestPaths.Reference, "sentencepiece");

    public SentencePieceReferenceFactAttribute()
    {
        if (!File.Exists(Path.Combine(Folder, "unigram.model")) || !File.Exists(Path.Combine(Folder, "expected.json")))
            Skip = "tests/reference/sentencepiece/unigram.model is not in this checkout";
    }
}

/// <summary>The Unigram tokenizer against sentencepiece's own ids on the 1,000-piece Unigram model of the tokenizer
/// tests (many scripts, a user-defined symbol, characters outside the 98 % coverage).</summary>
public class SentencePieceUnigramReferenceTests
{
    [SentencePieceReferenceFact]
    public void EveryTextGetsSentencePiecesIds()
    {
        string folder = SentencePieceReferenceFactAttribute.Folder;
        var tok = UnigramModelTokenizer.FromSentencePieceModel(Path.Combine(folder, "unigram.model"), fairseq: false);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "expected.json")));
        int n = 0;
        var wrong = new List<string>();
        foreach (var check in doc.RootElement.GetProperty("expected").GetProperty("unigram").EnumerateObject())
        {
            string expected = check.Value.GetString()!;
            string actual = string.Join(" ", tok.Unigram.Encode(check.Name, withSpecials: false).Select(t => t.Id));
            if (actual != expected) wrong.Add($"'{check.Name}': sentencepiece {expected}, Simile {actual}");
            n++;
        }
        Assert.True(n >= 20);
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }
}
