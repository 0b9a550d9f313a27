using System.Globalization;
using System.Text;
using ScottPlot;
using SkiaSharp;
using Simile.Analyses.Layers;

namespace Simile.Reports;

/// <summary>One line (with an optional interval band) in a figure across representations.</summary>
/// <param name="Values">One value per representation (NaN = no point).</param>
/// <param name="Lower">Optional lower band edge per representation.</param>
/// <param name="Upper">Optional upper band edge per representation.</param>
/// <param name="Secondary">Drawn thinner, lighter and with open square markers (a second model, or values before normalisation).
/// Dash patterns are avoided: the SVG backend does not support them.</param>
/// <param name="ColorIndex">Palette index (default: the series' position).</param>
public sealed record LayerSeries(string Label, double[] Values, double[]? Lower = null, double[]? Upper = null, bool Secondary = false, int? ColorIndex = null);

/// <summary>
/// The layer analysis figures (ScottPlot 5, the house style of <see cref="Figures"/>): representation grids with
/// values and the best pair marked, values across representations with interval bands, MDS maps by category.
/// </summary>
public static class LayerFigures
{
    /// <summary>Tableau-10: one colour per model or category, in order.</summary>
    public static readonly string[] Palette =
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    public static Color ColorAt(int i) => Color.FromHex(Palette[i % Palette.Length]);

    /// <summary>
    /// The grid as a heatmap: rows (model A's representations) top to bottom, columns (model B's) left to right,
    /// each cell a vector rectangle centred on its row and column label with its value written in it, the best pair
    /// outlined in red exactly on its cell. The colour bar names the measure and its direction; its range comes from
    /// the values (off the diagonal of a grid within one model, which is the identity value by construction), viridis
    /// with "more alike" at the bright end (reversed for distances).
    /// </summary>
    public static Figure GridHeatmap(string name, string title, RsaGrid g, FigureSize? size = null, GridMeasure? measure = null)
    {
        measure ??= GridMeasure.Rsa;
        var s = new FigureStyle(size);
        int rows = g.Rows, cols = g.Columns;
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                if (double.IsFinite(g[r, c]) && !(g.Within && r == c)) { lo = Math.Min(lo, g[r, c]); hi = Math.Max(hi, g[r, c]); }
        if (!double.IsFinite(lo)) { lo = 0; hi = 1; }
        lo = Math.Floor(lo * 10) / 10;
        hi = Math.Ceiling(hi * 10) / 10;
        if (measure.Identity is double id && !measure.Distance) hi = Math.Min(hi, Math.Max(id, lo + 0.1));
        if (measure.Distance) lo = Math.Max(0, lo);
        if (hi <= lo) hi = lo + 0.1;
        var range = Figures.BarRange((lo, hi));

        float tick = s.Tick;
        int longestRow = g.RowLabels.Max(l => l.Length);
        float font = s.Paper ? 7 : Math.Max(rows, cols) <= 10 ? 14 : Math.Max(rows, cols) <= 16 ? 11 : 8;
        string Text(double v) => !double.IsFinite(v) ? "–" : s.Paper ? Figures.Num(v, ".00") : Figures.Num(v, "0.00");
        int left = (int)Math.Ceiling(g.RowLabels.Max(l => Figures.TextWidth(l, tick)) + s.Axis * 1.6 + s.L(14));
        int bottom = (int)Math.Ceiling(tick * 1.4 + s.Axis * 1.6 + s.L(14));
        int barSpace = s.Paper ? 60 : 140;
        double cellText = Figures.TextWidth(Text(-0.99), font) + 3;
        int width;
        double pitch;
        if (s.Paper)
        {
            width = s.Width(0, left + barSpace + cols * cellText);
            pitch = (width - left - barSpace) / (double)cols;
        }
        else
        {
            pitch = Math.Max(40, Math.Min(52, 520.0 / Math.Max(rows, cols)));
            width = left + (int)Math.Ceiling(cols * pitch) + barSpace;
        }
        string wrapped = s.TitleText(title, width);
        int top = s.TitleSpace(wrapped);
        int height = top + (int)Math.Ceiling(rows * Math.Min(pitch, s.Paper ? cellText * 1.3 + 4 : pitch)) + bottom;
        double rowPitch = (height - top - bottom) / (double)rows;

        var plt = Figures.NewPlot(s);
        plt.Layout.Fixed(new PixelPadding(left, width - left - (float)(cols * pitch), bottom, top));
        var cmap = Figures.ColoursFor(range, signed: false, smallerIsAlike: measure.Distance);
        var hover = new string?[rows, cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                double v = g[r, c];
                Figures.LabelledCell(plt, r, c, rows, v, Text(v), font, cmap, range, s);
                hover[r, c] = $"{g.RowModel} {g.RowLabels[r]} – {g.ColumnModel} {g.ColumnLabels[c]}: {measure.Symbol} = {Figures.Num(v)}";
            }
        if (double.IsFinite(g.BestValue))
        {
            double inset = 0.06;
            var box = plt.Add.Rectangle(g.BestColumn + inset, g.BestColumn + 1 - inset, rows - g.BestRow - 1 + inset, rows - g.BestRow - inset);
            box.FillStyle.Color = Colors.Transparent;
            box.LineStyle.Color = Color.FromHex("#d62728");
            box.LineStyle.Width = s.L(3);
        }
        Figures.ColourBar(plt, range, measure.ColourLabel, s, cmap);
        Figures.CellAxes(plt, g.RowLabels, g.ColumnLabels, tick);
        plt.XLabel($"{g.ColumnModel} representation", s.Axis);
        plt.YLabel($"{g.RowModel} representation", s.Axis);
        plt.Axes.Title.Label.Text = wrapped;
        plt.Axes.Title.Label.FontSize = s.Title;
        var h = new FigureHover();
        h.Grids.Add(new FigureHover.Grid(0, 0, 1, 1, hover));
        _ = rowPitch; _ = longestRow;
        return Figures.Render(plt, name, title, width, height, s, h);
    }

    /// <summary>
    /// Values across representations: x = representation (labelled), one line per series with its interval band
    /// (bands drawn first, lines above them). Series may have different lengths (models with different depths);
    /// x positions follow <paramref name="xLabels"/>.
    /// </summary>
    public static Figure AcrossRepresentations(string name, string title, IReadOnlyList<string> xLabels,
        IReadOnlyList<LayerSeries> series, string yLabel, double? referenceLine = null, FigureSize? size = null)
    {
        var s = new FigureStyle(size);
        var plt = Figures.NewPlot(s);
        var (lo, hi) = DrawSeries(plt, s, series, referenceLine, legend: true);
        double pad = Math.Max(0.02, (hi - lo) * 0.08);
        plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, xLabels.Count).Select(i => (double)i).ToArray(), xLabels.ToArray());
        plt.Axes.SetLimits(-0.3, xLabels.Count - 0.7, lo - pad, hi + pad);
        plt.Axes.Left.TickGenerator = Figures.ValueTicks(lo - pad, hi + pad, 5);
        Figures.LegendOutside(plt, s);
        int width = s.Width(Math.Max(860, 60 * xLabels.Count + 460));
        int height = s.Paper ? (int)(width * 0.72) + Figures.LegendHeight(s, series.Select(x => x.Label).ToList(), width) : 520;
        Figures.Label(plt, s, title, width, s.Paper ? "representation" : "representation (token embedding, then layer outputs)", yLabel);
        var h = new FigureHover();
        foreach (var ser in series)
            for (int i = 0; i < ser.Values.Length; i++)
                if (double.IsFinite(ser.Values[i]))
                    h.Points.Add((i, ser.Values[i], $"{ser.Label}, {xLabels[Math.Min(i, xLabels.Count - 1)]}: {Figures.Num(ser.Values[i])}"));
        return Figures.Render(plt, name, title, width, height, s, h);
    }

    /// <summary>
    /// Small multiples: one panel per group (e.g. per category), each with its series (bands below lines), all panels
    /// on one y scale, side by side (wrapping after <paramref name="maxColumns"/>), the legend in the first panel.
    /// </summary>
    public static Figure Panels(string name, string title, IReadOnlyList<string> xLabels,
        IReadOnlyList<(string Title, IReadOnlyList<LayerSeries> Series)> panels, string yLabel, double? referenceLine = null,
        FigureSize? size = null, int maxColumns = 3)
    {
        var s = new FigureStyle(size);
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (var (_, ser) in panels)
        {
            using var probe = new Plot();
            var (a, b) = DrawSeries(probe, s, ser, referenceLine, legend: false);
            lo = Math.Min(lo, a); hi = Math.Max(hi, b);
        }
        double pad = Math.Max(0.02, (hi - lo) * 0.08);
        int columns = Math.Min(maxColumns, panels.Count), rowsOfPanels = (panels.Count + columns - 1) / columns;
        int totalWidth = s.Width(Math.Max(900, columns * 320), columns * 125);
        int longestX = xLabels.Max(l => l.Length);
        // Fixed margins: the y-axis label only on the first panel of a row, x labels rotated on paper (narrow panels).
        int axisLabel = (int)Math.Ceiling(s.Axis * 1.5);
        int tickLabels = (int)Math.Ceiling(5 * s.Tick * 0.62 + s.L(10));
        int firstLeft = axisLabel + tickLabels, otherLeft = tickLabels;
        int bottom = (s.Paper ? (int)Math.Ceiling(longestX * s.Tick * 0.62) : (int)(s.Tick * 1.5)) + axisLabel + (int)s.L(10);
        int panelTop = 15 + (int)Math.Ceiling(s.Title * 1.3 + s.L(6));
        int pw = totalWidth / columns, ph = panelTop + bottom + (s.Paper ? 95 : 200);
        string wrapped = s.Wrap(title, totalWidth, s.Title);
        int head = (int)Math.Ceiling((wrapped.Count(c => c == '\n') + 1) * s.Title * 1.3 + s.L(12));
        int totalHeight = head + rowsOfPanels * ph;
        double scale = s.Size.PngScale;

        var svg = new StringBuilder();
        svg.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{totalWidth}\" height=\"{totalHeight}\" viewBox=\"0 0 {totalWidth} {totalHeight}\">")
           .Append($"<rect width=\"{totalWidth}\" height=\"{totalHeight}\" fill=\"#ffffff\"/>");
        using var surface = SKSurface.Create(new SKImageInfo((int)Math.Round(totalWidth * scale), (int)Math.Round(totalHeight * scale)));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        {
            var header = new Plot();
            header.Font.Set(Figures.FontName);
            header.FigureBackground.Color = Colors.White;
            header.Layout.Frameless();
            header.HideAxesAndGrid();
            header.Axes.SetLimits(0, 1, 0, 1);
            var t = header.Add.Text(wrapped, 0.5, 0.5);
            t.Alignment = Alignment.MiddleCenter;
            t.LabelFontSize = s.Title;
            t.LabelBold = true;
            t.LabelFontName = Figures.FontName;
            Place(header, 0, 0, totalWidth, head);
        }
        for (int p = 0; p < panels.Count; p++)
        {
            var plt = Figures.NewPlot(s);
            plt.Layout.Fixed(new PixelPadding(p % columns == 0 ? firstLeft : otherLeft, (int)s.L(8), bottom, panelTop));
            DrawSeries(plt, s, panels[p].Series, referenceLine, legend: p == 0);
            plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                Enumerable.Range(0, xLabels.Count).Select(i => (double)i).ToArray(), xLabels.ToArray());
            if (s.Paper)
            {
                plt.Axes.Bottom.TickLabelStyle.Rotation = -90;
                plt.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
            }
            plt.Axes.Bottom.MinimumSize = bottom;
            plt.Axes.Left.TickGenerator = Figures.ValueTicks(lo - pad, hi + pad);
            plt.Axes.SetLimits(-0.3, xLabels.Count - 0.7, lo - pad, hi + pad);
            if (p == 0) Figures.Legend(plt, s, Alignment.UpperLeft);
            Figures.Label(plt, s, panels[p].Title, pw, "representation", p % columns == 0 ? yLabel : null);
            Place(plt, (p % columns) * pw, head + (p / columns) * ph, pw, ph);
        }
        svg.Append("</svg>");
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return new Figure(name, title, data.ToArray(), svg.ToString(), totalWidth, totalHeight)
        {
            DisplayWidth = s.Paper ? totalWidth * 2 : totalWidth,
        };

        void Place(Plot plt, int x, int y, int w, int h)
        {
            string inner = plt.GetSvgXml(w, h);
            int at = inner.IndexOf("<svg", StringComparison.Ordinal);
            inner = inner[at..].Replace("<image ", "<image image-rendering=\"optimizeSpeed\" style=\"image-rendering:pixelated\" ");
            svg.Append($"<g transform=\"translate({x},{y})\">").Append(inner).Append("</g>");
            plt.ScaleFactor = scale;
            using var bmp = SKBitmap.Decode(plt.GetImageBytes((int)Math.Round(w * scale), (int)Math.Round(h * scale), ImageFormat.Png));
            canvas.DrawBitmap(bmp, (float)(x * scale), (float)(y * scale));
            plt.Dispose();
        }
    }

    /// <summary>Draws the series (bands first, then lines with markers, then the reference line); returns the value range.</summary>
    private static (double Lo, double Hi) DrawSeries(Plot plt, FigureStyle s, IReadOnlyList<LayerSeries> series, double? referenceLine, bool legend)
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        for (int k = 0; k < series.Count; k++)
        {
            var ser = series[k];
            if (ser.Lower is null || ser.Upper is null) continue;
            var ok = Enumerable.Range(0, ser.Values.Length).Where(i => double.IsFinite(ser.Lower[i]) && double.IsFinite(ser.Upper[i])).ToArray();
            if (ok.Length < 2) continue;
            var band = plt.Add.FillY(ok.Select(i => (double)i).ToArray(), ok.Select(i => ser.Lower[i]).ToArray(), ok.Select(i => ser.Upper[i]).ToArray());
            band.FillStyle.Color = ColorAt(ser.ColorIndex ?? k).WithAlpha(0.15);
            band.LineStyle.Width = 0;
            foreach (int i in ok) { lo = Math.Min(lo, ser.Lower[i]); hi = Math.Max(hi, ser.Upper[i]); }
        }
        if (referenceLine is double rl)
        {
            plt.Add.HorizontalLine(rl, s.L(1), Color.FromHex("#909090"));
            lo = Math.Min(lo, rl); hi = Math.Max(hi, rl);
        }
        for (int k = 0; k < series.Count; k++)
        {
            var ser = series[k];
            var color = ColorAt(ser.ColorIndex ?? k);
            var okv = Enumerable.Range(0, ser.Values.Length).Where(i => double.IsFinite(ser.Values[i])).ToArray();
            var line = plt.Add.Scatter(okv.Select(i => (double)i).ToArray(), okv.Select(i => ser.Values[i]).ToArray(),
                ser.Secondary ? color.WithAlpha(0.75) : color);
            line.LineWidth = s.L(ser.Secondary ? 1.5f : 2.5f);
            line.MarkerSize = s.L(ser.Secondary ? 8 : 7);
            if (ser.Secondary) line.MarkerShape = MarkerShape.OpenSquare;
            if (legend) line.LegendText = ser.Label;
            foreach (int i in okv) { lo = Math.Min(lo, ser.Values[i]); hi = Math.Max(hi, ser.Values[i]); }
        }
        if (!double.IsFinite(lo)) { lo = 0; hi = 1; }
        return (lo, hi);
    }

    /// <summary>
    /// Classical MDS maps of several representations side by side, each aligned to the previous panel by orthogonal
    /// Procrustes (rotation or reflection, no scaling) so that the picture does not flip from layer to layer; each panel
    /// scaled to its own box, titled with the share of variance its two dimensions explain; points coloured by category
    /// (grey without categories) and labelled with their word where the label does not collide with another.
    /// </summary>
    public static Figure MdsPanels(string name, string title, IReadOnlyList<MdsResult> maps, IReadOnlyList<string> panelTitles,
        IReadOnlyList<string> words, IReadOnlyList<string?> categories, FigureSize? size = null)
    {
        var s = new FigureStyle(size);
        int panels = maps.Count;
        int columns = Math.Min(4, Math.Max(1, panels));
        int rowsOfPanels = (panels + columns - 1) / columns;
        var catNames = categories.Where(c => c is not null).Select(c => c!).Distinct().ToList();
        int n = words.Count;
        float labelFont = s.Paper ? 7 : 10;
        bool labelWords = n <= 60;
        float marker = s.L(n <= 60 ? 7 : n <= 400 ? 4 : 2.5f);

        // Panel geometry in data units: each panel spans [−0.5, 0.5]² around its centre; pitch 1.25 across, 1.3 down.
        double panelPx = s.Paper ? 128 : 200;                      // logical units per data unit ≈ one panel
        double legendUnits = catNames.Count > 0 ? (s.Paper ? 0.62 : 0.6) : 0.05;
        double x0 = -0.62, x1 = (columns - 1) * 1.25 + 0.62 + legendUnits, y0 = -(rowsOfPanels - 1) * 1.3 - 0.62, y1 = 0.72;
        string wrapped = s.Wrap(title, (int)((x1 - x0) * panelPx), s.Title);
        int top = s.TitleSpace(wrapped);
        int width = (int)Math.Ceiling((x1 - x0) * panelPx), height = (int)Math.Ceiling((y1 - y0) * panelPx) + top;
        var plt = Figures.NewPlot(s);
        plt.Layout.Fixed(new PixelPadding(0, 0, 0, top));
        double unitsPerPx = 1 / panelPx;

        var hover = new FigureHover();
        double[]? previous = null;
        for (int p = 0; p < panels; p++)
        {
            var m = maps[p];
            var xy = new double[n * 2];
            for (int i = 0; i < n; i++) { xy[2 * i] = m.X(i); xy[2 * i + 1] = m.Y(i); }
            if (previous is not null) xy = AlignTo(xy, previous);
            previous = xy;
            double ox = (p % columns) * 1.25, oy = -(p / columns) * 1.3;
            double max = 1e-12;
            for (int i = 0; i < 2 * n; i++) max = Math.Max(max, Math.Abs(xy[i]));
            double scale = 0.5 / max;
            var frame = plt.Add.Rectangle(ox - 0.56, ox + 0.56, oy - 0.56, oy + 0.56);
            frame.FillStyle.Color = Colors.Transparent;
            frame.LineStyle.Color = Color.FromHex("#bbbbbb");
            frame.LineStyle.Width = s.L(1);
            string explained = double.IsFinite(m.ExplainedFraction) ? $" ({m.ExplainedFraction * 100:0}% var.)" : "";
            var head = plt.Add.Text(panelTitles[p] + explained, ox, oy + 0.58);
            head.Alignment = Alignment.LowerCenter;
            head.LabelFontSize = s.Paper ? 7 : 13;
            head.LabelFontName = Figures.FontName;
            head.LabelBold = true;
            var px = Enumerable.Range(0, n).Select(i => ox + xy[2 * i] * scale).ToArray();
            var py = Enumerable.Range(0, n).Select(i => oy + xy[2 * i + 1] * scale).ToArray();
            int groups = Math.Max(1, catNames.Count);
            for (int c = 0; c < groups; c++)
            {
                var idx = Enumerable.Range(0, n).Where(i => catNames.Count == 0 || categories[i] == catNames[c]).ToArray();
                var pts = plt.Add.ScatterPoints(idx.Select(i => px[i]).ToArray(), idx.Select(i => py[i]).ToArray(),
                    catNames.Count == 0 ? Color.FromHex("#404040") : ColorAt(c));
                pts.MarkerSize = marker;
                if (p == 0 && catNames.Count > 0) pts.LegendText = catNames[c];
            }
            for (int i = 0; i < n; i++)
                hover.Points.Add((px[i], py[i], $"{words[i]}{(categories[i] is { } cat ? $" ({cat})" : "")}, {panelTitles[p]}"));
            if (labelWords) PlaceLabels(plt, s, words, px, py, labelFont, unitsPerPx, marker, (ox - 0.56, ox + 0.56, oy - 0.56, oy + 0.56));
        }
        if (catNames.Count > 0) Figures.Legend(plt, s, Alignment.UpperRight);
        plt.HideAxesAndGrid();
        plt.Axes.Title.IsVisible = true;
        plt.Axes.SetLimits(x0, x1, y0, y1);
        plt.Axes.Title.Label.Text = wrapped;
        plt.Axes.Title.Label.FontSize = s.Title;
        return Figures.Render(plt, name, title, width, height, s, hover);
    }

    /// <summary>
    /// Word labels next to their points, each at the first of eight positions (right, left, above, below, diagonals)
    /// whose box overlaps no label placed before, no other point and stays inside the panel; a label with no free
    /// position is left out (the report's hover still names the point).
    /// </summary>
    private static void PlaceLabels(Plot plt, FigureStyle s, IReadOnlyList<string> words, double[] px, double[] py, float font,
        double unitsPerPx, float marker, (double L, double R, double B, double T) panel)
    {
        var placed = new List<(double L, double R, double B, double T)>();
        double h = font * 1.05 * unitsPerPx, gap = (marker / 2 + 1.5) * unitsPerPx, pr = marker / 2 * unitsPerPx;
        // Shorter labels first leave room for longer ones; order is deterministic.
        foreach (int i in Enumerable.Range(0, words.Count).OrderBy(i => words[i].Length).ThenBy(i => i))
        {
            double w = words[i].Length * font * 0.6 * unitsPerPx;
            (double dx, double dy, Alignment a)[] options =
            [
                (gap, 0, Alignment.MiddleLeft), (-gap, 0, Alignment.MiddleRight), (0, gap, Alignment.LowerCenter), (0, -gap, Alignment.UpperCenter),
                (gap, gap, Alignment.LowerLeft), (-gap, gap, Alignment.LowerRight), (gap, -gap, Alignment.UpperLeft), (-gap, -gap, Alignment.UpperRight),
            ];
            foreach (var (dx, dy, a) in options)
            {
                double x = px[i] + dx, y = py[i] + dy;
                double l = a is Alignment.MiddleLeft or Alignment.LowerLeft or Alignment.UpperLeft ? x
                         : a is Alignment.MiddleRight or Alignment.LowerRight or Alignment.UpperRight ? x - w : x - w / 2;
                double b = a is Alignment.LowerCenter or Alignment.LowerLeft or Alignment.LowerRight ? y
                         : a is Alignment.UpperCenter or Alignment.UpperLeft or Alignment.UpperRight ? y - h : y - h / 2;
                var box = (L: l, R: l + w, B: b, T: b + h);
                if (box.L < panel.L || box.R > panel.R || box.B < panel.B || box.T > panel.T) continue;
                if (placed.Any(o => box.L < o.R && o.L < box.R && box.B < o.T && o.B < box.T)) continue;
                bool hitsPoint = false;
                for (int j = 0; j < px.Length && !hitsPoint; j++)
                    hitsPoint = px[j] + pr > box.L && px[j] - pr < box.R && py[j] + pr > box.B && py[j] - pr < box.T;
                if (hitsPoint) continue;
                placed.Add(box);
                var t = plt.Add.Text(words[i], x, y);
                t.Alignment = a;
                t.LabelFontSize = font;
                t.LabelFontName = Figures.FontName;
                t.LabelFontColor = Color.FromHex("#222222");
                break;
            }
        }
    }

    /// <summary>
    /// Orthogonal Procrustes in two dimensions: the rotation or reflection Q minimising ‖YQ − X‖ (both n × 2, row-major,
    /// centred), applied to Y. Closed form: for rotations the best angle is atan2(M₀₁ − M₁₀, M₀₀ + M₁₁) with M = YᵀX,
    /// reaching √((M₀₀+M₁₁)² + (M₀₁−M₁₀)²); a reflection (flip the first axis, then rotate) is taken when it reaches more.
    /// </summary>
    public static double[] AlignTo(double[] y, double[] x)
    {
        int n = y.Length / 2;
        double m00 = 0, m01 = 0, m10 = 0, m11 = 0;
        for (int i = 0; i < n; i++)
        {
            m00 += y[2 * i] * x[2 * i]; m01 += y[2 * i] * x[2 * i + 1];
            m10 += y[2 * i + 1] * x[2 * i]; m11 += y[2 * i + 1] * x[2 * i + 1];
        }
        double rot = Math.Sqrt((m00 + m11) * (m00 + m11) + (m01 - m10) * (m01 - m10));
        // Reflected: first coordinate negated, so M₀₀ and M₀₁ change sign.
        double refl = Math.Sqrt((-m00 + m11) * (-m00 + m11) + (-m01 - m10) * (-m01 - m10));
        bool flip = refl > rot;
        double a00 = flip ? -m00 : m00, a01 = flip ? -m01 : m01;
        double theta = Math.Atan2(a01 - m10, a00 + m11), c = Math.Cos(theta), sn = Math.Sin(theta);
        var result = new double[y.Length];
        for (int i = 0; i < n; i++)
        {
            double u = flip ? -y[2 * i] : y[2 * i], v = y[2 * i + 1];
            // Row vector [u v] times R = [[c, s], [−s, c]].
            result[2 * i] = u * c - v * sn;
            result[2 * i + 1] = u * sn + v * c;
        }
        return result;
    }
}

/// <summary>What a layer × layer grid holds: the colour bar's label (measure and direction), the symbol in hover text, and whether smaller means more alike.</summary>
public sealed record GridMeasure(string Name, string ColourLabel, string Symbol, bool Distance, double? Identity)
{
    /// <summary>The default grids: Pearson RSA of cosine similarities.</summary>
    public static GridMeasure Rsa { get; } = new("RSA", "RSA r of cosine similarities (higher = more alike)", "r", false, 1);

    /// <summary>A registered measure (CKA, Procrustes distance, …) with its direction.</summary>
    public static GridMeasure Of(Simile.Comparison.Measures.MeasureInfo info)
    {
        bool distance = info.Direction == Simile.Comparison.Measures.MeasureDirection.Distance;
        return new(info.Name, $"{info.Name} ({(distance ? "lower" : "higher")} = more alike)", info.Name, distance, info.IdentityValue);
    }
}
