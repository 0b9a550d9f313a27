using System.Globalization;
using System.Text;
using Simile.Models.Tokenization.Unicode;

namespace Simile.Models.Tokenization;

/// <summary>One token of a text: vocabulary id, piece text, and the character span in the original text.</summary>
public readonly record struct TextToken(int Id, string Piece, int Start, int Length);

/// <summary>
/// BERT's WordPiece tokenizer (the algorithm of Hugging Face's BertTokenizer with tokenize_chinese_chars on and, for
/// uncased models, do_lower_case with strip_accents; cased models keep case and accents), written here so that every
/// token keeps its character span in the original text and so that accent stripping works without ICU (see
/// <see cref="Unicode.UnicodeNormalization"/>). The one WordPiece implementation: embedded models and Hugging Face folders use it.
/// <list type="number">
/// <item>special tokens written in the text ([MASK], [SEP], [CLS], [PAD], [UNK]) are kept whole;</item>
/// <item>clean: drop NUL, U+FFFD and control characters (Cc/Cf other than tab/CR/LF); whitespace (Zs, tab, CR, LF) splits words;</item>
/// <item>CJK ideographs become words of their own;</item>
/// <item>uncased: each word is lower-cased (invariant), then accents are stripped (NFD, drop Mn); a stripped mark stays in the span of its base character;</item>
/// <item>punctuation (ASCII symbols and Unicode P*) splits off as one-character words;</item>
/// <item>WordPiece: greedy longest match from the left, continuation pieces prefixed "##"; a word with an
/// unmatched remainder, or longer than 100 characters, becomes one [UNK].</item>
/// </list>
/// </summary>
public sealed class WordPieceTokenizer
{
    public const int MaxCharsPerWord = 100;

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public bool LowerCase { get; }
    public int UnknownId { get; }
    public int ClassificationId { get; }
    public int SeparatorId { get; }
    public int PaddingId { get; }
    public int VocabularySize => _tokens.Length;
    public IReadOnlyList<string> Tokens => _tokens;

    public WordPieceTokenizer(IReadOnlyList<string> vocabulary, bool lowerCase = true, string source = "vocabulary")
    {
        _tokens = vocabulary.ToArray();
        _ids = new Dictionary<string, int>(_tokens.Length, StringComparer.Ordinal);
        for (int i = 0; i < _tokens.Length; i++) _ids.TryAdd(_tokens[i], i);   // first occurrence wins, as in HF
        _lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        LowerCase = lowerCase;
        UnknownId = Require("[UNK]", source);
        ClassificationId = Require("[CLS]", source);
        SeparatorId = Require("[SEP]", source);
        PaddingId = _ids.GetValueOrDefault("[PAD]", 0);
    }

    /// <summary>Reads a vocab.txt (one token per line, id = line number, UTF-8).</summary>
    public static WordPieceTokenizer FromVocabBytes(byte[] vocabTxt, string source, bool lowerCase = true)
    {
        string text;
        try { text = new UTF8Encoding(false, true).GetString(vocabTxt); }
        catch (DecoderFallbackException) { throw new SimileException($"{source} is not UTF-8 text", "point Simile at the model's vocab.txt"); }
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        if (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        if (lines.Count == 0) throw new SimileException($"{source} is empty", "point Simile at the model's vocab.txt");
        return new WordPieceTokenizer(lines, lowerCase, source);
    }

    public static WordPieceTokenizer FromVocabFile(string path, bool lowerCase = true)
    {
        if (!File.Exists(path)) throw new SimileException($"vocabulary file '{path}' does not exist", "put the model's vocab.txt next to the .onnx file");
        return FromVocabBytes(File.ReadAllBytes(path), path, lowerCase);
    }

    private int Require(string token, string source) =>
        _ids.TryGetValue(token, out int id) ? id
        : throw new SimileException($"{source} has no {token} token; it is not a BERT WordPiece vocabulary", "use the vocab.txt that belongs to the model");

    public bool TryGetId(string token, out int id) => _ids.TryGetValue(token, out id);

    public string TokenOf(int id) => _tokens[id];

    public bool IsSpecial(int id) => _tokens[id] is "[PAD]" or "[UNK]" or "[CLS]" or "[SEP]" or "[MASK]"
                                     || (_tokens[id].StartsWith("[unused", StringComparison.Ordinal) && _tokens[id].EndsWith(']'));

    /// <summary>The tokens of a text without [CLS]/[SEP].</summary>
    public List<TextToken> Tokenize(string text)
    {
        var result = new List<TextToken>();
        var word = new StringBuilder();
        var origin = new List<(int Start, int Length)>();   // per normalized char: the original character span
        var folded = new StringBuilder();
        Span<char> buf = stackalloc char[2];

        void Flush()
        {
            if (word.Length > 0) WordPiece(word, origin, result);
            word.Clear(); origin.Clear();
        }

        for (int i = 0; i < text.Length;)
        {
            if (text[i] == '[' && SpecialTokenAt(text, i) is { } special)
            {
                // [MASK], [SEP], … written in the text are one token each, as in Hugging Face's tokenizers
                Flush();
                result.Add(new TextToken(special.Id, special.Token, i, special.Token.Length));
                i += special.Token.Length;
                continue;
            }
            Rune.DecodeFromUtf16(text.AsSpan(i), out Rune rune, out int used);
            int cp = rune.Value;
            var cat = Rune.GetUnicodeCategory(rune);
            if (cp == 0 || cp == 0xFFFD || (IsControl(cp, cat))) { i += used; continue; }
            if (IsWhitespace(cp, cat)) { Flush(); i += used; continue; }
            if (IsCjk(cp))
            {
                Flush();
                word.Append(text, i, used);
                for (int k = 0; k < used; k++) origin.Add((i, used));
                Flush();
                i += used; continue;
            }
            // lower-case, then strip accents, character by character (both are per-code-point mappings)
            folded.Clear();
            int n = rune.EncodeToUtf16(buf);
            // uncased: strip accents (NFD, drop Mn), then lower-case, as Hugging Face's BertNormalizer does
            if (LowerCase && cp < 0x80) folded.Append(char.ToLowerInvariant((char)cp));
            else if (LowerCase) folded.Append(UnicodeNormalization.ToLower(UnicodeNormalization.StripAccents(new string(buf[..n]))));
            else folded.Append(buf[..n]);
            if (folded.Length == 0 && origin.Count > 0)
            {
                // a combining mark that was stripped: it belongs to the span of the character it modifies
                var last = origin[^1];
                origin[^1] = (last.Start, i + used - last.Start);
            }
            for (int k = 0; k < folded.Length; k++)
            {
                char c = folded[k];
                bool punct = char.IsSurrogate(c) ? false : IsPunctuation(c);
                if (punct)
                {
                    Flush();
                    word.Append(c); origin.Add((i, used));
                    Flush();
                }
                else { word.Append(c); origin.Add((i, used)); }
            }
            i += used;
        }
        Flush();
        return result;
    }

    private static readonly string[] SpecialTokens = ["[MASK]", "[SEP]", "[CLS]", "[PAD]", "[UNK]"];

    private (int Id, string Token)? SpecialTokenAt(string text, int i)
    {
        foreach (var t in SpecialTokens)
            if (string.CompareOrdinal(text, i, t, 0, t.Length) == 0 && _ids.TryGetValue(t, out int id)) return (id, t);
        return null;
    }

    /// <summary>The text as the model is fed: [CLS] tokens [SEP], special tokens with an empty span at 0.</summary>
    public TokenizedText TokenizeText(string text)
    {
        var toks = Tokenize(text);
        int n = toks.Count + 2;
        var ids = new int[n]; var pieces = new string[n]; var offsets = new (int, int)[n];
        ids[0] = ClassificationId; pieces[0] = "[CLS]"; offsets[0] = (0, 0);
        for (int t = 0; t < toks.Count; t++)
        {
            ids[t + 1] = toks[t].Id; pieces[t + 1] = toks[t].Piece; offsets[t + 1] = (toks[t].Start, toks[t].Length);
        }
        ids[n - 1] = SeparatorId; pieces[n - 1] = "[SEP]"; offsets[n - 1] = (0, 0);
        return new TokenizedText(text, ids, pieces, offsets);
    }

    private void WordPiece(StringBuilder wordBuilder, List<(int Start, int Length)> origin, List<TextToken> into)
    {
        string word = wordBuilder.ToString();
        (int, int) Span(int from, int to)   // normalized [from, to) → original span
        {
            int s = origin[from].Start;
            var last = origin[to - 1];
            return (s, last.Start + last.Length - s);
        }
        if (word.Length > MaxCharsPerWord)
        {
            var (s, l) = Span(0, word.Length);
            into.Add(new TextToken(UnknownId, "[UNK]", s, l));
            return;
        }
        int mark = into.Count;
        Span<char> buf = stackalloc char[MaxCharsPerWord + 2];
        for (int start = 0; start < word.Length;)
        {
            int end = word.Length, found = -1;
            for (; end > start; end--)
            {
                int len = 0;
                if (start > 0) { buf[0] = '#'; buf[1] = '#'; len = 2; }
                word.AsSpan(start, end - start).CopyTo(buf[len..]);
                len += end - start;
                if (_lookup.TryGetValue(buf[..len], out int id)) { found = id; break; }
            }
            if (found < 0)
            {
                into.RemoveRange(mark, into.Count - mark);
                var (s, l) = Span(0, word.Length);
                into.Add(new TextToken(UnknownId, "[UNK]", s, l));
                return;
            }
            var (ss, ll) = Span(start, end);
            into.Add(new TextToken(found, _tokens[found], ss, ll));
            start = end;
        }
    }

    private static bool IsWhitespace(int cp, UnicodeCategory cat) =>
        cp is ' ' or '\t' or '\n' or '\r' || cat == UnicodeCategory.SpaceSeparator;

    private static bool IsControl(int cp, UnicodeCategory cat) =>
        cp is not ('\t' or '\n' or '\r') && cat is UnicodeCategory.Control or UnicodeCategory.Format;

    private static bool IsPunctuation(char c)
    {
        if (c is >= '!' and <= '/' or >= ':' and <= '@' or >= '[' and <= '`' or >= '{' and <= '~') return true;
        return char.GetUnicodeCategory(c) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    private static bool IsCjk(int cp) =>
        cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF or >= 0x2A700 and <= 0x2B73F
            or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
}
