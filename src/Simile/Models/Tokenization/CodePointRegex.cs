using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Simile.Models.Tokenization;

/// <summary>
/// A pre-tokenizer pattern (the Split / ByteLevel regexes of GPT-2, Llama 3, Qwen, DeepSeek, …) matched one code point
/// at a time, as Hugging Face <c>tokenizers</c> matches them (Oniguruma over UTF-8): <c>\p{L}</c>, <c>\p{N}</c>,
/// <c>\s</c>, … test whole characters, also outside the Basic Multilingual Plane (<c>𝟙𝟚𝟛𝟜</c>, <c>𝐁old</c>, <c>𠮷</c>).
/// .NET's Regex tests UTF-16 units, where each half of a surrogate pair is category Cs; so before matching, every
/// supplementary character is replaced by one BMP stand-in of the same general category (a character of that category
/// that these patterns never name literally), the match runs on one unit per code point, and its bounds are mapped
/// back to the input. Text without surrogates is matched as is.
/// </summary>
public sealed class CodePointRegex
{
    private readonly Regex _regex;

    public string Pattern { get; }

    public CodePointRegex(string pattern)
    {
        Pattern = pattern;
        _regex = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(5));
    }

    /// <summary>The BMP stand-in for each general category (indexed by <see cref="UnicodeCategory"/>).</summary>
    private static readonly char[] StandIn = BuildStandIns();

    private static char[] BuildStandIns()
    {
        var map = new Dictionary<UnicodeCategory, char>
        {
            [UnicodeCategory.UppercaseLetter] = '\u0100', [UnicodeCategory.LowercaseLetter] = '\u0101',
            [UnicodeCategory.TitlecaseLetter] = '\u01C5', [UnicodeCategory.ModifierLetter] = '\u02B0',
            [UnicodeCategory.OtherLetter] = '\u05D0', [UnicodeCategory.NonSpacingMark] = '\u0300',
            [UnicodeCategory.SpacingCombiningMark] = '\u0903', [UnicodeCategory.EnclosingMark] = '\u20DD',
            [UnicodeCategory.DecimalDigitNumber] = '\u0660', [UnicodeCategory.LetterNumber] = '\u2160',
            [UnicodeCategory.OtherNumber] = '\u00B2', [UnicodeCategory.SpaceSeparator] = '\u2000',
            [UnicodeCategory.LineSeparator] = '\u2028', [UnicodeCategory.ParagraphSeparator] = '\u2029',
            [UnicodeCategory.Control] = '\u0080', [UnicodeCategory.Format] = '\u00AD',
            [UnicodeCategory.Surrogate] = '\uD800', [UnicodeCategory.PrivateUse] = '\uE000',
            [UnicodeCategory.ConnectorPunctuation] = '\u203F', [UnicodeCategory.DashPunctuation] = '\u2010',
            [UnicodeCategory.OpenPunctuation] = '\u2045', [UnicodeCategory.ClosePunctuation] = '\u2046',
            [UnicodeCategory.InitialQuotePunctuation] = '\u00AB', [UnicodeCategory.FinalQuotePunctuation] = '\u00BB',
            [UnicodeCategory.OtherPunctuation] = '\u00A1', [UnicodeCategory.MathSymbol] = '\u00AC',
            [UnicodeCategory.CurrencySymbol] = '\u00A2', [UnicodeCategory.ModifierSymbol] = '\u00A8',
            [UnicodeCategory.OtherSymbol] = '\u00A6', [UnicodeCategory.OtherNotAssigned] = '\u0378',
        };
        var chars = new char[map.Count];
        foreach (var (cat, c) in map)
        {
            if (c != '\uD800' && char.GetUnicodeCategory(c) != cat)
                throw new InvalidOperationException($"stand-in U+{(int)c:X4} is not {cat}");
            chars[(int)cat] = c;
        }
        return chars;
    }

    /// <summary>The matches in <paramref name="text"/> as (start, length) in UTF-16 units of the text, in order.</summary>
    public List<(int Start, int Length)> Matches(string text)
    {
        var found = new List<(int, int)>();
        int pairs = 0;
        for (int i = 0; i + 1 < text.Length; i++)
            if (char.IsHighSurrogate(text[i]) && char.IsLowSurrogate(text[i + 1])) { pairs++; i++; }
        if (pairs == 0)
        {
            for (var m = _regex.Match(text); m.Success; m = m.NextMatch()) found.Add((m.Index, m.Length));
            return found;
        }
        // One unit per code point; at[k] = index in text of unit k (at[^1] = text.Length).
        var sb = new StringBuilder(text.Length - pairs);
        var at = new int[text.Length - pairs + 1];
        int u = 0;
        for (int i = 0; i < text.Length; i++)
        {
            at[u++] = i;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                int cp = char.ConvertToUtf32(text[i], text[i + 1]);
                sb.Append(StandIn[(int)CharUnicodeInfo.GetUnicodeCategory(cp)]);
                i++;
            }
            else sb.Append(text[i]);
        }
        at[u] = text.Length;
        for (var m = _regex.Match(sb.ToString()); m.Success; m = m.NextMatch())
            found.Add((at[m.Index], at[m.Index + m.Length] - at[m.Index]));
        return found;
    }

    /// <summary>
    /// Hugging Face's Split with behaviour "Isolated": the matches and the text between them, in order, as
    /// (start, length) pieces of <paramref name="text"/>[from..from+length).
    /// </summary>
    public void SplitIsolated(string text, int from, int length, List<(int Start, int Length)> into)
    {
        string piece = from == 0 && length == text.Length ? text : text.Substring(from, length);
        int covered = 0;
        foreach (var (s, l) in Matches(piece))
        {
            if (s > covered) into.Add((from + covered, s - covered));
            if (l > 0) into.Add((from + s, l));
            covered = Math.Max(covered, s + l);
        }
        if (covered < piece.Length) into.Add((from + covered, piece.Length - covered));
    }
}
