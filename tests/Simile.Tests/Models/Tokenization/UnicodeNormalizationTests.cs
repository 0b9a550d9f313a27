using System.Globalization;
using System.IO.Compression;
using Simile.Models.Tokenization.Unicode;
using Xunit;

namespace Simile.Tests.Models.Tokenization;

/// <summary>
/// Simile's own normalisers against Python's unicodedata (the same Unicode version, 14.0.0; files written by
/// tests/reference/unicode/make_reference.py): every code point, and 4,000 random strings of combining marks, Hangul
/// jamo and decomposable characters (reordering and composition across characters). Run with the settings the tool
/// ships with (InvariantGlobalization), where string.Normalize would leave non-ASCII text unchanged.
/// </summary>
public class UnicodeNormalizationTests
{
    private static string Dir => Path.Combine(TestPaths.Reference, "unicode");

    private static string FromHex(string field) =>
        string.Concat(field.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(h => char.ConvertFromUtf32(int.Parse(h, NumberStyles.HexNumber))));

    private static IEnumerable<string[]> Rows(string file)
    {
        using var gz = new GZipStream(File.OpenRead(Path.Combine(Dir, file)), CompressionMode.Decompress);
        using var r = new StreamReader(gz);
        string first = r.ReadLine()!;
        Assert.Equal("# unicodedata " + UnicodeNormalization.Version, first);
        for (string? line; (line = r.ReadLine()) is not null;) yield return line.Split('\t');
    }

    private static string[] Forms(string s) =>
    [
        UnicodeNormalization.Normalize(s, UnicodeForm.Nfc), UnicodeNormalization.Normalize(s, UnicodeForm.Nfd),
        UnicodeNormalization.Normalize(s, UnicodeForm.Nfkc), UnicodeNormalization.Normalize(s, UnicodeForm.Nfkd),
        UnicodeNormalization.ToLower(s), UnicodeNormalization.StripAccents(s),
    ];

    private static readonly string[] Names = ["NFC", "NFD", "NFKC", "NFKD", "lower", "strip"];

    [Fact]
    public void ShipsWithInvariantGlobalization()
    {
        // The point of the tables: the runtime's own Normalize does nothing here.
        Assert.True(AppContext.TryGetSwitch("System.Globalization.Invariant", out bool invariant) && invariant);
        Assert.Equal("14.0.0", UnicodeNormalization.Version);
        Assert.Equal("caf\u00E9", UnicodeNormalization.Normalize("cafe\u0301", UnicodeForm.Nfc));
    }

    [Fact]
    public void EveryCodePointAsPython()
    {
        var changed = new Dictionary<int, string[]>();
        foreach (var row in Rows("codepoints.tsv.gz")) changed[int.Parse(row[0], NumberStyles.HexNumber)] = row[1..];
        Assert.True(changed.Count > 19_000);
        var bad = new List<string>();
        int checkedCount = 0;
        for (int cp = 0; cp < 0x110000; cp++)
        {
            if (cp is >= 0xD800 and <= 0xDFFF) continue;
            string s = char.ConvertFromUtf32(cp);
            var got = Forms(s);
            for (int f = 0; f < 6; f++)
            {
                string want = changed.TryGetValue(cp, out var row) ? FromHex(row[f]) : s;
                if (got[f] != want && bad.Count < 20) bad.Add($"U+{cp:X4} {Names[f]}: got {Hex(got[f])}, Python {Hex(want)}");
            }
            checkedCount++;
        }
        Assert.Equal(0x110000 - 0x800, checkedCount);
        Assert.True(bad.Count == 0, string.Join("\n", bad));
    }

    [Fact]
    public void RandomStringsAsPython()
    {
        var bad = new List<string>();
        int n = 0;
        foreach (var row in Rows("strings.tsv.gz"))
        {
            string s = FromHex(row[0]);
            var got = Forms(s);
            for (int f = 0; f < 6; f++)
                if (got[f] != FromHex(row[f + 1]) && bad.Count < 20) bad.Add($"{row[0]} {Names[f]}: got {Hex(got[f])}, Python {row[f + 1]}");
            n++;
        }
        Assert.Equal(4000, n);
        Assert.True(bad.Count == 0, string.Join("\n", bad));
    }

    [Fact]
    public void OriginsPointIntoTheInput()
    {
        // "A" + ring + "ngstro" + diaeresis + "m": NFC composes Å and ö; each output unit names its starter.
        string s = "xA\u030Angstro\u0308m";
        var (text, origin) = UnicodeNormalization.Normalize(s, 1, s.Length, UnicodeForm.Nfc);
        Assert.Equal("\u00C5ngstr\u00F6m", text);
        Assert.Equal([1, 3, 4, 5, 6, 7, 8, 10], origin);
        var (d, o2) = UnicodeNormalization.Normalize("\uD835\uDC01\u00E9", 0, 3, UnicodeForm.Nfkd);   // 𝐁 é
        Assert.Equal("Be\u0301", d);
        Assert.Equal([0, 2, 2], o2);
    }

    private static string Hex(string s) => string.Join(" ", s.EnumerateRunes().Select(r => r.Value.ToString("X")));
}
