using System.Globalization;
using System.Net;
using System.Text;

namespace Simile.Reports;

/// <summary>
/// The shell every report.html shares: one self-contained page (figures embedded as base64 PNG, no external
/// links or scripts), one style sheet, and the small formatting helpers of its tables.
/// </summary>
internal static class HtmlPage
{
    /// <summary>DOCTYPE, head with <paramref name="title"/> (plain text, escaped here) and the style sheet, then &lt;body&gt;.</summary>
    public static StringBuilder Begin(StringBuilder sb, string title) =>
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(H(title))
          .Append("</title>\n<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n");

    public static StringBuilder End(StringBuilder sb) => sb.Append("</body>\n</html>\n");

    /// <summary>A figure as an embedded PNG with its title as caption (and, if asked, the name of its SVG file).</summary>
    public static void Figure(StringBuilder sb, Figure f, bool nameSvg = false)
    {
        sb.Append($"<figure><img alt=\"{H(f.Title)}\" width=\"{f.Width}\" src=\"data:image/png;base64,")
          .Append(Convert.ToBase64String(f.Png)).Append($"\"><figcaption>{H(f.Title)}")
          .Append(nameSvg ? $" (<code>{H(f.Name)}.svg</code>)" : "").Append("</figcaption></figure>\n");
    }

    /// <summary>HTML-escaped text.</summary>
    public static string H(string s) => WebUtility.HtmlEncode(s);

    /// <summary>Three decimals, or "–" for NaN/Inf.</summary>
    public static string F(double v) => double.IsFinite(v) ? v.ToString("0.000", CultureInfo.InvariantCulture) : "–";

    private const string Css = """
        body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
        h1 { font-size: 1.7em; } h2 { font-size: 1.3em; margin-top: 1.8em; border-bottom: 1px solid #ddd; } h3 { font-size: 1.1em; margin-top: 1.4em; }
        table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
        th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
        th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
        td.warn { background: #fff3cd; }
        figure { margin: 1.2em 0; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
        figcaption, .caption { font-size: 0.88em; color: #555; }
        code { background: #f3f3f3; padding: 0 0.2em; }

        """;
}
