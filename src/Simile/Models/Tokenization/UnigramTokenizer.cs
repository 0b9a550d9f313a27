using System.Globalization;
using System.Text;

namespace Simile.Models.Tokenization;

/// <summary>
/// Everything a SentencePiece Unigram tokenizer is, as plain data, whatever file it came from (a SentencePiece model of
/// type 1 — XLM-R's <c>sentencepiece.bpe.model</c>, a <c>tokenizer.model</c> — or a <c>tokenizer.json</c> whose model
/// is <c>Unigram</c>). Ids are the model's own: a fairseq-offset vocabulary (XLM-R) is built by the caller.
/// </summary>
public sealed record UnigramTokenizerData(
    IReadOnlyList<string> Pieces,          // id → piece
    IReadOnlyList<float> Scores,           // id → log probability
    IReadOnlyList<bool> Matchable,         // id → may text be segmented into this piece (normal and user-defined pieces)
    int UnknownId,
    int? BosId = null,
    int? EosId = null,
    bool AddDummyPrefix = true,            // "▁" before the text
    bool RemoveExtraWhitespaces = true,    // strip leading/trailing spaces, collapse runs of spaces to one
    IReadOnlyList<TextNormalizer>? Normalizers = null,   // NFKC, SentencePiece's precompiled charsmap, …, in order
    IReadOnlyList<string>? SpecialTokens = null,   // strings matched whole in the text (<s>, </s>, <mask>, …)
    IReadOnlyList<int>? UserDefined = null);       // ids that are always one token where they occur

/// <summary>
/// SentencePiece's Unigram segmentation (unigram_model.cc, and Hugging Face tokenizers' Unigram model): the text is
/// normalised (its normalizers: SentencePiece's precompiled charsmap, NFKC, …; tab, newline and carriage return become spaces; runs of spaces collapse and
/// the ends are trimmed when the model removes extra whitespace), spaces become ▁ and a ▁ is put in front (the dummy
/// prefix); then the Viterbi path through the lattice of every vocabulary piece that occurs in the text gives the
/// segmentation of highest total score (sum of piece log probabilities). A character no piece covers becomes the
/// unknown token with score min_score − 10, and consecutive unknown characters are one unknown token, as in both
/// reference implementations; user-defined pieces score length · max_score − 0.1 so that they are always kept whole. Ties keep the path whose last piece is longest (sentencepiece's order). Each token keeps
/// the character span of the input it came from; BOS/EOS (when the tokenizer adds them) have empty spans.
/// </summary>
public sealed class UnigramTokenizer
{
    public const char SpaceMark = '▁';
    private const float UnknownPenalty = 10f;

    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly int _longest;              // longest matchable piece, in UTF-16 units
    private readonly float _unknownScore;
    private readonly float _maxScore;
    private readonly HashSet<int> _userDefined;
    private readonly string[] _specials;        // longest first
    private readonly Dictionary<string, int> _specialIds = new(StringComparer.Ordinal);

    public UnigramTokenizerData Data { get; }
    public IReadOnlyList<string> Tokens => Data.Pieces;

    public UnigramTokenizer(UnigramTokenizerData data, string source = "vocabulary")
    {
        Data = data;
        int n = data.Pieces.Count;
        if (data.Scores.Count != n || data.Matchable.Count != n)
            throw new SimileException($"Unigram tokenizer '{source}': {n} pieces but {data.Scores.Count} scores and {data.Matchable.Count} types",
                "use the model's own tokenizer file");
        if (data.UnknownId < 0 || data.UnknownId >= n)
            throw new SimileException($"Unigram tokenizer '{source}': the unknown id {data.UnknownId} is not a piece (0 … {n - 1})", "use the model's own tokenizer file");
        float min = float.PositiveInfinity;
        for (int i = 0; i < n; i++)
        {
            if (!data.Matchable[i]) continue;
            string p = data.Pieces[i];
            if (p.Length == 0) continue;
            if (!float.IsFinite(data.Scores[i]))
                throw new SimileException($"Unigram tokenizer '{source}': piece {i} has score {data.Scores[i]}", "use the model's own tokenizer file");
            _ids.TryAdd(p, i);
            _longest = Math.Max(_longest, p.Length);
            min = Math.Min(min, data.Scores[i]);
        }
        _unknownScore = (float.IsFinite(min) ? min : 0) - UnknownPenalty;
        _maxScore = _ids.Count == 0 ? 0 : _ids.Values.Max(i => data.Scores[i]);
        _userDefined = [.. data.UserDefined ?? []];
        for (int i = 0; i < n; i++)
            if (data.SpecialTokens?.Contains(data.Pieces[i]) == true) _specialIds.TryAdd(data.Pieces[i], i);
        _specials = _specialIds.Keys.OrderByDescending(s => s.Length).ToArray();
    }

    /// <summary>The text as the model is fed it: BOS, the pieces, EOS (when the tokenizer adds them).</summary>
    public List<TextToken> EncodeText(string text) => Encode(text, withSpecials: true);

    /// <summary>The pieces of a text, with or without BOS/EOS; special tokens written in the text are kept whole.</summary>
    public List<TextToken> Encode(string text, bool withSpecials)
    {
        var result = new List<TextToken>();
        if (withSpecials && Data.BosId is int bos) result.Add(new TextToken(bos, Data.Pieces[bos], 0, 0));
        int from = 0;
        bool first = true;
        while (from <= text.Length)
        {
            var (at, special) = NextSpecial(text, from);
            int to = at < 0 ? text.Length : at;
            if (to > from || (at < 0 && first)) EncodeSegment(text, from, to, result);
            if (at < 0) break;
            result.Add(new TextToken(_specialIds[special!], special!, at, special!.Length));
            from = at + special.Length;
            first = false;
        }
        if (withSpecials && Data.EosId is int eos) result.Add(new TextToken(eos, Data.Pieces[eos], text.Length, 0));
        return result;
    }

    private (int At, string? Special) NextSpecial(string text, int from)
    {
        if (_specials.Length == 0) return (-1, null);
        for (int i = from; i < text.Length; i++)
            foreach (var s in _specials)
                if (s[0] == text[i] && string.CompareOrdinal(text, i, s, 0, s.Length) == 0) return (i, s);
        return (-1, null);
    }

    /// <summary>Normalises one segment into ▁-text with, per character, the input index it came from (−1: the dummy prefix).</summary>
    private (string Text, int[] Origin) Normalize(string text, int from, int to)
    {
        string normal = text[from..to];
        var origin = new int[normal.Length];
        for (int i = 0; i < origin.Length; i++) origin[i] = from + i;
        foreach (var step in Data.Normalizers ?? [])
        {
            var (t, o) = step.Apply(normal);
            for (int i = 0; i < o.Length; i++) o[i] = origin[o[i]];
            (normal, origin) = (t, o);
        }
        var sb = new StringBuilder(normal.Length);
        foreach (char ch in normal) sb.Append(ch is '\t' or '\n' or '\r' ? ' ' : ch);
        string s = sb.ToString();
        var keep = new List<int>(s.Length);
        if (Data.RemoveExtraWhitespaces)
        {
            for (int i = 0; i < s.Length; i++)
            {
                if (s[i] == ' ' && (keep.Count == 0 || s[keep[^1]] == ' ')) continue;   // leading or repeated spaces
                keep.Add(i);
            }
            while (keep.Count > 0 && s[keep[^1]] == ' ') keep.RemoveAt(keep.Count - 1); // trailing spaces
        }
        else
            for (int i = 0; i < s.Length; i++) keep.Add(i);
        var outText = new StringBuilder(keep.Count + 1);
        var outOrigin = new List<int>(keep.Count + 1);
        if (Data.AddDummyPrefix && keep.Count > 0)
        {
            outText.Append(SpaceMark);
            outOrigin.Add(-1);
        }
        foreach (int i in keep)
        {
            outText.Append(s[i] == ' ' ? SpaceMark : s[i]);
            outOrigin.Add(origin[i]);
        }
        return (outText.ToString(), outOrigin.ToArray());
    }

    /// <summary>Viterbi over the lattice of matchable pieces; appends the best segmentation's tokens.</summary>
    private void EncodeSegment(string text, int from, int to, List<TextToken> result)
    {
        var (s, origin) = Normalize(text, from, to);
        int n = s.Length;
        if (n == 0) return;
        var best = new double[n + 1];
        var prev = new int[n + 1];          // start of the last piece of the best path ending here
        var pieceId = new int[n + 1];       // its id (unknown id for an unknown character)
        Array.Fill(best, double.NegativeInfinity);
        best[0] = 0;
        for (int i = 0; i < n; i++)
        {
            if (double.IsNegativeInfinity(best[i])) continue;
            if (char.IsLowSurrogate(s[i])) continue;
            int charLen = char.IsHighSurrogate(s[i]) && i + 1 < n && char.IsLowSurrogate(s[i + 1]) ? 2 : 1;
            bool single = false;
            int max = Math.Min(_longest, n - i);
            for (int len = 1; len <= max; len++)
            {
                int end = i + len;
                if (end < n && char.IsLowSurrogate(s[end])) continue;          // never split a surrogate pair
                if (!_ids.TryGetValue(s.Substring(i, len), out int id)) continue;
                if (len == charLen) single = true;
                // user-defined pieces outrank any segmentation of the same characters (sentencepiece: length · max score − 0.1)
                double score = best[i] + (_userDefined.Contains(id) ? len * _maxScore - 0.1 : Data.Scores[id]);
                if (score > best[end] || (score == best[end] && i < prev[end]))
                {
                    best[end] = score; prev[end] = i; pieceId[end] = id;
                }
            }
            if (!single)
            {
                int end = i + charLen;
                double score = best[i] + _unknownScore;
                if (score > best[end] || (score == best[end] && i < prev[end]))
                {
                    best[end] = score; prev[end] = i; pieceId[end] = Data.UnknownId;
                }
            }
        }
        // Back-track, then fuse runs of unknown characters.
        var path = new List<(int Start, int End, int Id)>();
        for (int end = n; end > 0; end = prev[end]) path.Add((prev[end], end, pieceId[end]));
        path.Reverse();
        var fused = new List<(int Start, int End, int Id)>();
        foreach (var p in path)
        {
            if (fused.Count > 0 && p.Id == Data.UnknownId && fused[^1].Id == Data.UnknownId)
                fused[^1] = (fused[^1].Start, p.End, p.Id);
            else fused.Add(p);
        }
        foreach (var (start, end, id) in fused)
        {
            int a = start, b = end - 1;
            while (a <= b && origin[a] < 0) a++;
            int spanStart = a <= b ? origin[a] : (origin.FirstOrDefault(o => o >= 0, from));
            int spanEnd = a <= b ? origin[b] + 1 : spanStart;
            if (spanEnd < spanStart) spanEnd = spanStart;
            // the span ends after the whole input character the last normalised character came from
            while (spanEnd < to && spanEnd > spanStart && char.IsLowSurrogate(text[spanEnd])) spanEnd++;
            result.Add(new TextToken(id, Data.Pieces[id], spanStart, spanEnd - spanStart));
        }
    }
}
