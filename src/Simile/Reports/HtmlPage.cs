using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Simile.Reports;

/// <summary>
/// The shell every report.html shares: one self-contained page (figures embedded as base64 PNG, no external
/// links, styles or scripts), readable from phone to desktop (viewport tag, tables that scroll sideways in their own
/// box, figures that shrink to the screen and open full size on click), a table of contents, and one small inline
/// script that shows the value under the pointer from the hover data embedded with each figure.
/// </summary>
internal static partial class HtmlPage
{
    /// <summary>DOCTYPE, head with <paramref name="title"/> (plain text, escaped here) and the style sheet, then &lt;body&gt;.</summary>
    public static StringBuilder Begin(StringBuilder sb, string title) =>
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
          .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>").Append(H(title))
          .Append("</title>\n<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n");

    /// <summary>Adds the table of contents (after the page's first &lt;h1&gt;; every later h1/h2 gets an anchor), the script, and closes the page.</summary>
    public static StringBuilder End(StringBuilder sb)
    {
        string html = WithContents(sb.ToString());
        return sb.Clear().Append(html).Append("<script>\n").Append(Script).Append("</script>\n</body>\n</html>\n");
    }

    /// <summary>
    /// A figure as an embedded PNG with its title as caption, links to its PNG and SVG files (relative to the page:
    /// <paramref name="folder"/> is "" or e.g. "layers/"), and its hover data as JSON for the page's script.
    /// </summary>
    public static void Figure(StringBuilder sb, Figure f, string folder = "", bool nameSvg = false)
    {
        int shown = f.DisplayWidth > 0 ? f.DisplayWidth : f.Width;
        sb.Append($"<figure class=\"fig\" id=\"fig-{H(f.Name)}\"><img alt=\"{H(f.Title)}\" width=\"{shown}\" src=\"data:image/png;base64,")
          .Append(Convert.ToBase64String(f.Png)).Append("\">");
        if (f.HoverJson is not null)
            sb.Append("<script type=\"application/json\" class=\"hover-data\">").Append(f.HoverJson).Append("</script>");
        sb.Append($"<figcaption>{H(f.Title)}{(f.PrintNote.Length > 0 ? $". Drawn {H(f.PrintNote)}." : "")} <span class=\"files\">(")
          .Append(nameSvg ? $"<code>{H(folder + f.Name)}.svg</code>, " : "")
          .Append($"<a href=\"{H(folder + f.Name)}.png\">PNG</a>, <a href=\"{H(folder + f.Name)}.svg\">SVG</a>)</span></figcaption></figure>\n");
    }

    /// <summary>
    /// Plain text (notes) set as the report sets numbers: a hyphen before a digit at the start of a number becomes a
    /// real minus (U+2212), and whole numbers of five or more digits get thousands separators ("12345" → "12,345").
    /// </summary>
    public static string Typeset(string text)
    {
        text = Regex.Replace(text, @"(^|[\s(\[=,:±])-(?=\.?\d)", m => m.Groups[1].Value + NumberFormat.Minus);
        return Regex.Replace(text, @"(?<![\d.,])\d{5,}(?![\d.,]\d)", m => long.Parse(m.Value, CultureInfo.InvariantCulture).ToString("N0", CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// A model's source without local paths: a catalogue name or URL as it is; a file or folder path shortened to its
    /// last two components ("…/glove.6B/glove.6B.100d.txt"), so the report does not show the user's home or cache.
    /// </summary>
    public static string PublicSource(string source)
    {
        if (string.IsNullOrEmpty(source) || source.Contains("://", StringComparison.Ordinal)) return source;
        int at = source.IndexOfAny(['/', '\\']);
        if (at < 0 || !(Path.IsPathRooted(source) || source.StartsWith('~') || source.StartsWith('.'))) 
        {
            // "kind: /path" forms: shorten the path part.
            int colon = source.IndexOf(": ", StringComparison.Ordinal);
            return colon > 0 && colon + 2 < source.Length && (Path.IsPathRooted(source[(colon + 2)..]) || source[colon + 2] == '~')
                ? source[..(colon + 2)] + PublicSource(source[(colon + 2)..]) : source;
        }
        var parts = source.Replace('\\', '/').TrimEnd('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length <= 2 ? string.Join("/", parts) : "…/" + string.Join("/", parts[^2..]);
    }

    /// <summary>HTML-escaped text.</summary>
    public static string H(string s) => WebUtility.HtmlEncode(s);

    /// <summary>Three decimals with a real minus sign, or "–" for NaN/Inf.</summary>
    public static string F(double v) => Figures.Num(v);

    [GeneratedRegex("<h([12])>(.*?)</h\\1>", RegexOptions.Singleline)]
    private static partial Regex HeadingPattern();

    /// <summary>Anchors on every h1/h2 after the first h1, and a nested list of them placed right after that h1.</summary>
    internal static string WithContents(string html)
    {
        var entries = new List<(int Level, string Id, string Text)>();
        var used = new HashSet<string>();
        bool first = true;
        string body = HeadingPattern().Replace(html, m =>
        {
            if (first && m.Groups[1].Value == "1") { first = false; return m.Value; }
            string text = Regex.Replace(m.Groups[2].Value, "<[^>]+>", "");
            string id = Slug(WebUtility.HtmlDecode(text));
            for (int k = 2; !used.Add(id); k++) id = Slug(WebUtility.HtmlDecode(text)) + "-" + k;
            entries.Add((int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), id, text));
            return $"<h{m.Groups[1].Value} id=\"{id}\">{m.Groups[2].Value}</h{m.Groups[1].Value}>";
        });
        if (entries.Count < 2) return body;
        var toc = new StringBuilder("<nav class=\"toc\" aria-label=\"Contents\"><strong>Contents</strong>\n<ul>\n");
        bool open = false;
        foreach (var (level, id, text) in entries)
        {
            if (level == 1)
            {
                if (open) toc.Append("</ul></li>\n");
                toc.Append($"<li><a href=\"#{id}\">{text}</a><ul>\n");
                open = true;
            }
            else toc.Append($"<li><a href=\"#{id}\">{text}</a></li>\n");
        }
        if (open) toc.Append("</ul></li>\n");
        toc.Append("</ul>\n</nav>\n");
        int end = body.IndexOf("</h1>", StringComparison.Ordinal);
        return end < 0 ? toc + body : body.Insert(end + 5, "\n" + toc);
    }

    private static string Slug(string text)
    {
        var sb = new StringBuilder();
        foreach (char c in text.ToLowerInvariant())
            if (char.IsAsciiLetterOrDigit(c)) sb.Append(c);
            else if (sb.Length > 0 && sb[^1] != '-') sb.Append('-');
        string s = sb.ToString().Trim('-');
        return s.Length == 0 ? "section" : s;
    }

    private const string Css = """
        html { -webkit-text-size-adjust: 100%; } *, *::before, *::after { box-sizing: border-box; }
        body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 1100px; margin: 0 auto; padding: 1em; color: #222; line-height: 1.45; overflow-wrap: break-word; }
        h1 { font-size: 1.7em; } h2 { font-size: 1.3em; margin-top: 1.8em; border-bottom: 1px solid #ddd; } h3 { font-size: 1.1em; margin-top: 1.4em; }
        table { display: block; max-width: 100%; overflow-x: auto; border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
        th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; white-space: nowrap; }
        td.text { white-space: normal; min-width: 14em; }
        th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
        td.warn { background: #fff3cd; }
        figure { margin: 1.2em 0; } figure img { display: block; max-width: 100%; height: auto; border: 1px solid #eee; cursor: zoom-in; }
        figcaption, .caption { font-size: 0.88em; color: #555; }
        code { background: #f3f3f3; padding: 0 0.2em; overflow-wrap: anywhere; }
        nav.toc { background: #f8f8f8; border: 1px solid #e3e3e3; padding: 0.5em 1em; margin: 1em 0; font-size: 0.95em; }
        nav.toc ul { margin: 0.2em 0; padding-left: 1.2em; }
        #tip { position: fixed; display: none; pointer-events: none; z-index: 30; background: #222; color: #fff; padding: 2px 7px;
               border-radius: 3px; font-size: 13px; max-width: 90vw; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
        .zoom { position: fixed; inset: 0; z-index: 20; display: flex; align-items: center; justify-content: center;
                background: rgba(255,255,255,0.97); cursor: zoom-out; }
        .zoom img { max-width: 100vw; max-height: 100vh; width: auto; height: auto; object-fit: contain; border: 0; cursor: zoom-out; }
        .table-cue { display: none; font-size: 0.85em; color: #8a5a00; margin: 0.8em 0 -0.6em; }
        .table-cue.on { display: block; }
        ul.findings li { margin: 0.25em 0; }

        """;

    /// <summary>
    /// Hover: maps the pointer on a figure's image to the figure's logical pixels, then to data coordinates through the
    /// data rectangle and axis limits of its hover data; shows the text of the cell under it or of the nearest point
    /// within 7 CSS pixels. Click: the image full size in an overlay (click or Escape closes it).
    /// </summary>
    private const string Script = """
        (function () {
          var tip = document.createElement('div'); tip.id = 'tip'; tip.setAttribute('role', 'tooltip'); document.body.appendChild(tip);
          function find(d, fx, fy, radius) {
            var b = d.box, L = d.lim, i;
            if (fx < b[0] || fx > b[2] || fy < b[1] || fy > b[3]) return null;
            var x = L[0] + (fx - b[0]) / (b[2] - b[0]) * (L[1] - L[0]), y = L[3] - (fy - b[1]) / (b[3] - b[1]) * (L[3] - L[2]);
            for (i = 0; i < d.grids.length; i++) {
              var g = d.grids[i], c = Math.floor((x - g.x0) / g.cw), rr = Math.floor((y - g.y0) / g.ch);
              if (c >= 0 && c < g.cols && rr >= 0 && rr < g.rows) { var t = g.t[(g.rows - 1 - rr) * g.cols + c]; if (t) return t; }
            }
            var P = d.points, best = -1, bd = radius * radius;
            for (i = 0; i < P.x.length; i++) {
              var px = b[0] + (P.x[i] - L[0]) / (L[1] - L[0]) * (b[2] - b[0]), py = b[1] + (L[3] - P.y[i]) / (L[3] - L[2]) * (b[3] - b[1]);
              var dd = (px - fx) * (px - fx) + (py - fy) * (py - fy);
              if (dd <= bd) { bd = dd; best = i; }
            }
            return best < 0 ? null : P.t[best];
          }
          function hide() { tip.style.display = 'none'; }
          function hover(img, d) {
            img.addEventListener('mousemove', function (e) {
              var r = img.getBoundingClientRect(), k = d.w / r.width;
              var t = find(d, (e.clientX - r.left) * k, (e.clientY - r.top) * k, 7 * k);
              if (!t) { hide(); return; }
              tip.textContent = t; tip.style.display = 'block';
              var left = Math.min(e.clientX + 12, window.innerWidth - tip.offsetWidth - 4);
              tip.style.left = Math.max(0, left) + 'px';
              tip.style.top = (e.clientY + 16 + tip.offsetHeight > window.innerHeight ? e.clientY - tip.offsetHeight - 8 : e.clientY + 16) + 'px';
            });
            img.addEventListener('mouseleave', hide);
          }
          document.querySelectorAll('figure.fig').forEach(function (fig) {
            var img = fig.querySelector('img'), data = fig.querySelector('script.hover-data');
            var d = data ? JSON.parse(data.textContent) : null;
            img.addEventListener('click', function () {
              // Full size, fitted to the window; the tip (above the overlay) keeps working on the enlarged image.
              var box = document.createElement('div'); box.className = 'zoom';
              var big = document.createElement('img'); big.src = img.src; big.alt = img.alt; box.appendChild(big);
              if (d) hover(big, d);
              function close() { hide(); box.remove(); document.removeEventListener('keydown', key); }
              function key(e) { if (e.key === 'Escape') close(); }
              box.addEventListener('click', close); document.addEventListener('keydown', key); document.body.appendChild(box);
            });
            if (d) hover(img, d);
          });
          // Tables wider than the screen scroll sideways in their box; a cue above each says so.
          function cues() {
            document.querySelectorAll('table').forEach(function (table) {
              var cue = table.previousElementSibling;
              if (!cue || !cue.classList.contains('table-cue')) {
                cue = document.createElement('p'); cue.className = 'table-cue';
                cue.textContent = 'More columns: scroll the table sideways \u2192';
                table.parentNode.insertBefore(cue, table);
              }
              cue.classList.toggle('on', table.scrollWidth > table.clientWidth + 1);
            });
          }
          cues(); window.addEventListener('resize', cues);
        })();

        """;
}
