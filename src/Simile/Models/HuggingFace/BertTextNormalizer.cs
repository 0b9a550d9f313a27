using System.Globalization;
using System.Text;

namespace Simile.Models.HuggingFace;

/// <summary>
/// BERT's uncased normalisation — lowercase, then NFD and drop non-spacing marks (accents) — done one character at a
/// time from a built-in table, so it works under InvariantGlobalization (where string.Normalize leaves non-ASCII text
/// unchanged) and so every character of the result knows the character of the input it came from.
/// </summary>
internal static partial class BertTextNormalizer
{
    private static readonly Dictionary<char, string> Stripped = BuildTable();

    private static Dictionary<char, string> BuildTable()
    {
        var forms = StrippedForms.Split('|');
        if (forms.Length != DecomposableKeys.Length) throw new InvalidOperationException("accent table is inconsistent");
        var table = new Dictionary<char, string>(forms.Length);
        for (int i = 0; i < forms.Length; i++) table[DecomposableKeys[i]] = forms[i];
        return table;
    }

    /// <summary>The normalised text and, for each of its characters (plus one past the end), the index in <paramref name="text"/>.</summary>
    public static string Normalize(string text, out int[] toOriginal)
    {
        var sb = new StringBuilder(text.Length);
        var map = new List<int>(text.Length + 1);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                // Astral characters: lowercase via the pair; none of them carries a strippable accent in BERT vocabularies.
                string pair = text.Substring(i, 2).ToLowerInvariant();
                if (CharUnicodeInfo.GetUnicodeCategory(pair, 0) != UnicodeCategory.NonSpacingMark)
                    foreach (char p in pair) { sb.Append(p); map.Add(i); }
                i++;
                continue;
            }
            char lower = char.ToLowerInvariant(c);
            if (lower >= 0xAC00 && lower <= 0xD7A3)
            {
                // Hangul syllable → its conjoining jamo (the algorithmic canonical decomposition).
                int s = lower - 0xAC00;
                sb.Append((char)(0x1100 + s / 588)); map.Add(i);
                sb.Append((char)(0x1161 + s % 588 / 28)); map.Add(i);
                if (s % 28 != 0) { sb.Append((char)(0x11A7 + s % 28)); map.Add(i); }
                continue;
            }
            if (Stripped.TryGetValue(lower, out var form))
            {
                foreach (char f in form) { sb.Append(f); map.Add(i); }
                continue;
            }
            if (CharUnicodeInfo.GetUnicodeCategory(lower) == UnicodeCategory.NonSpacingMark) continue;
            sb.Append(lower);
            map.Add(i);
        }
        map.Add(text.Length);
        toOriginal = map.ToArray();
        return sb.ToString();
    }
}
