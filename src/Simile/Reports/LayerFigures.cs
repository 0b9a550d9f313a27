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
        int barSpace = s.Paper ? 74 : 150;
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
                    h.Points.Add((i, ser.Values[i], $"{ser.Label}, {xLabels[Math.Min(i, xLabels.Count - 1)]}: {Figures.Num(ser.Values[i])}" +
                        (ser.Lower is not null && ser.Upper is not null && double.IsFinite(ser.Lower[i]) ? $" [{Figures.Num(ser.Lower[i])}, {Figures.Num(ser.Upper[i])}]" : "")));
        return Figures.Render(plt, name, title, width, height, s, h);
    }

    /// <summary>
    /// Small multiples: one panel per group (e.g. per category), each with its series (bands below lines), all panels
    /// on one y scale, side by side (wrapping after <paramref name="maxColumns"/>); one legend for all panels in the
    /// header, above the panels (never over data). Every point hovers with its series, panel and value.
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
        int bottom = (s.Paper ? (int)Math.Ceiling(xLabels.Max(l => Figures.TextWidth(l, s.Tick))) + 6 : (int)(s.Tick * 1.5)) + axisLabel + (int)s.L(10);
        int panelTop = 15 + (int)Math.Ceiling(s.Title * 1.3 + s.L(6));      // ScottPlot sets a title 15 units above the data
        int pw = totalWidth / columns, ph = panelTop + bottom + (s.Paper ? 95 : 200);
        string wrapped = s.TitleText(title, totalWidth);
        // Legend: one entry per distinct series label, in order; in the header under the title.
        var entries = panels.SelectMany(p => p.Series.Select((ser, k) => (ser.Label, Colour: ColorAt(ser.ColorIndex ?? k), ser.Secondary)))
            .GroupBy(e => e.Label).Select(g => g.First()).ToList();
        int legendHeight = (int)Math.Ceiling(s.Legend * 1.6 + s.L(6));
        int titleHeight = wrapped.Length == 0 ? 0 : (int)Math.Ceiling((wrapped.Count(c => c == '\n') + 1) * s.Title * 1.3 + s.L(12));
        int head = titleHeight + legendHeight;
        int totalHeight = head + rowsOfPanels * ph;
        double scale = s.Size.PngScale;
        var hover = new FigureHover();

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
            header.Axes.SetLimits(0, totalWidth, 0, head);
            if (wrapped.Length > 0)
            {
                var t = header.Add.Text(wrapped, totalWidth / 2.0, head - titleHeight / 2.0);
                t.Alignment = Alignment.MiddleCenter;
                t.LabelFontSize = s.Title;
                t.LabelBold = true;
                t.LabelFontName = Figures.FontName;
            }
            // Legend entries centred in one row: a short line with its marker, then the label.
            double symbol = s.Paper ? 12 : 24, gapAfter = s.Paper ? 10 : 22;
            double rowWidth = entries.Sum(e => symbol + 4 + Figures.TextWidth(e.Label, s.Legend) + gapAfter) - gapAfter;
            double x = Math.Max(2, (totalWidth - rowWidth) / 2), y = legendHeight / 2.0;
            foreach (var e in entries)
            {
                var line = header.Add.Line(x, y, x + symbol, y);
                line.LineColor = e.Colour; line.LineWidth = s.L(e.Secondary ? 1.5f : 2.5f);
                var mk = header.Add.Marker(x + symbol / 2, y);
                mk.Color = e.Colour; mk.Size = s.L(7); if (e.Secondary) mk.Shape = MarkerShape.OpenSquare;
                var label = header.Add.Text(e.Label, x + symbol + 4, y);
                label.Alignment = Alignment.MiddleLeft; label.LabelFontSize = s.Legend; label.LabelFontName = Figures.FontName;
                x += symbol + 4 + Figures.TextWidth(e.Label, s.Legend) + gapAfter;
            }
            header.Axes.SetLimits(0, totalWidth, 0, head);      // after the items: adding them must not rescale the header
            Place(header, 0, 0, totalWidth, head, null);
        }
        for (int p = 0; p < panels.Count; p++)
        {
            var plt = Figures.NewPlot(s);
            plt.Layout.Fixed(new PixelPadding(p % columns == 0 ? firstLeft : otherLeft, (int)s.L(8), bottom, panelTop));
            DrawSeries(plt, s, panels[p].Series, referenceLine, legend: false);
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
            // Panel titles name the group (e.g. the category): kept on paper too, they are not the figure's title.
            Figures.Label(plt, s, "", pw, "representation", p % columns == 0 ? yLabel : null);
            plt.Title(panels[p].Title, s.Title);
            int ox = (p % columns) * pw, oy = head + (p / columns) * ph;
            Place(plt, ox, oy, pw, ph, (rect, lim) =>
            {
                foreach (var ser in panels[p].Series)
                    for (int i = 0; i < ser.Values.Length; i++)
                    {
                        if (!double.IsFinite(ser.Values[i])) continue;
                        double fx = ox + rect.Left + (i - lim.Left) / (lim.Right - lim.Left) * rect.Width;
                        double fy = oy + rect.Top + (lim.Top - ser.Values[i]) / (lim.Top - lim.Bottom) * rect.Height;
                        string band = ser.Lower is not null && ser.Upper is not null && double.IsFinite(ser.Lower[i])
                            ? $" [{Figures.Num(ser.Lower[i])}, {Figures.Num(ser.Upper[i])}]" : "";
                        hover.Points.Add((fx, totalHeight - fy, $"{panels[p].Title}, {ser.Label}, {xLabels[Math.Min(i, xLabels.Count - 1)]}: {Figures.Num(ser.Values[i])}{band}"));
                    }
            });
        }
        svg.Append("</svg>");
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        var figure = Figures.Finish(name, title, data.ToArray(), svg.ToString(), totalWidth, totalHeight, s);
        return figure with
        {
            HoverJson = hover.ToJson(totalWidth, totalHeight, new PixelRect(0, totalWidth, totalHeight, 0), new AxisLimits(0, totalWidth, 0, totalHeight)),
        };

        void Place(Plot plt, int x, int y, int w, int h, Action<PixelRect, AxisLimits>? rendered)
        {
            string inner = plt.GetSvgXml(w, h);
            rendered?.Invoke(plt.RenderManager.LastRender.DataRect, plt.Axes.GetLimits());
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
    /// Classical MDS maps of several representations side by side (see <see cref="MdsPanels(IReadOnlyList{MdsModel}, IReadOnlyList{string}, IReadOnlyList{string?}, FigureSize?)"/>; one model).
    /// </summary>
    public static Figure MdsPanels(string name, string title, IReadOnlyList<MdsResult> maps, IReadOnlyList<string> panelTitles,
        IReadOnlyList<string> words, IReadOnlyList<string?> categories, FigureSize? size = null) =>
        MdsPanels([new MdsModel(name, title, maps, panelTitles)], words, categories, size)[0];

    /// <summary>
    /// One figure per model: classical MDS maps of its representations side by side. Orientation: the first model's
    /// panels are each turned onto the panel before (orthogonal Procrustes: rotation or reflection, no scaling) so the
    /// picture does not flip from layer to layer; every other model's panel is turned onto the first model's panel of
    /// the same representation (else onto its own previous panel), so the models' maps face the same way. All panels
    /// of all models share one scale (the same axis limits). Points are coloured by category (grey without categories);
    /// every point is labelled with its word, placed where it overlaps no other label, point or panel edge, joined to
    /// its point by a leader line when set away from it. The legend sits outside the panels.
    /// </summary>
    public static IReadOnlyList<Figure> MdsPanels(IReadOnlyList<MdsModel> models, IReadOnlyList<string> words, IReadOnlyList<string?> categories,
        FigureSize? size = null)
    {
        var s = new FigureStyle(size);
        int n = words.Count;
        // Orientation and the common scale.
        var aligned = new List<List<double[]>>();
        for (int mi = 0; mi < models.Count; mi++)
        {
            var list = new List<double[]>();
            for (int p = 0; p < models[mi].Maps.Count; p++)
            {
                var m = models[mi].Maps[p];
                var xy = new double[n * 2];
                for (int i = 0; i < n; i++) { xy[2 * i] = m.X(i); xy[2 * i + 1] = m.Y(i); }
                int match = mi == 0 ? -1 : models[0].PanelTitles.ToList().IndexOf(models[mi].PanelTitles[p]);
                if (match >= 0) xy = AlignTo(xy, aligned[0][match]);
                else if (p > 0) xy = AlignTo(xy, list[p - 1]);
                list.Add(xy);
            }
            aligned.Add(list);
        }
        double extent = 1e-12;
        foreach (var list in aligned) foreach (var xy in list) foreach (double v in xy) extent = Math.Max(extent, Math.Abs(v));
        var figures = new List<Figure>();
        for (int mi = 0; mi < models.Count; mi++)
            figures.Add(MdsFigure(models[mi], aligned[mi], extent, words, categories, s));
        return figures;
    }

    private static Figure MdsFigure(MdsModel model, IReadOnlyList<double[]> coordinates, double extent, IReadOnlyList<string> words,
        IReadOnlyList<string?> categories, FigureStyle s)
    {
        int panels = coordinates.Count;
        var catNames = categories.Where(c => c is not null).Select(c => c!).Distinct().ToList();
        int n = words.Count;
        float labelFont = s.Paper ? 7 : 10;
        bool labelWords = n <= 80;
        float marker = s.L(n <= 60 ? 7 : n <= 400 ? 4 : 2.5f);
        // Legend: a column of category entries, to the right of the panels (or in the first empty panel slot).
        double legendWidth = catNames.Count == 0 ? 0 : catNames.Max(c => Figures.TextWidth(c, s.Legend)) + (s.Paper ? 16 : 26);
        int columns = s.Paper ? Math.Min(3, panels) : Math.Min(4, panels);
        int rowsOfPanels = (panels + columns - 1) / columns;
        bool legendInSlot = catNames.Count > 0 && columns * rowsOfPanels > panels;
        int width = s.Paper ? s.Wide : (int)Math.Ceiling(columns * 270 + (legendInSlot ? 0 : legendWidth) + 20);
        // Panel pitch (units per panel); each panel box spans [−0.5, 0.5]² data units around its centre, 1.12 boxes per pitch.
        double headUnits = 0.14;                                    // room above each box for its title
        double pitchX = 1.16, pitchY = 1.16 + headUnits;
        double unitPx = (width - 6 - (legendInSlot ? 0 : legendWidth)) / (columns * pitchX);
        string wrapped = s.TitleText(model.Title, width);
        int top = s.TitleSpace(wrapped);
        int height = (int)Math.Ceiling(rowsOfPanels * pitchY * unitPx) + top + 4;
        double x0 = -pitchX / 2, x1 = x0 + (width - 6) / unitPx, y1 = headUnits + 0.58, y0 = y1 - (height - top - 4) / unitPx;
        var plt = Figures.NewPlot(s);
        plt.Layout.Fixed(new PixelPadding(3, 3, 4, top));
        double unitsPerPx = 1 / unitPx;
        double scale = 0.5 / extent;

        var hover = new FigureHover();
        for (int p = 0; p < panels; p++)
        {
            var xy = coordinates[p];
            var m = model.Maps[p];
            double ox = (p % columns) * pitchX, oy = -(p / columns) * pitchY;
            var box = (L: ox - 0.54, R: ox + 0.54, B: oy - 0.54, T: oy + 0.54);
            var frame = plt.Add.Rectangle(box.L, box.R, box.B, box.T);
            frame.FillStyle.Color = Colors.Transparent;
            frame.LineStyle.Color = Color.FromHex("#bbbbbb");
            frame.LineStyle.Width = s.L(1);
            string explained = double.IsFinite(m.ExplainedFraction) ? $" ({m.ExplainedFraction * 100:0}% of variance)" : "";
            var head = plt.Add.Text(model.PanelTitles[p] + explained, ox, box.T + 0.02);
            head.Alignment = Alignment.LowerCenter;
            head.LabelFontSize = s.Paper ? 7 : 12;
            head.LabelFontName = Figures.FontName;
            head.LabelBold = true;
            var px = Enumerable.Range(0, n).Select(i => ox + xy[2 * i] * scale).ToArray();
            var py = Enumerable.Range(0, n).Select(i => oy + xy[2 * i + 1] * scale).ToArray();
            if (labelWords) PlaceLabels(plt, s, words, px, py, labelFont, unitsPerPx, marker, box);
            int groups = Math.Max(1, catNames.Count);
            for (int c = 0; c < groups; c++)
            {
                var idx = Enumerable.Range(0, n).Where(i => catNames.Count == 0 || categories[i] == catNames[c]).ToArray();
                var pts = plt.Add.ScatterPoints(idx.Select(i => px[i]).ToArray(), idx.Select(i => py[i]).ToArray(),
                    catNames.Count == 0 ? Color.FromHex("#404040") : ColorAt(c));
                pts.MarkerSize = marker;
            }
            for (int i = 0; i < n; i++)
                hover.Points.Add((px[i], py[i], $"{words[i]}{(categories[i] is { } cat ? $" ({cat})" : "")}, {model.PanelTitles[p]}"));
        }
        if (catNames.Count > 0)
        {
            // Drawn legend (marker + name per category): in the first empty panel slot, else right of the panels.
            double lx = legendInSlot ? (panels % columns) * pitchX - 0.45 : columns * pitchX - pitchX / 2 + 4 * unitsPerPx;
            double ly = legendInSlot ? -(panels / columns) * pitchY + 0.45 : 0.5;
            double step = s.Legend * 1.5 * unitsPerPx;
            for (int c = 0; c < catNames.Count; c++)
            {
                var mk = plt.Add.Marker(lx + marker * unitsPerPx, ly - c * step);
                mk.Color = ColorAt(c); mk.Size = marker;
                var t = plt.Add.Text(catNames[c], lx + (marker + 6) * unitsPerPx, ly - c * step);
                t.Alignment = Alignment.MiddleLeft; t.LabelFontSize = s.Legend; t.LabelFontName = Figures.FontName;
            }
        }
        plt.HideAxesAndGrid();
        plt.Axes.Title.IsVisible = true;
        plt.Axes.SetLimits(x0, x1, y0, y1);
        plt.Axes.Title.Label.Text = wrapped;
        plt.Axes.Title.Label.FontSize = s.Title;
        return Figures.Render(plt, model.Name, model.Title, width, height, s, hover);
    }

    /// <summary>
    /// Every word's label next to its point: candidate boxes on rings of growing distance around the point (16 directions
    /// per ring, nearest first, right and left preferred), the first box that overlaps no label placed before, no point
    /// and stays inside the panel wins; a box set away from its point gets a thin leader line from the point to the box's
    /// nearest edge. Crowded points are placed first, while room is left near them. If no box is free (a panel far too
    /// crowded), the label goes to the nearest box that avoids other labels, ignoring points.
    /// </summary>
    private static void PlaceLabels(Plot plt, FigureStyle s, IReadOnlyList<string> words, double[] px, double[] py, float font,
        double unitsPerPx, float marker, (double L, double R, double B, double T) panel)
    {
        int n = words.Count;
        var placed = new List<(double L, double R, double B, double T)>();
        double h = font * 1.15 * unitsPerPx, gap = (marker / 2 + 1) * unitsPerPx, pr = (marker / 2 + 0.5) * unitsPerPx;
        double pad = 1.5 * unitsPerPx;                              // room between labels (and for ScottPlot's own text measure)
        double[] angles = [0, 180, 90, 270, 30, 150, 210, 330, 60, 120, 240, 300, 15, 165, 195, 345];
        int Crowding(int i) => Enumerable.Range(0, n).Count(j => j != i && Math.Abs(px[j] - px[i]) < 40 * unitsPerPx && Math.Abs(py[j] - py[i]) < 12 * unitsPerPx);
        var order = Enumerable.Range(0, n).OrderByDescending(Crowding).ThenBy(i => i).ToArray();
        foreach (int i in order)
        {
            double w = Figures.TextWidth(words[i], font) * unitsPerPx;
            (double L, double R, double B, double T)? chosen = null, fallback = null;
            bool moved = false;
            for (int ring = 0; ring < 14 && chosen is null; ring++)
            {
                double r = gap + ring * h * 0.8;
                foreach (double deg in angles)
                {
                    double a = deg * Math.PI / 180, c = Math.Cos(a), sn = Math.Sin(a);
                    // The box touches the circle of radius r in direction a (its centre moved out by half its extent).
                    double cx = px[i] + c * (r + w / 2 * Math.Abs(c)) , cy = py[i] + sn * (r + h / 2 * Math.Abs(sn));
                    var box = (L: cx - w / 2, R: cx + w / 2, B: cy - h / 2, T: cy + h / 2);
                    if (box.L < panel.L || box.R > panel.R || box.B < panel.B || box.T > panel.T) continue;
                    if (placed.Any(o => box.L < o.R + pad && o.L < box.R + pad && box.B < o.T + pad && o.B < box.T + pad)) continue;
                    fallback ??= box;
                    bool hitsPoint = false;
                    for (int j = 0; j < n && !hitsPoint; j++)
                        hitsPoint = px[j] + pr > box.L && px[j] - pr < box.R && py[j] + pr > box.B && py[j] - pr < box.T;
                    if (hitsPoint) continue;
                    chosen = box;
                    moved = ring > 0;
                    break;
                }
            }
            if (chosen is null && fallback is not null) { chosen = fallback; moved = true; }
            if (chosen is not { } b) { b = (px[i] + gap, px[i] + gap + w, py[i] - h / 2, py[i] + h / 2); }
            placed.Add(b);
            if (moved)
            {
                double ex = Math.Clamp(px[i], b.L, b.R), ey = Math.Clamp(py[i], b.B, b.T);
                double dx = ex - px[i], dy = ey - py[i], len = Math.Sqrt(dx * dx + dy * dy);
                if (len > gap * 1.2)
                {
                    double sx = px[i] + dx / len * pr, sy = py[i] + dy / len * pr;
                    var leader = plt.Add.Line(sx, sy, ex, ey);
                    leader.LineColor = Color.FromHex("#888888");
                    leader.LineWidth = s.Paper ? 0.35f : 0.7f;
                }
            }
            var t = plt.Add.Text(words[i], (b.L + b.R) / 2, (b.B + b.T) / 2);
            t.Alignment = Alignment.MiddleCenter;
            t.LabelFontSize = font;
            t.LabelFontName = Figures.FontName;
            t.LabelFontColor = Color.FromHex("#222222");
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

/// <summary>One model's MDS maps for <see cref="LayerFigures.MdsPanels(IReadOnlyList{MdsModel}, IReadOnlyList{string}, IReadOnlyList{string?}, FigureSize?)"/>: figure name, title, one map per representation and the panels' titles.</summary>
public sealed record MdsModel(string Name, string Title, IReadOnlyList<MdsResult> Maps, IReadOnlyList<string> PanelTitles);
