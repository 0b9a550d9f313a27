using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using SkiaSharp;

namespace Simile.Reports;

/// <summary>
/// The SVG side of a figure's physical size: width and height in points, and (optionally) text as outlines so that the
/// file looks the same where DejaVu Sans is not installed.
/// </summary>
internal static partial class SvgPhysical
{
    [GeneratedRegex("<svg([^>]*?) width=\"([0-9.]+)\" height=\"([0-9.]+)\"")]
    private static partial Regex RootSize();

    /// <summary>The root element's width and height as "Npt" with a viewBox in the drawing units (1 unit = 1 pt).</summary>
    public static string InPoints(string svg, int width, int height)
    {
        var m = RootSize().Match(svg);
        if (!m.Success) throw new InvalidOperationException("SVG without a root width and height");
        int tagEnd = svg.IndexOf('>', m.Index);
        string viewBox = svg[m.Index..tagEnd].Contains("viewBox", StringComparison.Ordinal) ? "" : $" viewBox=\"0 0 {width} {height}\"";
        return svg[..m.Index] + $"<svg{m.Groups[1].Value} width=\"{width}pt\" height=\"{height}pt\"{viewBox}" + svg[(m.Index + m.Length)..];
    }

    [GeneratedRegex("<text(?<attrs>[^>]*)>(?<content>[^<]*)</text>")]
    private static partial Regex TextElement();

    [GeneratedRegex(" (?<name>[a-z-]+)=\"(?<value>[^\"]*)\"")]
    private static partial Regex Attribute();

    /// <summary>
    /// Every &lt;text&gt; element as a &lt;path&gt; of its glyph outlines (DejaVu Sans from SkiaSharp at the element's font
    /// size, laid out from its first x/y position, the element's transform and fill kept). The outlines come from the
    /// same font ScottPlot measured the text with, so positions match the text version.
    /// </summary>
    public static string TextToPaths(string svg)
    {
        var cache = new Dictionary<(float, bool), SKFont>();
        try
        {
            return TextElement().Replace(svg, m =>
            {
                var attrs = Attribute().Matches(m.Groups["attrs"].Value).ToDictionary(a => a.Groups["name"].Value, a => a.Groups["value"].Value);
                string text = WebUtility.HtmlDecode(m.Groups["content"].Value).Trim();
                if (text.Length == 0) return "";
                float size = float.Parse(attrs.GetValueOrDefault("font-size", "12"), CultureInfo.InvariantCulture);
                bool bold = attrs.GetValueOrDefault("font-weight", "") is "bold" or "700";
                if (!cache.TryGetValue((size, bold), out var font))
                {
                    var face = SKTypeface.FromFamilyName(Figures.FontName, bold ? SKFontStyle.Bold : SKFontStyle.Normal) ?? SKTypeface.Default;
                    cache[(size, bold)] = font = new SKFont(face, size);
                }
                float x = First(attrs.GetValueOrDefault("x", "0")), y = First(attrs.GetValueOrDefault("y", "0"));
                using var path = font.GetTextPath(text, new SKPoint(x, y));
                var sb = new StringBuilder("<path");
                sb.Append(" fill=\"").Append(attrs.GetValueOrDefault("fill", "black")).Append('"');
                if (attrs.TryGetValue("fill-opacity", out var op)) sb.Append(" fill-opacity=\"").Append(op).Append('"');
                if (attrs.TryGetValue("transform", out var tr)) sb.Append(" transform=\"").Append(tr).Append('"');
                sb.Append(" d=\"").Append(path.ToSvgPathData()).Append("\"><title>").Append(WebUtility.HtmlEncode(text)).Append("</title></path>");
                return sb.ToString();
            });
        }
        finally
        {
            foreach (var f in cache.Values) f.Dispose();
        }
    }

    private static float First(string list) =>
        float.Parse(list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).DefaultIfEmpty("0").First(), CultureInfo.InvariantCulture);
}

/// <summary>The PNG side of a figure's physical size: a pHYs chunk (pixels per metre) after IHDR.</summary>
public static class PngResolution
{
    /// <summary>The PNG with its resolution set to <paramref name="dpi"/> (an existing pHYs chunk is replaced).</summary>
    public static byte[] WithDpi(byte[] png, double dpi)
    {
        const int ihdrEnd = 8 + 25;                          // signature, then IHDR: length, type, 13 bytes, CRC
        if (png.Length < ihdrEnd || png[12] != 'I' || png[13] != 'H' || png[14] != 'D' || png[15] != 'R')
            throw new ArgumentException("not a PNG with IHDR first", nameof(png));
        var rest = new List<byte>(png.Length + 21);
        int at = ihdrEnd;
        while (at + 8 <= png.Length)                       // copy every chunk after IHDR except an existing pHYs
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            bool phys = png[at + 4] == 'p' && png[at + 5] == 'H' && png[at + 6] == 'Y' && png[at + 7] == 's';
            if (!phys) rest.AddRange(png.AsSpan(at, length + 12).ToArray());
            at += length + 12;
        }
        uint perMetre = (uint)Math.Round(dpi / 0.0254);
        var chunk = new byte[4 + 4 + 9 + 4];
        BinaryPrimitives.WriteInt32BigEndian(chunk, 9);
        "pHYs"u8.CopyTo(chunk.AsSpan(4));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8), perMetre);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(12), perMetre);
        chunk[16] = 1;                                      // unit: metre
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(17), Crc32(chunk.AsSpan(4, 13)));
        var result = new byte[ihdrEnd + chunk.Length + rest.Count];
        png.AsSpan(0, ihdrEnd).CopyTo(result);
        chunk.CopyTo(result, ihdrEnd);
        rest.CopyTo(result, ihdrEnd + chunk.Length);
        return result;
    }

    /// <summary>The resolution a PNG's pHYs chunk records, in dots per inch, or null without one.</summary>
    public static (double X, double Y)? Dpi(byte[] png)
    {
        int at = 8;
        while (at + 8 <= png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            if (png[at + 4] == 'p' && png[at + 5] == 'H' && png[at + 6] == 'Y' && png[at + 7] == 's' && png[at + 16] == 1)
                return (BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8)) * 0.0254, BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 12)) * 0.0254);
            at += length + 12;
        }
        return null;
    }

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    /// <summary>The CRC-32 of the PNG specification (ISO 3309, reflected, polynomial 0xEDB88320) over type and data.</summary>
    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in bytes) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }
}
