using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Simile.Models.Tokenization;

/// <summary>The two BPE families of modern decoders.</summary>
public enum BpeKind
{
    /// <summary>GPT-2 / Llama-3 / Qwen2: a split regex, then the UTF-8 bytes of each piece as printable stand-ins (Ġ for a space), merges.</summary>
    ByteLevel,
    /// <summary>Llama-2 / Mistral / Gemma: spaces become ▁ (U+2581), optional dummy-prefix ▁, characters merged, unknown characters as &lt;0xNN&gt; bytes.</summary>
    SentencePiece,
}

/// <summary>
/// Everything a BPE tokenizer is, as plain data, whatever file it came from (tokenizer.json, tokenizer.model, GGUF
/// <c>tokenizer.ggml.*</c>). Merges are ranked pairs (first = applied first); without merges, pairs merge by the score
/// of the piece they form (SentencePiece BPE: highest score first).
/// </summary>
public sealed record BpeTokenizerData(
    BpeKind Kind,
    IReadOnlyList<string> Tokens,                              // id → piece
    IReadOnlyList<(string Left, string Right)>? Merges = null, // rank order
    IReadOnlyList<float>? Scores = null,                       // id → score (used when Merges is null)
    IReadOnlyList<int>? TokenTypes = null,                     // id → SentencePiece type: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte
    int? BosId = null,
    int? EosId = null,
    bool AddBos = false,
    bool AddEos = false,
    int? UnknownId = null,
    bool AddSpacePrefix = false,                               // SentencePiece: "▁" before the text (dummy prefix)
    bool PrefixEverySegment = false,                           // …also after each special token written in the text
    bool SplitOnSpace = false,                                 // SentencePiece: Metaspace split (each ▁ starts a new piece)
    IReadOnlyList<string>? SplitPatterns = null,               // byte-level split regexes, each splitting the pieces of the one before (null: GPT-2's)
    bool ByteLevelPrefixSpace = false,                         // byte-level add_prefix_space
    bool IgnoreMerges = false,                                 // a piece that is a whole token is taken as is
    bool ByteFallback = false,                                 // unknown characters as <0xNN> tokens
    IReadOnlyList<string>? SpecialTokens = null,               // strings matched whole in the text (added tokens)
    IReadOnlyList<TextNormalizer>? Normalizers = null,
    bool RemoveExtraWhitespaces = false);                      // SentencePiece: no leading/trailing spaces, runs of spaces as one        // NFC / NFKC / lower case / precompiled charsmap …, in order, before everything

/// <summary>
/// One BPE implementation for byte-level and SentencePiece-style vocabularies (the algorithm of Hugging Face
/// <c>tokenizers</c>' BPE model and of SentencePiece's BPE), keeping every token's character span in the input text.
/// <list type="number">
/// <item>special tokens written in the text are cut out whole;</item>
/// <item>each other segment is normalised (the normalizers in order), then: byte-level — split by the regex, each piece's
/// UTF-8 bytes mapped to GPT-2's printable alphabet; SentencePiece — spaces replaced by ▁, the dummy prefix ▁ added,
/// optionally split before each ▁;</item>
/// <item>BPE on each piece: a whole-token piece is kept when merges are ignored; otherwise start from characters and
/// repeatedly merge the adjacent pair of best rank (merges) or highest score (scores), leftmost first;</item>
/// <item>symbols not in the vocabulary become &lt;0xNN&gt; byte tokens (byte fallback) or the unknown token;</item>
/// <item>BOS / EOS are added around the text (empty spans) when the tokenizer says so.</item>
/// </list>
/// </summary>
public sealed class BpeTokenizer
{
    public const char SpaceMark = '▁';
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";
    public const string Llama3Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    public const string Qwen2Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private static readonly char[] ByteChar = BuildByteAlphabet();

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<(string, string), int>? _mergeRank;
    private readonly float[]? _scores;
    private readonly bool[] _mergeable;             // may a pair merge into this piece (SentencePiece types normal/user-defined/unused)
    private readonly int[] _byteIds;                // <0xNN> → id, or −1
    private readonly CodePointRegex[] _splits;
    private readonly Dictionary<char, string[]> _userDefined;   // SentencePiece type-4 pieces by first character, longest first
    private readonly Dictionary<char, string[]> _specials;   // by first character, longest first

    public BpeTokenizerData Data { get; }
    public IReadOnlyList<string> Tokens => _tokens;
    public int VocabularySize => _tokens.Length;

    public BpeTokenizer(BpeTokenizerData data, string source = "vocabulary")
    {
        Data = data;
        _tokens = data.Tokens.ToArray();
        _ids = new Dictionary<string, int>(_tokens.Length, StringComparer.Ordinal);
        for (int i = 0; i < _tokens.Length; i++)
        {
            if (_tokens[i] is null) throw new SimileException($"BPE vocabulary '{source}' has no piece for id {i}", "use the model's own tokenizer files");
            _ids.TryAdd(_tokens[i], i);   // duplicates (rare, e.g. unused pieces): the first id wins, as in SentencePiece
        }
        if (data.Scores is not null && data.Scores.Count != _tokens.Length)
            throw new SimileException($"BPE vocabulary '{source}' has {data.Scores.Count} scores for {_tokens.Length} tokens", "use the model's own tokenizer files");
        if (data.TokenTypes is not null && data.TokenTypes.Count != _tokens.Length)
            throw new SimileException($"BPE vocabulary '{source}' has {data.TokenTypes.Count} token types for {_tokens.Length} tokens", "use the model's own tokenizer files");
        if (data.Merges is not null)
        {
            _mergeRank = new Dictionary<(string, string), int>(data.Merges.Count);
            for (int r = 0; r < data.Merges.Count; r++)
            {
                var (a, b) = data.Merges[r];
                if (!_ids.ContainsKey(a + b)) continue;   // a merge whose result is not a token can never apply
                _mergeRank.TryAdd((a, b), r);
            }
        }
        else if (data.Scores is null)
            throw new SimileException($"BPE tokenizer '{source}' has neither merges nor scores", "use the model's own tokenizer files");
        else _scores = data.Scores.ToArray();
        _mergeable = new bool[_tokens.Length];
        for (int i = 0; i < _tokens.Length; i++)
            _mergeable[i] = data.TokenTypes is null || data.TokenTypes[i] is 1 or 4 or 5 or 0;
        _byteIds = new int[256];
        for (int b = 0; b < 256; b++) _byteIds[b] = _ids.TryGetValue($"<0x{b:X2}>", out int id) ? id : -1;
        _splits = [];
        if (data.Kind == BpeKind.ByteLevel)
        {
            try { _splits = (data.SplitPatterns ?? [Gpt2Pattern]).Select(p => new CodePointRegex(p)).ToArray(); }
            catch (ArgumentException e)
            {
                throw new SimileException($"BPE tokenizer '{source}': split pattern cannot be used: {e.Message}", "use the model's own tokenizer files", e);
            }
        }
        _specials = (data.SpecialTokens ?? []).Where(s => s.Length > 0 && _ids.ContainsKey(s)).Distinct(StringComparer.Ordinal)
            .GroupBy(s => s[0]).ToDictionary(g => g.Key, g => g.OrderByDescending(s => s.Length).ToArray());
        _userDefined = data.Kind != BpeKind.SentencePiece || data.TokenTypes is null ? []
            : Enumerable.Range(0, _tokens.Length).Where(i => data.TokenTypes[i] == 4 && _tokens[i].Length > 0).Select(i => _tokens[i])
                .Distinct(StringComparer.Ordinal).GroupBy(s => s[0]).ToDictionary(g => g.Key, g => g.OrderByDescending(s => s.Length).ToArray());
        foreach (var (name, id) in new[] { ("BOS", data.BosId), ("EOS", data.EosId), ("unknown", data.UnknownId) })
            if (id is int v && (v < 0 || v >= _tokens.Length))
                throw new SimileException($"BPE tokenizer '{source}': {name} id {v} is outside the vocabulary of {_tokens.Length}", "use the model's own tokenizer files");
    }

    public int? IdOf(string piece) => _ids.TryGetValue(piece, out int id) ? id : null;

    /// <summary>The text with BOS/EOS as the model is fed it.</summary>
    public List<TextToken> EncodeText(string text) => Encode(text, withSpecials: true);

    /// <summary>
    /// Tokens of <paramref name="text"/>; <paramref name="withSpecials"/> adds BOS/EOS (empty spans at 0 and at the end).
    /// </summary>
    public List<TextToken> Encode(string text, bool withSpecials)
    {
        var result = new List<TextToken>();
        if (withSpecials && Data.AddBos && Data.BosId is int bos) result.Add(new TextToken(bos, _tokens[bos], 0, 0));
        int segment = 0, pos = 0;
        while (pos <= text.Length)
        {
            var (at, special) = NextSpecial(text, pos);
            int end = at < 0 ? text.Length : at;
            if (end > pos) EncodeSegment(text, pos, end, segment == 0, result);
            if (at < 0) break;
            int id = _ids[special!];
            result.Add(new TextToken(id, special!, at, special!.Length));
            pos = at + special.Length;
            segment++;
        }
        if (withSpecials && Data.AddEos && Data.EosId is int eos) result.Add(new TextToken(eos, _tokens[eos], text.Length, 0));
        return result;
    }

    /// <summary>The first special token written in the text at or after <paramref name="from"/> (the longest at that place).</summary>
    private (int At, string? Special) NextSpecial(string text, int from)
    {
        if (_specials.Count == 0) return (-1, null);
        for (int i = from; i < text.Length; i++)
        {
            if (!_specials.TryGetValue(text[i], out var candidates)) continue;
            foreach (var s in candidates)
                if (string.CompareOrdinal(text, i, s, 0, s.Length) == 0 && i + s.Length <= text.Length) return (i, s);
        }
        return (-1, null);
    }

    /// <summary>The longest user-defined piece (SentencePiece type 4) at text[i], or null.</summary>
    private string? UserDefinedAt(string text, int i)
    {
        if (!_userDefined.TryGetValue(text[i], out var candidates)) return null;
        foreach (var s in candidates)
            if (i + s.Length <= text.Length && string.CompareOrdinal(text, i, s, 0, s.Length) == 0) return s;
        return null;
    }

    /// <summary>A symbol under construction: its piece text and the character span [Start, End) it covers (−1: none).</summary>
    private struct Symbol
    {
        public string Text;
        public int Start, End;
        public bool Frozen;   // a user-defined piece: never merged with a neighbour
    }

    private void EncodeSegment(string text, int from, int to, bool first, List<TextToken> result)
    {
        var (normal, origin) = Normalize(text, from, to);   // origin[i] = index in text of normal[i]
        if (Data.Kind == BpeKind.SentencePiece && Data.RemoveExtraWhitespaces) (normal, origin) = RemoveExtraSpaces(normal, origin);
        if (Data.Kind == BpeKind.ByteLevel)
        {
            string input = normal;
            int[] src = origin;
            if (Data.ByteLevelPrefixSpace && first && (input.Length == 0 || input[0] != ' '))
            {
                input = " " + input;
                src = [-1, .. origin];
            }
            // Matches are pieces; so is any text between them (HF Split, behaviour "Isolated"); each further pattern
            // splits the pieces of the one before (a Sequence of Split pre-tokenizers).
            var pieces = new List<(int Start, int Length)> { (0, input.Length) };
            foreach (var split in _splits)
            {
                var next = new List<(int Start, int Length)>(pieces.Count * 2);
                foreach (var (s, l) in pieces) split.SplitIsolated(input, s, l, next);
                pieces = next;
            }
            foreach (var (s, l) in pieces) EncodePiece(ByteSymbols(input, src, s, l), result);
            return;
        }

        // SentencePiece: ▁ for spaces, the dummy prefix, then (Metaspace split) a piece per ▁-initial word.
        var chars = new List<Symbol>();
        if (Data.AddSpacePrefix && (first || Data.PrefixEverySegment))
            chars.Add(new Symbol { Text = SpaceMark.ToString(), Start = -1, End = -1 });
        for (int i = 0; i < normal.Length; i++)
        {
            if (UserDefinedAt(normal, i) is string user)
            {
                // SentencePiece matches user-defined pieces inside the normalised text, as one symbol each
                chars.Add(new Symbol { Text = user, Start = origin[i], End = origin[i + user.Length - 1] + 1, Frozen = true });
                i += user.Length - 1;
                continue;
            }
            int len = char.IsHighSurrogate(normal[i]) && i + 1 < normal.Length && char.IsLowSurrogate(normal[i + 1]) ? 2 : 1;
            string c = normal[i] == ' ' ? SpaceMark.ToString() : normal.Substring(i, len);
            chars.Add(new Symbol { Text = c, Start = origin[i], End = origin[i + len - 1] + 1 });
            i += len - 1;
        }
        if (!Data.SplitOnSpace) { EncodePiece(chars, result); return; }
        int startWord = 0;
        for (int i = 1; i <= chars.Count; i++)
            if (i == chars.Count || chars[i].Text[0] == SpaceMark)
            {
                EncodePiece(chars.GetRange(startWord, i - startWord), result);
                startWord = i;
            }
    }

    /// <summary>SentencePiece's remove_extra_whitespaces: leading and trailing spaces dropped, each run of spaces kept as one.</summary>
    private static (string, int[]) RemoveExtraSpaces(string text, int[] origin)
    {
        var sb = new StringBuilder(text.Length);
        var o = new List<int>(origin.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == ' ' && (sb.Length == 0 || sb[^1] == ' ')) continue;
            sb.Append(text[i]); o.Add(origin[i]);
        }
        while (sb.Length > 0 && sb[^1] == ' ') { sb.Length--; o.RemoveAt(o.Count - 1); }
        return (sb.ToString(), o.ToArray());
    }

    private static List<Symbol> ByteSymbols(string input, int[] src, int start, int length)
    {
        var symbols = new List<Symbol>(length);
        Span<byte> buf = stackalloc byte[4];
        for (int i = start; i < start + length; i++)
        {
            int len = char.IsHighSurrogate(input[i]) && i + 1 < start + length && char.IsLowSurrogate(input[i + 1]) ? 2 : 1;
            int n = Encoding.UTF8.GetBytes(input.AsSpan(i, len), buf);
            int s = src[i], e = src[i + len - 1] < 0 ? -1 : src[i + len - 1] + 1;
            for (int k = 0; k < n; k++) symbols.Add(new Symbol { Text = ByteChar[buf[k]].ToString(), Start = s, End = e });
            i += len - 1;
        }
        return symbols;
    }

    /// <summary>BPE on one piece; appends its tokens to <paramref name="result"/>.</summary>
    private void EncodePiece(List<Symbol> symbols, List<TextToken> result)
    {
        if (symbols.Count == 0) return;
        var tokens = new List<TextToken>();
        string whole = string.Concat(symbols.Select(s => s.Text));
        if (Data.IgnoreMerges && _ids.TryGetValue(whole, out int wholeId))
            tokens.Add(Token(wholeId, whole, symbols[0].Start, symbols[^1].End, symbols));
        else
        {
            // HF BPE with byte fallback: characters outside the vocabulary become byte tokens before merging.
            if (_mergeRank is not null && Data.ByteFallback)
                symbols = ExpandUnknown(symbols);
            Merge(symbols);
            foreach (var s in symbols)
            {
                if (_ids.TryGetValue(s.Text, out int id)) { tokens.Add(Token(id, s.Text, s.Start, s.End, null)); continue; }
                if (Data.ByteFallback && Encoding.UTF8.GetBytes(s.Text).All(b => _byteIds[b] >= 0))
                {
                    foreach (byte b in Encoding.UTF8.GetBytes(s.Text)) tokens.Add(Token(_byteIds[b], _tokens[_byteIds[b]], s.Start, s.End, null));
                    continue;
                }
                int unk = Data.UnknownId ?? -1;
                if (unk >= 0 && tokens.Count > 0 && tokens[^1].Id == unk && Data.Kind == BpeKind.SentencePiece)
                {
                    var last = tokens[^1];   // consecutive unknowns fuse into one, as SentencePiece does
                    tokens[^1] = last with { Length = Math.Max(last.Start + last.Length, Math.Max(s.End, 0)) - last.Start };
                    continue;
                }
                tokens.Add(Token(unk, s.Text, s.Start, s.End, null));
            }
        }
        result.AddRange(tokens);
    }

    private List<Symbol> ExpandUnknown(List<Symbol> symbols)
    {
        var expanded = new List<Symbol>(symbols.Count);
        foreach (var s in symbols)
        {
            if (_ids.ContainsKey(s.Text)) { expanded.Add(s); continue; }
            var bytes = Encoding.UTF8.GetBytes(s.Text);
            if (!bytes.All(b => _byteIds[b] >= 0)) { expanded.Add(s); continue; }
            foreach (byte b in bytes) expanded.Add(new Symbol { Text = _tokens[_byteIds[b]], Start = s.Start, End = s.End });
        }
        return expanded;
    }

    private static TextToken Token(int id, string piece, int start, int end, List<Symbol>? all)
    {
        if (all is not null)
        {
            start = all.Where(s => s.Start >= 0).Select(s => s.Start).DefaultIfEmpty(-1).Min();
            end = all.Where(s => s.End >= 0).Select(s => s.End).DefaultIfEmpty(-1).Max();
        }
        return start < 0 || end < start ? new TextToken(id, piece, Math.Max(start, 0), 0) : new TextToken(id, piece, start, end - start);
    }

    /// <summary>Repeatedly merges the best adjacent pair (lowest merge rank, or highest score of the merged piece), leftmost first.</summary>
    private void Merge(List<Symbol> symbols)
    {
        while (symbols.Count > 1)
        {
            int best = -1;
            double bestPriority = double.PositiveInfinity;
            for (int i = 0; i + 1 < symbols.Count; i++)
            {
                if (symbols[i].Frozen || symbols[i + 1].Frozen) continue;
                double p = Priority(symbols[i].Text, symbols[i + 1].Text);
                if (p < bestPriority) { bestPriority = p; best = i; }
            }
            if (best < 0) return;
            var a = symbols[best];
            var b = symbols[best + 1];
            symbols[best] = new Symbol
            {
                Text = a.Text + b.Text,
                Start = a.Start < 0 ? b.Start : a.Start,
                End = b.End < 0 ? a.End : b.End,
            };
            symbols.RemoveAt(best + 1);
        }
    }

    /// <summary>Lower is better; +∞ when the pair does not merge.</summary>
    private double Priority(string a, string b)
    {
        if (_mergeRank is not null)
            return _mergeRank.TryGetValue((a, b), out int rank) ? rank : double.PositiveInfinity;
        return _ids.TryGetValue(a + b, out int id) && _mergeable[id] ? -_scores![id] : double.PositiveInfinity;
    }

    /// <summary>The normalizers in order, keeping for each output character the index of the input character it came from.</summary>
    private (string Text, int[] Origin) Normalize(string text, int from, int to)
    {
        string slice = text[from..to];
        var origin = new int[slice.Length];
        for (int i = 0; i < origin.Length; i++) origin[i] = from + i;
        foreach (var step in Data.Normalizers ?? [])
        {
            var (t, o) = step.Apply(slice);
            for (int i = 0; i < o.Length; i++) o[i] = origin[o[i]];
            (slice, origin) = (t, o);
        }
        return (slice, origin);
    }

    /// <summary>GPT-2's byte alphabet: printable bytes stand for themselves, the others for 256, 257, ….</summary>
    private static char[] BuildByteAlphabet()
    {
        var map = new char[256];
        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = printable ? (char)b : (char)(256 + next++);
        }
        return map;
    }

    /// <summary>The byte a byte-level piece character stands for, or −1.</summary>
    public static int ByteOf(char c)
    {
        for (int b = 0; b < 256; b++) if (ByteChar[b] == c) return b;
        return -1;
    }

    /// <summary>The text a piece stands for: byte-level pieces decoded from their byte alphabet, ▁ as a space.</summary>
    public string Decode(string piece)
    {
        if (Data.Kind == BpeKind.SentencePiece) return piece.Replace(SpaceMark, ' ');
        var bytes = new List<byte>();
        foreach (char c in piece)
        {
            int b = ByteOf(c);
            if (b < 0) return piece;
            bytes.Add((byte)b);
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
