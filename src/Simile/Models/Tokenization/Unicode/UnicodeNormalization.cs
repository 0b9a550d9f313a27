using System.IO.Compression;
using System.Text;

namespace Simile.Models.Tokenization.Unicode;

/// <summary>The four Unicode normalisation forms (UAX #15).</summary>
public enum UnicodeForm { Nfc, Nfd, Nfkc, Nfkd }

/// <summary>
/// Unicode normalisation (NFC, NFD, NFKC, NFKD), lower-casing and accent stripping from tables embedded in Simile, so
/// that they work on every machine: Simile builds with InvariantGlobalization, where <c>string.Normalize</c> leaves
/// non-ASCII text unchanged. The tables (<c>unicode-tables.bin.gz</c>, written by <c>make_tables.py</c> from Python's
/// unicodedata, Unicode <see cref="Version"/>) hold the raw character data; the algorithm is UAX #15: full
/// (recursive) decomposition, canonical reordering by combining class, then canonical composition of primary
/// composites; Hangul syllables are decomposed and composed arithmetically (Unicode §3.12).
/// <para>Every output UTF-16 unit carries the index of the input unit it came from (a composed character: its
/// starter's), so tokenizers keep their character spans in the original text.</para>
/// </summary>
public static class UnicodeNormalization
{
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7, LCount = 19, VCount = 21, TCount = 28;
    private const int NCount = VCount * TCount, SCount = LCount * NCount;

    private sealed class Tables
    {
        public string Version = "";
        public readonly Dictionary<int, byte> Class = new();
        public readonly Dictionary<int, int[]> Canonical = new();
        public readonly Dictionary<int, int[]> Compatibility = new();
        public readonly Dictionary<long, int> Compose = new();
        public readonly Dictionary<int, int[]> Lower = new();
        public readonly HashSet<int> NonSpacingMarks = new();
    }

    private static readonly Lazy<Tables> Data = new(Load);

    /// <summary>The Unicode version of the tables (that of the Python that wrote them).</summary>
    public static string Version => Data.Value.Version;

    private static Tables Load()
    {
        using var raw = typeof(UnicodeNormalization).Assembly.GetManifestResourceStream("Simile.Models.Tokenization.unicode-tables.bin.gz")
            ?? throw new InvalidOperationException("the Unicode tables are not embedded in Simile.dll");
        using var gz = new GZipStream(raw, CompressionMode.Decompress);
        using var r = new BinaryReader(gz);
        var t = new Tables();
        if (new string(r.ReadChars(4)) != "SUNT") throw new InvalidOperationException("the embedded Unicode tables are damaged");
        t.Version = Encoding.ASCII.GetString(r.ReadBytes(r.ReadByte()));
        for (uint n = r.ReadUInt32(), i = 0; i < n; i++) { int cp = r.ReadInt32(); t.Class[cp] = r.ReadByte(); }
        ReadSequences(r, t.Canonical);
        ReadSequences(r, t.Compatibility);
        for (uint n = r.ReadUInt32(), i = 0; i < n; i++)
        {
            int a = r.ReadInt32(), b = r.ReadInt32(), c = r.ReadInt32();
            t.Compose[Pair(a, b)] = c;
        }
        ReadSequences(r, t.Lower);
        for (uint n = r.ReadUInt32(), i = 0; i < n; i++) t.NonSpacingMarks.Add(r.ReadInt32());
        return t;
    }

    private static void ReadSequences(BinaryReader r, Dictionary<int, int[]> into)
    {
        for (uint n = r.ReadUInt32(), i = 0; i < n; i++)
        {
            int cp = r.ReadInt32();
            var seq = new int[r.ReadByte()];
            for (int k = 0; k < seq.Length; k++) seq[k] = r.ReadInt32();
            into[cp] = seq;
        }
    }

    private static long Pair(int a, int b) => ((long)a << 21) | (uint)b;

    /// <summary>The canonical combining class of a code point (0 for starters).</summary>
    public static int CombiningClass(int cp) => Data.Value.Class.TryGetValue(cp, out byte c) ? c : 0;

    /// <summary>True for a non-spacing mark (general category Mn), the characters accent stripping drops.</summary>
    public static bool IsNonSpacingMark(int cp) => Data.Value.NonSpacingMarks.Contains(cp);

    /// <summary>The text in normal form <paramref name="form"/>.</summary>
    public static string Normalize(string text, UnicodeForm form) => Normalize(text, 0, text.Length, form).Text;

    /// <summary>
    /// text[from..to) in normal form <paramref name="form"/>, with, for each output UTF-16 unit, the index in
    /// <paramref name="text"/> of the unit it came from.
    /// </summary>
    public static (string Text, int[] Origin) Normalize(string text, int from, int to, UnicodeForm form)
    {
        if (IsStable(text, from, to)) return (text[from..to], Identity(from, to));
        var cps = new List<(int Cp, int Origin)>(to - from + 8);
        Decompose(text, from, to, form is UnicodeForm.Nfkc or UnicodeForm.Nfkd, cps);
        Reorder(cps);
        if (form is UnicodeForm.Nfc or UnicodeForm.Nfkc) Compose(cps);
        return ToUtf16(cps);
    }

    /// <summary>True when text[from..to) is ASCII or C1 controls only, which every form leaves unchanged.</summary>
    private static bool IsStable(string text, int from, int to)
    {
        for (int i = from; i < to; i++) if (text[i] >= 0xA0) return false;
        return true;
    }

    private static int[] Identity(int from, int to)
    {
        var o = new int[to - from];
        for (int i = 0; i < o.Length; i++) o[i] = from + i;
        return o;
    }

    /// <summary>Accent stripping as BERT and Hugging Face's StripAccents do it: NFD, then every Mn character dropped.</summary>
    public static (string Text, int[] Origin) StripAccents(string text, int from, int to)
    {
        if (IsStable(text, from, to)) return (text[from..to], Identity(from, to));
        var cps = new List<(int Cp, int Origin)>(to - from + 8);
        Decompose(text, from, to, compatibility: false, cps);
        Reorder(cps);
        cps.RemoveAll(c => IsNonSpacingMark(c.Cp));
        return ToUtf16(cps);
    }

    public static string StripAccents(string text) => StripAccents(text, 0, text.Length).Text;

    /// <summary>Lower case, one code point at a time (Rust's <c>char::to_lowercase</c>, Python's <c>str.lower</c> of one
    /// character: full mappings such as İ → i̇, no context-dependent final sigma).</summary>
    public static (string Text, int[] Origin) ToLower(string text, int from, int to)
    {
        var cps = new List<(int Cp, int Origin)>(to - from);
        var lower = Data.Value.Lower;
        for (int i = from; i < to;)
        {
            int cp = CodePointAt(text, i, to, out int used);
            if (lower.TryGetValue(cp, out var m)) foreach (int c in m) cps.Add((c, i));
            else cps.Add((cp, i));
            i += used;
        }
        return ToUtf16(cps);
    }

    public static string ToLower(string text) => ToLower(text, 0, text.Length).Text;

    /// <summary>The code point at text[i] (a lone surrogate stands for itself).</summary>
    internal static int CodePointAt(string text, int i, int end, out int used)
    {
        char c = text[i];
        if (char.IsHighSurrogate(c) && i + 1 < end && char.IsLowSurrogate(text[i + 1]))
        {
            used = 2;
            return char.ConvertToUtf32(c, text[i + 1]);
        }
        used = 1;
        return c;
    }

    private static void Decompose(string text, int from, int to, bool compatibility, List<(int Cp, int Origin)> into)
    {
        var t = Data.Value;
        for (int i = from; i < to;)
        {
            int cp = CodePointAt(text, i, to, out int used);
            if (cp is >= SBase and < SBase + SCount)
            {
                int s = cp - SBase;
                into.Add((LBase + s / NCount, i));
                into.Add((VBase + s % NCount / TCount, i));
                if (s % TCount != 0) into.Add((TBase + s % TCount, i));
            }
            else if ((compatibility && t.Compatibility.TryGetValue(cp, out var m)) || t.Canonical.TryGetValue(cp, out m))
                foreach (int c in m) into.Add((c, i));
            else into.Add((cp, i));
            i += used;
        }
    }

    /// <summary>Canonical ordering: within each run of non-starters, a stable sort by combining class.</summary>
    private static void Reorder(List<(int Cp, int Origin)> cps)
    {
        for (int i = 1; i < cps.Count; i++)
        {
            int cc = CombiningClass(cps[i].Cp);
            if (cc == 0) continue;
            int j = i;
            while (j > 0 && CombiningClass(cps[j - 1].Cp) > cc)
            {
                (cps[j - 1], cps[j]) = (cps[j], cps[j - 1]);
                j--;
            }
        }
    }

    /// <summary>Canonical composition: each character joins the last starter unless blocked (UAX #15 §1.3).</summary>
    private static void Compose(List<(int Cp, int Origin)> cps)
    {
        var result = new List<(int Cp, int Origin)>(cps.Count);
        int starter = -1;
        int lastClass = -1;   // class of the last character kept after the starter; −1: none (adjacent)
        foreach (var (cp, origin) in cps)
        {
            int cc = CombiningClass(cp);
            if (starter >= 0 && (lastClass == -1 || lastClass < cc) && ComposePair(result[starter].Cp, cp) is int composite)
            {
                result[starter] = (composite, result[starter].Origin);
                continue;
            }
            if (cc == 0) { starter = result.Count; lastClass = -1; }
            else lastClass = cc;
            result.Add((cp, origin));
        }
        cps.Clear();
        cps.AddRange(result);
    }

    private static int? ComposePair(int a, int b)
    {
        if (a is >= LBase and < LBase + LCount && b is >= VBase and < VBase + VCount)
            return SBase + ((a - LBase) * VCount + (b - VBase)) * TCount;
        if (a is >= SBase and < SBase + SCount && (a - SBase) % TCount == 0 && b is > TBase and < TBase + TCount)
            return a + (b - TBase);
        return Data.Value.Compose.TryGetValue(Pair(a, b), out int c) ? c : null;
    }

    private static (string Text, int[] Origin) ToUtf16(List<(int Cp, int Origin)> cps)
    {
        var sb = new StringBuilder(cps.Count + 4);
        var origin = new List<int>(cps.Count + 4);
        foreach (var (cp, o) in cps)
        {
            if (cp >= 0x10000)
            {
                sb.Append(char.ConvertFromUtf32(cp));
                origin.Add(o); origin.Add(o);
            }
            else { sb.Append((char)cp); origin.Add(o); }
        }
        return (sb.ToString(), origin.ToArray());
    }
}
