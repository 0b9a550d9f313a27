using System.Globalization;
using System.Text;
using Simile.Models.Tokenization.Unicode;

namespace Simile.Models.Tokenization;

/// <summary>
/// One normalisation step of a tokenizer (a <c>normalizer</c> of tokenizer.json, or SentencePiece's charsmap). Every
/// step maps a text to a new text and, for each output UTF-16 unit, the index of the input unit it came from.
/// </summary>
public abstract record TextNormalizer
{
    public abstract (string Text, int[] Origin) Apply(string text);

    /// <summary>NFC, NFD, NFKC or NFKD (<see cref="UnicodeNormalization"/>).</summary>
    public sealed record Form(UnicodeForm Which) : TextNormalizer
    {
        public override (string Text, int[] Origin) Apply(string text) => UnicodeNormalization.Normalize(text, 0, text.Length, Which);
    }

    /// <summary>Lower case, code point by code point.</summary>
    public sealed record Lowercase : TextNormalizer
    {
        public override (string Text, int[] Origin) Apply(string text) => UnicodeNormalization.ToLower(text, 0, text.Length);
    }

    /// <summary>StripAccents: drop every non-spacing mark (tokenizer.json puts NFD before it).</summary>
    public sealed record StripAccents : TextNormalizer
    {
        public override (string Text, int[] Origin) Apply(string text)
        {
            var sb = new StringBuilder(text.Length);
            var origin = new List<int>(text.Length);
            for (int i = 0; i < text.Length;)
            {
                int cp = UnicodeNormalization.CodePointAt(text, i, text.Length, out int used);
                if (!UnicodeNormalization.IsNonSpacingMark(cp))
                {
                    sb.Append(text, i, used);
                    for (int k = 0; k < used; k++) origin.Add(i);
                }
                i += used;
            }
            return (sb.ToString(), origin.ToArray());
        }
    }

    /// <summary>
    /// SentencePiece's precompiled character map (the <c>Precompiled</c> normalizer of tokenizer.json, the
    /// <c>precompiled_charsmap</c> of a tokenizer.model): a darts-clone double-array trie over UTF-8 bytes whose leaves
    /// point into a blob of NUL-terminated replacement strings. <see cref="HuggingFaceGraphemes"/> selects Hugging Face's
    /// way of applying it (each grapheme cluster shorter than 6 bytes replaced whole by its first (shortest) trie
    /// match, otherwise each character alone); without it, SentencePiece's own (the longest match at each position,
    /// else one character).
    /// </summary>
    public sealed record Precompiled : TextNormalizer
    {
        private readonly uint[] _trie;
        private readonly byte[] _normalized;
        public bool HuggingFaceGraphemes { get; }

        public Precompiled(byte[] charsmap, bool huggingFaceGraphemes, string source)
        {
            HuggingFaceGraphemes = huggingFaceGraphemes;
            if (charsmap.Length < 4) throw Bad(source, "shorter than its header");
            uint size = BitConverter.ToUInt32(charsmap, 0);
            if (size % 4 != 0 || size > charsmap.Length - 4 || size == 0) throw Bad(source, $"trie size {size} does not fit the {charsmap.Length}-byte map");
            _trie = new uint[size / 4];
            Buffer.BlockCopy(charsmap, 4, _trie, 0, (int)size);
            _normalized = charsmap[(4 + (int)size)..];
        }

        private static SimileException Bad(string source, string what) =>
            new($"'{source}': the precompiled character map is damaged ({what})", "re-download the tokenizer files");

        private static uint Offset(uint unit) => (unit >> 10) << (int)((unit & (1u << 9)) >> 6);

        /// <summary>Values of every prefix of <paramref name="key"/> in the trie, shortest first, with the prefix lengths.</summary>
        private List<(int Length, int Value)> PrefixSearch(ReadOnlySpan<byte> key)
        {
            var results = new List<(int, int)>();
            long node = 0;
            if (_trie.Length == 0) return results;
            node ^= Offset(_trie[0]);
            for (int i = 0; i < key.Length; i++)
            {
                byte c = key[i];
                if (c == 0) break;
                node ^= c;
                if (node < 0 || node >= _trie.Length) return results;
                uint unit = _trie[node];
                if ((unit & ((1u << 31) | 0xFF)) != c) return results;
                node ^= Offset(unit);
                if (node < 0 || node >= _trie.Length) return results;
                if (((unit >> 8) & 1) == 1) results.Add((i + 1, (int)(_trie[node] & ((1u << 31) - 1))));
            }
            return results;
        }

        private string? Replacement(int index)
        {
            if (index < 0 || index > _normalized.Length) return null;
            int end = index;
            while (end < _normalized.Length && _normalized[end] != 0) end++;
            return Encoding.UTF8.GetString(_normalized, index, end - index);
        }

        public override (string Text, int[] Origin) Apply(string text)
        {
            var sb = new StringBuilder(text.Length);
            var origin = new List<int>(text.Length);
            void Emit(string s, int from)
            {
                sb.Append(s);
                for (int k = 0; k < s.Length; k++) origin.Add(from);
            }
            if (HuggingFaceGraphemes)
            {
                for (int i = 0; i < text.Length;)
                {
                    int len = StringInfo.GetNextTextElementLength(text.AsSpan(i));
                    if (len <= 0) len = 1;
                    string g = text.Substring(i, len);
                    byte[] gb = Encoding.UTF8.GetBytes(g);
                    if (gb.Length < 6 && PrefixSearch(gb) is { Count: > 0 } r && Replacement(r[0].Value) is string whole)
                        Emit(whole, i);
                    else
                        for (int k = 0; k < len;)
                        {
                            UnicodeNormalization.CodePointAt(g, k, len, out int used);
                            string part = g.Substring(k, used);
                            Emit(PrefixSearch(Encoding.UTF8.GetBytes(part)) is { Count: > 0 } pr && Replacement(pr[0].Value) is string n ? n : part, i + k);
                            k += used;
                        }
                    i += len;
                }
                return (sb.ToString(), origin.ToArray());
            }
            // SentencePiece: the longest trie match at each position (on UTF-8 bytes), else one character as it is.
            byte[] bytes = Encoding.UTF8.GetBytes(text);
            var unitOfByte = new int[bytes.Length + 1];
            for (int i = 0, b = 0; i < text.Length;)
            {
                UnicodeNormalization.CodePointAt(text, i, text.Length, out int used);
                int n = Encoding.UTF8.GetByteCount(text.AsSpan(i, used));
                for (int k = 0; k < n; k++) unitOfByte[b + k] = i;
                b += n; i += used;
                unitOfByte[b] = i;
            }
            for (int b = 0; b < bytes.Length;)
            {
                var found = PrefixSearch(bytes.AsSpan(b));
                if (found.Count > 0 && Replacement(found[^1].Value) is string rep)
                {
                    Emit(rep, unitOfByte[b]);
                    b += found[^1].Length;
                    continue;
                }
                int i = unitOfByte[b];
                UnicodeNormalization.CodePointAt(text, i, text.Length, out int used);
                Emit(text.Substring(i, used), i);
                b += Encoding.UTF8.GetByteCount(text.AsSpan(i, used));
            }
            return (sb.ToString(), origin.ToArray());
        }
    }
}
