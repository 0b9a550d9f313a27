using System.Text.Json;
using Simile.Models.Tokenization;
using Xunit;

namespace Simile.Tests.Models.Tokenization;

/// <summary>
/// tokenizer.model files written by SentencePiece's own trainer (Debian python3-sentencepiece 0.1.97; tiny BPE and
/// Unigram models with byte fallback, a user-defined symbol and the default nmt_nfkc normaliser: string fields in
/// trainer_spec, a precompiled character map in normalizer_spec), and sentencepiece's own ids for 24 texts
/// (tests/reference/sentencepiece, made by make_models.py).
/// </summary>
public class SentencePieceModelFileTests
{
    private static string Dir => Path.Combine(TestPaths.Reference, "sentencepiece");

    private static Dictionary<string, int[]> Expected(string model)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Dir, "expected.json")));
        return doc.RootElement.GetProperty("expected").GetProperty(model).EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray());
    }

    [Fact]
    public void ReadsWhatTheTrainerWrites()
    {
        foreach (var (name, type) in new[] { ("bpe", 2), ("unigram", 1) })
        {
            string path = Path.Combine(Dir, name + ".model");
            var m = SentencePieceModelFile.Parse(File.ReadAllBytes(path), path);
            Assert.Equal(type, m.ModelType);
            Assert.Equal(1000, m.Pieces.Count);
            Assert.Equal(["<unk>", "<s>", "</s>", "<sep>"], m.Pieces.Take(4));
            Assert.Equal([2, 3, 3, 4], m.Types.Take(4));
            Assert.Equal((0, 1, 2), (m.UnknownId, m.BosId, m.EosId));
            Assert.Equal("nmt_nfkc", m.NormalizerName);
            Assert.True(m.PrecompiledCharsmap.Length > 100_000);
            Assert.Equal(name == "bpe", m.ByteFallback);
        }
    }

    [Theory]
    [InlineData("bpe")]
    [InlineData("unigram")]
    public void IdsAsSentencePiece(string name)
    {
        string path = Path.Combine(Dir, name + ".model");
        var m = SentencePieceModelFile.Parse(File.ReadAllBytes(path), path);
        Func<string, IEnumerable<int>> encode = name == "bpe"
            ? new BpeTokenizer(m.ToBpe(path, addBos: false, addEos: false), path) is var bpe ? t => bpe.Encode(t, withSpecials: false).Select(x => x.Id) : null!
            : UnigramModelTokenizer.FromSentencePieceModel(path, fairseq: false).Unigram is var uni ? t => uni.Encode(t, withSpecials: false).Select(x => x.Id) : null!;
        var bad = new List<string>();
        var expected = Expected(name);
        Assert.Equal(24, expected.Count);
        foreach (var (text, ids) in expected)
        {
            var got = encode(text).ToArray();
            if (!got.SequenceEqual(ids)) bad.Add($"'{text}': sentencepiece [{string.Join(' ', ids)}], Simile [{string.Join(' ', got)}]");
        }
        Assert.True(bad.Count == 0, string.Join("\n", bad));
    }
}
