using System.Globalization;

namespace Simile.Reports;

/// <summary>
/// How large the figures are drawn. <see cref="Screen"/>: sized in screen pixels for the HTML report, PNGs at 2×.
/// <see cref="Paper"/> (or any width in inches): drawn in points for a printed column of that width, every text at
/// least 7 pt when the figure is set at that width, PNGs at 300 dpi. Figures whose labels cannot fit the width at 7 pt
/// (a word × word heatmap of many words) are drawn wider; set them across both columns.
/// </summary>
public sealed record FigureSize
{
    /// <summary>Single-column width of a two-column paper (inches).</summary>
    public const double ColumnInches = 3.3;
    public const double PaperDpi = 300;
    /// <summary>Two-column width of a paper (inches): figures that cannot fit one column at 7 pt are drawn this wide.</summary>
    public const double TwoColumnInches = 7;

    /// <summary>SVG text drawn as glyph outlines (--svg-text paths): the file looks the same without DejaVu Sans, but its text cannot be selected or edited.</summary>
    public bool TextAsPaths { get; init; }

    /// <summary>"3.3", "7": inches as written in captions.</summary>
    public static string Format(double inches) => inches.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>--svg-text: "text" (default) or "paths".</summary>
    public FigureSize WithSvgText(string? text) => (text ?? "text").Trim().ToLowerInvariant() switch
    {
        "" or "text" => this with { TextAsPaths = false },
        "paths" => this with { TextAsPaths = true },
        _ => throw new SimileException($"unknown --svg-text '{text}'", "give --svg-text text (default) or paths (glyph outlines, no font needed)"),
    };

    /// <summary>Width in inches, or null for screen size.</summary>
    public double? WidthInches { get; }

    private FigureSize(double? widthInches) => WidthInches = widthInches;

    public static FigureSize Screen { get; } = new((double?)null);
    public static FigureSize Paper { get; } = new(ColumnInches);

    /// <summary>The range of a width in inches (--figure-size).</summary>
    public const double MinInches = 1.5, MaxInches = 20;

    public static FigureSize Inches(double width) =>
        width is >= MinInches and <= MaxInches && double.IsFinite(width)
            ? new FigureSize(width)
            : throw new SimileException($"figure width {width.ToString(CultureInfo.InvariantCulture)} in is out of range",
                $"give --figure-size paper, screen or a width in inches between {MinInches.ToString(CultureInfo.InvariantCulture)} and {MaxInches.ToString(CultureInfo.InvariantCulture)} (e.g. 3.3 or 7in)");

    /// <summary>"paper", "screen", or a width in inches ("3.3", "7in").</summary>
    public static FigureSize Parse(string? text)
    {
        string t = (text ?? "screen").Trim().ToLowerInvariant();
        if (t is "" or "screen") return Screen;
        if (t == "paper") return Paper;
        if (t.EndsWith("in")) t = t[..^2].Trim();
        if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double w)) return Inches(w);
        throw new SimileException($"unknown figure size '{text}'", "give --figure-size paper, screen or a width in inches (e.g. 3.3 or 7in)");
    }

    public bool IsPaper => WidthInches is not null;

    /// <summary>PNG pixels per logical unit: 2 on screen; 300 dpi on paper, where one logical unit is one point.</summary>
    public double PngScale => IsPaper ? PaperDpi / 72.0 : 2.0;

    /// <summary>Logical width of the page column (points on paper).</summary>
    public double ColumnUnits => (WidthInches ?? 0) * 72.0;

    public override string ToString() => WidthInches switch
    {
        null => "screen",
        ColumnInches => "paper",
        double w => w.ToString("0.##", CultureInfo.InvariantCulture) + " in",
    };
}
