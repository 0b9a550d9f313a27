using System.Globalization;
using System.Text;
using ScottPlot;

namespace Simile.Reports;

/// <summary>One rendered figure: the same plot as PNG (bitmap, for the HTML page) and SVG (vector, for papers).</summary>
/// <param name="Width">Logical width (screen pixels, or points at paper size).</param>
public sealed record Figure(string Name, string Title, byte[] Png, string Svg, int Width, int Height)
{
    /// <summary>Hover data for the report's script (see <see cref="FigureHover"/>), or null.</summary>
    public string? HoverJson { get; init; }

    /// <summary>Width in CSS pixels at which the report shows the PNG (0: <see cref="Width"/>).</summary>
    public int DisplayWidth { get; init; }

    /// <summary>Printed width in inches at a paper size (the SVG's width, the PNG's width at 300 dpi), or null on screen.</summary>
    public double? PrintInches { get; init; }

    /// <summary>How the figure is meant to be set: "3.3 in wide (one column)", "7 in wide (two columns)", or "" on screen.</summary>
    public string PrintNote => PrintInches switch
    {
        null => "",
        double w when Math.Abs(w - FigureSize.ColumnInches) < 0.01 => $"{FigureSize.Format(FigureSize.ColumnInches)} in wide (one column)",
        double w when Math.Abs(w - FigureSize.TwoColumnInches) < 0.01 => $"{FigureSize.Format(FigureSize.TwoColumnInches)} in wide (two columns)",
        double w => $"{FigureSize.Format(Math.Round(w, 1))} in wide",
    };
}

/// <summary>
/// The figures of the analyses, drawn with ScottPlot 5 in one house style (DejaVu Sans, white background,
/// readable tick labels). Every method takes plain arrays so the analyses stay free of plotting code.
/// Heatmap cells are vector rectangles placed on the same coordinates as their labels; every number uses a real
/// minus sign (U+2212); colour bars have 5–6 ticks with both ends labelled.
/// This file holds the house style and the helpers every figure shares (plot setup, legends, labels, ticks, colour
/// bars, cells, rendering); the figures themselves are in Figures.Matrices.cs, Figures.Scatters.cs and Figures.Bars.cs,
/// the layer figures in <see cref="LayerFigures"/>.
/// </summary>
public static partial class Figures
{
    public const string FontName = "DejaVu Sans";
    /// <summary>PNGs are rendered at this multiple of the logical size at screen size (sharp when zoomed).</summary>
    public const double PngScale = 2.0;
    public const char Minus = NumberFormat.Minus;

    private static readonly Color WithinColor = Color.FromHex("#1f77b4");
    private static readonly Color BetweenColor = Color.FromHex("#ff7f0e");
    private static readonly Color NeutralColor = Color.FromHex("#404040");
    private static readonly Color FitColor = Color.FromHex("#d62728");
    private static readonly Color BarColor = Color.FromHex("#4c72b0");

    /// <summary>A number with three decimals (or "–"), with a real minus sign.</summary>
    public static string Num(double v, string format = "0.000") =>
        NumberFormat.Typeset(v, format);

    /// <summary>
    /// 5–6 colour-bar ticks that include both ends of [lo, hi]: a round step (1, 2, 2.5 or 5 × 10^k) dividing the range
    /// into 4 or 5 equal parts when one exists, else 5 evenly spaced ticks.
    /// </summary>
    public static double[] BarTicks(double lo, double hi)
    {
        if (!(hi > lo)) return [lo];
        for (int e = -6; e <= 6; e++)
            foreach (double f in new[] { 1.0, 2.0, 2.5, 5.0 })
            {
                double step = f * Math.Pow(10, e), parts = (hi - lo) / step, start = lo / step;
                if (Math.Abs(parts - Math.Round(parts)) > 1e-6 || Math.Abs(start - Math.Round(start)) > 1e-6) continue;
                if (Math.Round(parts) is 4 or 5)
                    return Enumerable.Range(0, (int)Math.Round(parts) + 1).Select(i => Clean(lo + i * step, step)).ToArray();
            }
        return Enumerable.Range(0, 5).Select(i => lo + i * (hi - lo) / 4).ToArray();
    }

    private static double Clean(double v, double step) => Math.Abs(v) < step * 1e-9 ? 0 : Math.Round(v, 10);

    /// <summary>Tick labels of the given values, with the fewest decimals that tell them apart exactly.</summary>
    public static string[] TickLabels(IReadOnlyList<double> values)
    {
        int d = 0;
        while (d < 6 && values.Any(v => Math.Abs(Math.Round(v, d) - v) > 1e-9 * Math.Max(1, Math.Abs(v)))) d++;
        string fmt = d == 0 ? "0" : "0." + new string('0', d);
        return values.Select(v => Num(v, fmt)).ToArray();
    }

    private static ScottPlot.TickGenerators.NumericAutomatic SparseTicks(FigureStyle s) => new()
    {
        TickDensity = s.Paper ? 1.0 : 0.5,
        LabelFormatter = v => Num(v, "0.###"),
    };

    /// <summary>About <paramref name="target"/> round ticks (1, 2, 2.5 or 5 × 10^k apart) inside [lo, hi], labelled with real minus signs.</summary>
    internal static ScottPlot.TickGenerators.NumericManual ValueTicks(double lo, double hi, int target = 4)
    {
        double raw = Math.Max(hi - lo, 1e-12) / target, mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1.0, 2.0, 2.5, 5.0, 10.0 }.Select(f => f * mag).First(v => v >= raw * 0.999);
        var values = new List<double>();
        for (double t = Math.Ceiling(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) values.Add(Clean(t, step));
        return new ScottPlot.TickGenerators.NumericManual(values.ToArray(), TickLabels(values));
    }

    /// <summary>
    /// The colour range widened to round ends that a round step (1, 2, 2.5 or 5 × 10^k) divides into 4 or 5 parts, so the
    /// colour bar gets 5–6 ticks with both ends labelled.
    /// </summary>
    public static (double Min, double Max) BarRange((double Min, double Max) range)
    {
        var (lo, hi) = range;
        if (!(hi > lo) || !double.IsFinite(lo) || !double.IsFinite(hi)) return range;
        double mag = Math.Pow(10, Math.Floor(Math.Log10((hi - lo) / 5)) - 1);
        foreach (double m in new[] { 1.0, 10.0, 100.0 })
            foreach (double f in new[] { 1.0, 2.0, 2.5, 5.0 })
            {
                double step = f * m * mag, l = Math.Floor(lo / step + 1e-9) * step, h = Math.Ceiling(hi / step - 1e-9) * step;
                double parts = Math.Round((h - l) / step);
                if (parts <= 5) return (Clean(l, step), Clean(h, step));
            }
        return range;
    }

    internal static Plot NewPlot(FigureStyle s)
    {
        var plt = new Plot();
        plt.Font.Set(FontName);
        plt.FigureBackground.Color = Colors.White;
        plt.DataBackground.Color = Colors.White;
        plt.Axes.Bottom.TickLabelStyle.FontSize = s.Tick;
        plt.Axes.Left.TickLabelStyle.FontSize = s.Tick;
        if (s.Paper)
        {
            foreach (var axis in new IAxis[] { plt.Axes.Bottom, plt.Axes.Left, plt.Axes.Top, plt.Axes.Right })
            {
                axis.MajorTickStyle.Length = 3;
                axis.MinorTickStyle.Length = 1.5f;
                axis.FrameLineStyle.Width = 0.6f;
                axis.MajorTickStyle.Width = 0.6f;
            }
            plt.Grid.MajorLineWidth = 0.4f;
        }
        return plt;
    }

    internal static void Legend(Plot plt, FigureStyle s, Alignment where)
    {
        var legend = plt.ShowLegend(where);
        Style(legend, s);
    }

    internal static void Legend(Plot plt, FigureStyle s, Edge where)
    {
        plt.ShowLegend(where);
        Style(plt.Legend, s);
    }

    /// <summary>
    /// The legend outside the data area, where it can never cover a point: below the plot in rows (paper: the width is
    /// the column's), to its right on screen. The figure's height must leave room for it (<see cref="LegendHeight"/>).
    /// </summary>
    internal static void LegendOutside(Plot plt, FigureStyle s)
    {
        var panel = plt.ShowLegend(s.Paper ? Edge.Bottom : Edge.Right);
        if (s.Paper) plt.Legend.Orientation = Orientation.Horizontal;
        // ScottPlot pads an edge legend by 20 units on each side; at paper size (1 unit = 1 pt) that squeezes the data.
        if (panel is ScottPlot.Panels.LegendPanel lp) lp.Padding = s.Paper ? new PixelPadding(2, 2, 3, 2) : new PixelPadding(10, 10, 10, 10);
        Style(plt.Legend, s);
        plt.Legend.OutlineColor = LegendOutline;
    }

    /// <summary>Height a bottom legend of <paramref name="items"/> takes at paper size (rows of items across the width).</summary>
    internal static int LegendHeight(FigureStyle s, IReadOnlyList<string> items, int width)
    {
        if (!s.Paper || items.Count == 0) return 0;
        // ScottPlot stacks the items one per row when they do not fit one row.
        if (items.Sum(text => 12 + 3 + TextWidth(text, s.Legend) + 8) > width - 10)
            return (int)Math.Ceiling(items.Count * (s.Legend * 1.3 + 2) + 14);
        double row = 0; int rows = 1;
        foreach (var text in items)
        {
            double w = 12 + 3 + text.Length * s.Legend * 0.6 + 4;
            if (row > 0 && row + w > width - 10) { rows++; row = 0; }
            row += w;
        }
        return (int)Math.Ceiling(rows * (s.Legend * 1.3 + 2));
    }

    /// <summary>Outline colour of every legend box (figure tests find the box by it).</summary>
    public static readonly Color LegendOutline = Color.FromHex("#707070");

    private static void Style(ScottPlot.Legend legend, FigureStyle s)
    {
        legend.FontSize = s.Legend;
        legend.FontName = FontName;
        legend.ShadowOffset = new PixelOffset(0, 0);
        legend.OutlineColor = LegendOutline;
        if (s.Paper)
        {
            legend.SymbolWidth = 12;
            legend.SymbolPadding = 3;
            legend.InterItemPadding = new PixelPadding(2, 2, 1, 1);
            legend.Padding = new PixelPadding(3, 3, 2, 2);
            legend.OutlineWidth = 0.5f;
        }
    }

    /// <summary>Title (wrapped to the width), axis labels, sparse numeric ticks with real minus signs.</summary>
    /// <remarks>Paper figures have no title: the caption says it (a title inside the figure repeats the caption and takes height).</remarks>
    internal static void Label(Plot plt, FigureStyle s, string title, int width, string? xLabel, string? yLabel)
    {
        if (plt.Axes.Bottom.TickGenerator is ScottPlot.TickGenerators.NumericAutomatic) plt.Axes.Bottom.TickGenerator = SparseTicks(s);
        if (plt.Axes.Left.TickGenerator is ScottPlot.TickGenerators.NumericAutomatic) plt.Axes.Left.TickGenerator = SparseTicks(s);
        if (!s.Paper) plt.Title(s.Wrap(title, width, s.Title), s.Title);
        if (xLabel is not null) plt.XLabel(s.Wrap(xLabel, width - 40, s.Axis), s.Axis);
        if (yLabel is not null) plt.YLabel(yLabel, s.Axis);
    }

    /// <summary>Lines between categories: dark, since white is the 0 of the diverging map.</summary>
    private static LineStyle SeparatorStyle(FigureStyle s) => new() { Width = s.L(1.2f), Color = Color.FromHex("#303030"), Pattern = LinePattern.Solid };

    /// <summary>One heatmap cell as a filled rectangle covering x∈[x, x+1], y∈[y, y+1] (a hairline of its own colour closes anti-aliasing seams).</summary>
    /// <summary>
    /// Cell (row, column) of a grid with <paramref name="rows"/> rows drawn top-down: its colour (when the value is
    /// finite) and its value as text, black or white to read on the colour.
    /// </summary>
    internal static void LabelledCell(Plot plt, int row, int column, int rows, double v, string text, float font,
        IColormap cmap, (double Min, double Max) range, FigureStyle s)
    {
        if (double.IsFinite(v)) Cell(plt, column, rows - row - 1, ColourOf(cmap, v, range), s);
        var t = plt.Add.Text(text, column + 0.5, rows - row - 0.5);
        t.Alignment = Alignment.MiddleCenter;
        t.LabelFontSize = font;
        t.LabelFontName = FontName;
        t.LabelFontColor = TextOn(cmap, v, range);
    }

    /// <summary>Axes of a grid of labelled cells: one tick label per row (top-down) and column, no tick marks, no grid lines.</summary>
    internal static void CellAxes(Plot plt, IReadOnlyList<string> rowLabels, IReadOnlyList<string> columnLabels, float tick)
    {
        int rows = rowLabels.Count, cols = columnLabels.Count;
        plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, cols).Select(c => c + 0.5).ToArray(), columnLabels.ToArray());
        plt.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, rows).Select(r => rows - r - 0.5).ToArray(), rowLabels.ToArray());
        plt.Axes.Bottom.TickLabelStyle.FontSize = tick;
        plt.Axes.Left.TickLabelStyle.FontSize = tick;
        plt.Axes.Bottom.MajorTickStyle.Length = 0;
        plt.Axes.Left.MajorTickStyle.Length = 0;
        plt.Axes.SetLimits(0, cols, 0, rows);
        plt.HideGrid();
    }

    internal static void Cell(Plot plt, double x, double y, Color colour, FigureStyle s)
    {
        var rect = plt.Add.Rectangle(x, x + 1, y, y + 1);
        rect.FillStyle.Color = colour;
        rect.LineStyle.Color = colour;
        rect.LineStyle.Width = s.Paper ? 0.25f : 0.5f;
    }

    internal static Color ColourOf(IColormap cmap, double v, (double Min, double Max) range) =>
        cmap.GetColor(Math.Clamp((v - range.Min) / Math.Max(1e-12, range.Max - range.Min), 0, 1));

    /// <summary>Black on a light cell colour, white on a dark one (relative luminance below 0.4), black on an empty cell.</summary>
    internal static Color TextOn(IColormap cmap, double v, (double Min, double Max) range) =>
        double.IsFinite(v) && Luminance(ColourOf(cmap, v, range)) < 0.4 ? Colors.White : Colors.Black;

    /// <summary>Relative luminance (WCAG: linearised sRGB, 0.2126 R + 0.7152 G + 0.0722 B).</summary>
    internal static double Luminance(Color c)
    {
        static double Lin(byte b) { double x = b / 255.0; return x <= 0.04045 ? x / 12.92 : Math.Pow((x + 0.055) / 1.055, 2.4); }
        return 0.2126 * Lin(c.R) + 0.7152 * Lin(c.G) + 0.0722 * Lin(c.B);
    }

    private static readonly Lazy<SkiaSharp.SKTypeface> Face = new(() =>
        SkiaSharp.SKTypeface.FromFamilyName(FontName) ?? SkiaSharp.SKTypeface.Default);

    /// <summary>Advance width of <paramref name="text"/> in DejaVu Sans at <paramref name="size"/> (the font ScottPlot draws with), in the same units.</summary>
    internal static double TextWidth(string text, float size)
    {
        using var font = new SkiaSharp.SKFont(Face.Value, size);
        return text.Split('\n').Max(line => (double)font.MeasureText(line));
    }

    /// <summary>
    /// The colour map of a quantity over <paramref name="range"/>: signed values (similarities, correlations) get the
    /// diverging map centred on 0 (<see cref="CentredDiverging"/>), non-negative ones (distances) viridis, reversed
    /// when smaller means more alike so that "alike" is the bright end in every figure.
    /// </summary>
    internal static IColormap ColoursFor((double Min, double Max) range, bool signed, bool smallerIsAlike = false) =>
        signed ? new CentredDiverging(range.Min, range.Max)
               : smallerIsAlike ? new ReversedColormap(new ScottPlot.Colormaps.Viridis()) : new ScottPlot.Colormaps.Viridis();

    /// <summary>A colour bar for [range.Min, range.Max] (viridis unless <paramref name="cmap"/> is given) with 5–6 ticks, both ends labelled.</summary>
    internal static ScottPlot.Panels.ColorBar ColourBar(Plot plt, (double Min, double Max) range, string label, FigureStyle s, IColormap? cmap = null)
    {
        var source = new ScottPlot.Plottables.Heatmap(new double[,] { { range.Min, range.Max } })
        {
            Colormap = cmap ?? new ScottPlot.Colormaps.Viridis(),
            ManualRange = new ScottPlot.Range(range.Min, range.Max),
        };
        var bar = plt.Add.ColorBar(source);
        bar.Label = label;
        bar.LabelStyle.FontSize = s.Paper ? 7 : 14;
        bar.LabelStyle.FontName = FontName;
        bar.Axis.TickLabelStyle.FontSize = s.Paper ? 7 : 12;
        bar.Axis.TickLabelStyle.FontName = FontName;
        if (s.Paper) { bar.Width = 8; bar.Axis.MajorTickStyle.Length = 2; bar.Axis.MajorTickStyle.Width = 0.5f; bar.Axis.FrameLineStyle.Width = 0.5f; }
        var ticks = BarTicks(range.Min, range.Max);
        bar.Axis.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks, TickLabels(ticks));
        return bar;
    }

    private static void AddFitLine(Plot plt, double[] x, double[] y, FigureStyle s)
    {
        int n = x.Length;
        if (n < 2) return;
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0;
        for (int i = 0; i < n; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); }
        if (sxx == 0) return;
        double slope = sxy / sxx, icept = my - slope * mx, x0 = x.Min(), x1 = x.Max();
        var line = plt.Add.Line(x0, icept + slope * x0, x1, icept + slope * x1);
        line.LineWidth = s.L(2);
        line.LineColor = FitColor;
        line.LegendText = "least-squares line";
    }

    private static (double[] X, double[] Y) Pick(double[] x, double[] y, bool[] mask, bool value)
    {
        var px = new List<double>(); var py = new List<double>();
        for (int i = 0; i < x.Length; i++) if (mask[i] == value) { px.Add(x[i]); py.Add(y[i]); }
        return (px.ToArray(), py.ToArray());
    }

    private static (double Lo, double Hi) Extent(ReadOnlySpan<double> v)
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (double a in v) if (double.IsFinite(a)) { if (a < lo) lo = a; if (a > hi) hi = a; }
        if (!double.IsFinite(lo)) return (0, 1);
        if (hi <= lo) { lo -= 0.5; hi += 0.5; }
        double pad = (hi - lo) * 1e-6;
        return (lo - pad, hi + pad);
    }

    /// <summary>
    /// Renders SVG (bitmaps inside it drawn nearest-neighbour, so they stay crisp when scaled) and PNG (at the size's
    /// scale: 2× on screen, 300 dpi on paper), and the hover data against the data rectangle of the SVG render.
    /// </summary>
    internal static Figure Render(Plot plt, string name, string title, int width, int height, FigureStyle s, FigureHover? hover = null)
    {
        string svg = plt.GetSvgXml(width, height)
            .Replace("<image ", "<image image-rendering=\"optimizeSpeed\" style=\"image-rendering:pixelated\" ");
        string? hoverJson = hover is null || hover.IsEmpty ? null
            : hover.ToJson(width, height, plt.RenderManager.LastRender.DataRect, plt.Axes.GetLimits());
        double scale = s.Size.PngScale;
        plt.ScaleFactor = scale;
        byte[] png = plt.GetImageBytes((int)Math.Round(width * scale), (int)Math.Round(height * scale), ImageFormat.Png);
        plt.Dispose();
        return Finish(name, title, png, svg, width, height, s) with { HoverJson = hoverJson };
    }

    /// <summary>
    /// The figure with its physical size recorded: at paper size the SVG's width and height in points (the viewBox keeps
    /// the drawing units, 1 unit = 1 pt) and the PNG's pHYs chunk at 300 dpi; on screen the SVG in pixels and the PNG at
    /// 192 dpi (2 × the CSS 96 dpi), so both open at their logical size. Optionally the SVG's text as outlines.
    /// </summary>
    internal static Figure Finish(string name, string title, byte[] png, string svg, int width, int height, FigureStyle s)
    {
        if (s.Paper) svg = SvgPhysical.InPoints(svg, width, height);
        if (s.Size.TextAsPaths) svg = SvgPhysical.TextToPaths(svg);
        png = PngResolution.WithDpi(png, s.Paper ? FigureSize.PaperDpi : 96 * PngScale);
        return new Figure(name, title, png, svg, width, height)
        {
            DisplayWidth = s.Paper ? (int)Math.Round(width * 2.0) : width,
            PrintInches = s.Paper ? width / 72.0 : null,
        };
    }

    /// <summary>A viridis heatmap of <paramref name="cells"/> with its colour bar in the house style (attention figures).</summary>
    internal static (ScottPlot.Plottables.Heatmap Map, ScottPlot.Panels.ColorBar Bar) ViridisHeatmap(Plot plt, double[,] cells,
        string colourLabel, float labelSize = 14)
    {
        var hm = plt.Add.Heatmap(cells);
        hm.Colormap = new ScottPlot.Colormaps.Viridis();
        var bar = plt.Add.ColorBar(hm);
        bar.Label = colourLabel;
        bar.LabelStyle.FontSize = labelSize;
        bar.LabelStyle.FontName = FontName;
        bar.Axis.TickLabelStyle.FontSize = 12;
        bar.Axis.TickLabelStyle.FontName = FontName;
        return (hm, bar);
    }

    /// <summary>
    /// Labels the rows and columns of an n×n heatmap whose cell (i, j) covers x∈[j, j+1], y∈[n-i-1, n-i]:
    /// column labels rotated under it, row labels to its left, no tick marks.
    /// </summary>
    internal static void LabelMatrixAxes(Plot plt, IReadOnlyList<string> labels, float tickSize, int labelSpace)
    {
        int n = labels.Count;
        var xs = Enumerable.Range(0, n).Select(j => j + 0.5).ToArray();
        var ys = Enumerable.Range(0, n).Select(i => n - i - 0.5).ToArray();
        plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xs, labels.ToArray());
        plt.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ys, labels.ToArray());
        plt.Axes.Bottom.TickLabelStyle.Rotation = -90;
        plt.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        foreach (var axis in new[] { plt.Axes.Bottom.TickLabelStyle, plt.Axes.Left.TickLabelStyle })
        {
            axis.FontSize = tickSize;
            axis.FontName = FontName;
        }
        plt.Axes.Bottom.MinimumSize = labelSpace;
        plt.Axes.Left.MinimumSize = labelSpace;
        plt.Axes.Bottom.MajorTickStyle.Length = 0;
        plt.Axes.Left.MajorTickStyle.Length = 0;
    }
}

/// <summary>Font sizes, line widths and widths of one figure size (screen pixels, or points at paper size).</summary>
internal sealed class FigureStyle(FigureSize? size)
{
    public FigureSize Size { get; } = size ?? FigureSize.Screen;
    public bool Paper => Size.IsPaper;
    public float Tick => Paper ? 7f : 13f;
    public float Axis => Paper ? 7.5f : 15f;
    public float Title => Paper ? 8f : 16f;
    public float Legend => Paper ? 7f : 12f;
    /// <summary>Line widths, marker sizes and paddings: screen value, halved on paper.</summary>
    public float L(float screen) => Paper ? screen * 0.5f : screen;
    /// <summary>
    /// The screen width, or on paper one of two widths: the column (3.3 in) when <paramref name="paperMinimum"/> fits it,
    /// else two columns (7 in).
    /// </summary>
    public int Width(int screen, double paperMinimum = 0) => Paper ? (paperMinimum <= Size.ColumnUnits ? Column : Wide) : screen;

    /// <summary>One column in points (paper).</summary>
    public int Column => (int)Math.Round(Size.ColumnUnits);
    /// <summary>Two columns in points (paper): 7 in, or the column when that is wider.</summary>
    public int Wide => (int)Math.Round(Math.Max(Size.ColumnUnits, FigureSize.TwoColumnInches * 72));

    /// <summary>Breaks <paramref name="text"/> into lines that fit <paramref name="width"/> at <paramref name="font"/>.</summary>
    public string Wrap(string text, int width, float font)
    {
        int max = Math.Max(12, (int)(width * 0.92 / (font * 0.6)));
        if (text.Length <= max) return text;
        var lines = new List<string>();
        var line = new StringBuilder();
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > max) { lines.Add(line.ToString()); line.Clear(); }
            if (line.Length > 0) line.Append(' ');
            line.Append(word);
        }
        if (line.Length > 0) lines.Add(line.ToString());
        return string.Join("\n", lines);
    }

    /// <summary>Height above the data area for a (wrapped) title.</summary>
    /// <remarks>ScottPlot puts the bottom of the title 15 units above the data area (measured in its SVG), lines stacking upward.</remarks>
    public int TitleSpace(string wrapped) => Paper ? 6 : (int)Math.Ceiling(15 + (wrapped.Count(c => c == '\n') + 1) * Title * 1.3 + L(8));

    /// <summary>The title text drawn above a figure: none on paper (the caption says it), else the wrapped title.</summary>
    public string TitleText(string title, int width) => Paper ? "" : Wrap(title, width, Title);
}

/// <summary>
/// The diverging map of signed values: ColorBrewer RdBu reversed (blue below 0, white at 0, red above), centred on 0 and
/// cropped to [lo, hi] as seaborn's <c>heatmap(center=0)</c> does, so equal |v| has equal intensity on both sides and no
/// part of the bar is spent on values that do not occur.
/// </summary>
internal sealed class CentredDiverging(double lo, double hi) : IColormap
{
    private static readonly Color[] Stops = new[]
    {
        "#053061", "#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7", "#fddbc7", "#f4a582", "#d6604d", "#b2182b", "#67001f",
    }.Select(Color.FromHex).ToArray();

    public string Name => "RdBu_r centred on 0";

    /// <summary>Position in [0, 1] along [lo, hi] → the RdBu_r colour of that value on the symmetric scale ±max(|lo|, |hi|).</summary>
    public Color GetColor(double position)
    {
        double v = lo + Math.Clamp(position, 0, 1) * (hi - lo), m = Math.Max(1e-12, Math.Max(Math.Abs(lo), Math.Abs(hi)));
        double t = Math.Clamp(0.5 + 0.5 * v / m, 0, 1) * (Stops.Length - 1);
        int k = Math.Min((int)t, Stops.Length - 2);
        double f = t - k;
        var a = Stops[k]; var b = Stops[k + 1];
        return new Color((byte)Math.Round(a.R + (b.R - a.R) * f), (byte)Math.Round(a.G + (b.G - a.G) * f), (byte)Math.Round(a.B + (b.B - a.B) * f));
    }
}

/// <summary>A colour map read from its other end.</summary>
internal sealed class ReversedColormap(IColormap inner) : IColormap
{
    public string Name => inner.Name + " (reversed)";
    public Color GetColor(double position) => inner.GetColor(1 - position);
}
