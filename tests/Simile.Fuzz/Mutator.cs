using System.Text;
using System.Text.Json.Nodes;

namespace Simile.Fuzz;

/// <summary>
/// Seeded mutations of a valid file: bit flips, byte overwrites, insertions, deletions, truncations, duplicated
/// chunks, huge length fields (decimal and little-endian binary), invalid UTF-8, lone UTF-16 surrogates in JSON
/// strings, and (for JSON seeds) a value replaced by one of another type. The same seed gives the same bytes.
/// </summary>
public static class Mutator
{
    private static readonly string[] HugeDecimals =
        ["0", "-1", "1", "2147483647", "2147483648", "4294967295", "4294967296", "268435456", "9223372036854775807", "99999999999999999999", "1e308", "-0", "NaN"];

    private static readonly long[] HugeBinary =
        [0, -1, 1, int.MaxValue, (long)int.MaxValue + 1, uint.MaxValue, 1L << 40, long.MaxValue, long.MinValue, 268435456];

    private static readonly byte[][] BadUtf8 =
        [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80], [0x80], [0xF0, 0x9F]];

    private static readonly string[] JsonValues =
        ["\"x\"", "\"\"", "0", "-1", "1.5", "1e400", "2147483648", "[]", "[1,2]", "[\"a\",\"b\"]", "{}", "{\"a\":1}", "null", "true", "false", "\"\\ud800\""];

    /// <summary>1–4 mutations of <paramref name="seed"/>; <paramref name="json"/> enables the structure-aware JSON mutations.</summary>
    public static byte[] Mutate(byte[] seed, Random rng, bool json)
    {
        var data = new List<byte>(seed);
        int n = 1 + rng.Next(4);
        for (int k = 0; k < n; k++)
        {
            int choice = rng.Next(json ? 12 : 10);
            switch (choice)
            {
                case 0: BitFlip(data, rng); break;
                case 1: Overwrite(data, rng); break;
                case 2: Insert(data, rng, RandomBytes(rng, 1 + rng.Next(16))); break;
                case 3: Delete(data, rng); break;
                case 4: Truncate(data, rng); break;
                case 5: Duplicate(data, rng); break;
                case 6: HugeDecimal(data, rng); break;
                case 7: HugeLittleEndian(data, rng); break;
                case 8: Insert(data, rng, BadUtf8[rng.Next(BadUtf8.Length)]); break;
                case 9: BitFlip(data, rng); BitFlip(data, rng); break;
                case 10: LoneSurrogate(data, rng); break;
                default:
                    var changed = WrongJsonType(data.ToArray(), rng);
                    if (changed is not null) { data.Clear(); data.AddRange(changed); }
                    break;
            }
        }
        return data.ToArray();
    }

    private static byte[] RandomBytes(Random rng, int count)
    {
        var b = new byte[count];
        rng.NextBytes(b);
        return b;
    }

    private static void BitFlip(List<byte> d, Random rng)
    {
        if (d.Count == 0) return;
        int i = rng.Next(d.Count);
        d[i] ^= (byte)(1 << rng.Next(8));
    }

    private static void Overwrite(List<byte> d, Random rng)
    {
        if (d.Count == 0) return;
        byte[] interesting = [0x00, 0xFF, 0x7F, 0x80, (byte)'\n', (byte)'"', (byte)',', (byte)' ', (byte)'\t', (byte)'-', (byte)'9'];
        d[rng.Next(d.Count)] = rng.Next(2) == 0 ? interesting[rng.Next(interesting.Length)] : (byte)rng.Next(256);
    }

    private static void Insert(List<byte> d, Random rng, byte[] bytes) => d.InsertRange(rng.Next(d.Count + 1), bytes);

    private static void Delete(List<byte> d, Random rng)
    {
        if (d.Count == 0) return;
        int i = rng.Next(d.Count);
        int len = Math.Min(d.Count - i, 1 + rng.Next(rng.Next(2) == 0 ? 4 : 64));
        d.RemoveRange(i, len);
    }

    private static void Truncate(List<byte> d, Random rng)
    {
        if (d.Count == 0) return;
        int keep = rng.Next(d.Count);
        d.RemoveRange(keep, d.Count - keep);
    }

    private static void Duplicate(List<byte> d, Random rng)
    {
        if (d.Count == 0) return;
        int i = rng.Next(d.Count);
        int len = Math.Min(d.Count - i, 1 + rng.Next(64));
        var chunk = d.GetRange(i, len);
        d.InsertRange(rng.Next(d.Count + 1), chunk);
    }

    /// <summary>Replaces a run of ASCII digits (a count, a shape, an offset) with an extreme number.</summary>
    private static void HugeDecimal(List<byte> d, Random rng)
    {
        var runs = new List<(int Start, int Length)>();
        for (int i = 0; i < d.Count && runs.Count < 4096;)
        {
            if (d[i] >= '0' && d[i] <= '9')
            {
                int s = i;
                while (i < d.Count && d[i] >= '0' && d[i] <= '9') i++;
                runs.Add((s, i - s));
            }
            else i++;
        }
        if (runs.Count == 0) { HugeLittleEndian(d, rng); return; }
        var (start, length) = runs[rng.Next(runs.Count)];
        d.RemoveRange(start, length);
        d.InsertRange(start, Encoding.ASCII.GetBytes(HugeDecimals[rng.Next(HugeDecimals.Length)]));
    }

    /// <summary>Overwrites 4 or 8 bytes (at the start, where binary headers keep lengths, or anywhere) with an extreme integer.</summary>
    private static void HugeLittleEndian(List<byte> d, Random rng)
    {
        int width = rng.Next(2) == 0 ? 4 : 8;
        if (d.Count < width) return;
        int pos = rng.Next(3) == 0 ? 0 : rng.Next(d.Count - width + 1);
        long v = HugeBinary[rng.Next(HugeBinary.Length)];
        for (int k = 0; k < width; k++) d[pos + k] = (byte)(v >> (8 * k));
    }

    /// <summary>Puts an escaped lone surrogate (\ud800 or \udc00) right after a quote.</summary>
    private static void LoneSurrogate(List<byte> d, Random rng)
    {
        var quotes = new List<int>();
        for (int i = 0; i < d.Count && quotes.Count < 4096; i++) if (d[i] == '"') quotes.Add(i);
        if (quotes.Count == 0) return;
        int at = quotes[rng.Next(quotes.Count)] + 1;
        d.InsertRange(at, Encoding.ASCII.GetBytes(rng.Next(2) == 0 ? "\\ud800" : "\\udc00x"));
    }

    /// <summary>Parses the JSON, replaces one value (anywhere in the tree) with a value of another type, writes it back.</summary>
    private static byte[]? WrongJsonType(byte[] bytes, Random rng)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(bytes, documentOptions: new System.Text.Json.JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = System.Text.Json.JsonCommentHandling.Skip }); }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or ArgumentException) { return null; }
        if (root is null) return null;
        try
        {
            var all = new List<JsonNode>();
            Collect(root, all, 20000);   // property names are decoded here: a seed made invalid by an earlier mutation is skipped
            var target = all[rng.Next(all.Count)];
            var replacement = JsonNode.Parse(JsonValues[rng.Next(JsonValues.Length)]);
            if (target.Parent is JsonObject o) o[target.GetPropertyName()] = replacement;
            else if (target.Parent is JsonArray a) a[target.GetElementIndex()] = replacement;
            else root = replacement;
            return Encoding.UTF8.GetBytes(root?.ToJsonString() ?? "null");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException) { return null; }
    }

    private static void Collect(JsonNode node, List<JsonNode> into, int max)
    {
        if (into.Count >= max) return;
        into.Add(node);
        if (node is JsonObject o) foreach (var (_, v) in o) { if (v is not null) Collect(v, into, max); }
        else if (node is JsonArray a) foreach (var v in a) { if (v is not null) Collect(v, into, max); }
    }
}
