using System.Globalization;
using ScottPlot;
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
    /// each value written in its cell, the best pair outlined in red.
    /// </summary>
    public static Figure GridHeatmap(string name, string title, RsaGrid g)
    {
        int rows = g.Rows, cols = g.Columns;
        var cells = new double[rows, cols];
        double lo = double.PositiveInfinity;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) { cells[r, c] = g[r, c]; if (double.IsFinite(g[r, c])) lo = Math.Min(lo, g[r, c]); }
        lo = double.IsFinite(lo) ? Math.Min(0.5, Math.Floor(lo * 10) / 10) : 0; // contrast for high grids, a common floor for most

        var plt = NewPlot();
        var (hm, bar) = Figures.ViridisHeatmap(plt, cells, "Pearson r of cosine similarities");
        hm.ManualRange = new ScottPlot.Range(lo, 1);
        hm.NaNCellColor = Colors.White;
        hm.Extent = new CoordinateRect(0, cols, 0, rows);
        double mid = (lo + 1) / 2;
        float font = Math.Max(rows, cols) <= 10 ? 14 : Math.Max(rows, cols) <= 16 ? 11 : 8;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                var t = plt.Add.Text(double.IsFinite(g[r, c]) ? g[r, c].ToString("0.00", CultureInfo.InvariantCulture) : "–", c + 0.5, rows - r - 0.5);
                t.Alignment = Alignment.MiddleCenter;
                t.LabelFontSize = font;
                t.LabelFontName = Figures.FontName;
                t.LabelFontColor = g[r, c] > mid ? Colors.Black : Colors.White;
            }
        if (double.IsFinite(g.BestValue))
        {
            var box = plt.Add.Rectangle(g.BestColumn + 0.04, g.BestColumn + 0.96, rows - g.BestRow - 0.96, rows - g.BestRow - 0.04);
            box.FillStyle.Color = Colors.Transparent;
            box.LineStyle.Color = Color.FromHex("#d62728");
            box.LineStyle.Width = 3;
        }
        plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, cols).Select(c => c + 0.5).ToArray(), g.ColumnLabels.ToArray());
        plt.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, rows).Select(r => rows - r - 0.5).ToArray(), g.RowLabels.ToArray());
        plt.Axes.Bottom.MajorTickStyle.Length = 0;
        plt.Axes.Left.MajorTickStyle.Length = 0;
        plt.Axes.SetLimits(0, cols, 0, rows);
        plt.HideGrid();
        plt.XLabel($"{g.ColumnModel} representation", 15);
        plt.YLabel($"{g.RowModel} representation", 15);
        plt.Title(title, 15);
        int cell = Math.Max(28, Math.Min(64, 640 / Math.Max(rows, cols)));
        return Render(plt, name, title, cols * cell + 300, rows * cell + 160);
    }

    /// <summary>
    /// Values across representations: x = representation (labelled), one line per series with its interval band.
    /// Series may have different lengths (models with different depths); x positions follow <paramref name="xLabels"/>.
    /// </summary>
    public static Figure AcrossRepresentations(string name, string title, IReadOnlyList<string> xLabels,
        IReadOnlyList<LayerSeries> series, string yLabel, double? referenceLine = null)
    {
        var plt = NewPlot();
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        for (int s = 0; s < series.Count; s++)
        {
            var ser = series[s];
            var color = ColorAt(ser.ColorIndex ?? s);
            var xs = Enumerable.Range(0, ser.Values.Length).Select(i => (double)i).ToArray();
            if (ser.Lower is not null && ser.Upper is not null)
            {
                var ok = Enumerable.Range(0, xs.Length).Where(i => double.IsFinite(ser.Lower[i]) && double.IsFinite(ser.Upper[i])).ToArray();
                if (ok.Length >= 2)
                {
                    var band = plt.Add.FillY(ok.Select(i => xs[i]).ToArray(), ok.Select(i => ser.Lower[i]).ToArray(), ok.Select(i => ser.Upper[i]).ToArray());
                    band.FillStyle.Color = color.WithAlpha(0.12);
                    band.LineStyle.Width = 0;
                    foreach (int i in ok) { lo = Math.Min(lo, ser.Lower[i]); hi = Math.Max(hi, ser.Upper[i]); }
                }
            }
            var okv = Enumerable.Range(0, xs.Length).Where(i => double.IsFinite(ser.Values[i])).ToArray();
            var line = plt.Add.Scatter(okv.Select(i => xs[i]).ToArray(), okv.Select(i => ser.Values[i]).ToArray(),
                ser.Secondary ? color.WithAlpha(0.75) : color);
            line.LineWidth = ser.Secondary ? 1.5f : 2.5f;
            line.MarkerSize = ser.Secondary ? 8 : 7;
            if (ser.Secondary) line.MarkerShape = MarkerShape.OpenSquare;
            line.LegendText = ser.Label;
            foreach (int i in okv) { lo = Math.Min(lo, ser.Values[i]); hi = Math.Max(hi, ser.Values[i]); }
        }
        if (referenceLine is double rl)
        {
            plt.Add.HorizontalLine(rl, 1, Color.FromHex("#909090"));
            lo = Math.Min(lo, rl); hi = Math.Max(hi, rl);
        }
        if (!double.IsFinite(lo)) { lo = 0; hi = 1; }
        double pad = Math.Max(0.02, (hi - lo) * 0.08);
        plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, xLabels.Count).Select(i => (double)i).ToArray(), xLabels.ToArray());
        plt.Axes.SetLimits(-0.3, xLabels.Count - 0.7, lo - pad, hi + pad);
        plt.ShowLegend(Edge.Right);
        plt.Legend.FontSize = 12;
        plt.Legend.FontName = Figures.FontName;
        plt.Title(title, 15);
        plt.XLabel("representation (token embedding, then layer outputs)", 14);
        plt.YLabel(yLabel, 14);
        return Render(plt, name, title, Math.Max(860, 60 * xLabels.Count + 460), 520);
    }

    /// <summary>
    /// Classical MDS maps of several representations side by side (each panel scaled to its own box), points
    /// coloured by category (grey without categories), a few words labelled when the list is short.
    /// </summary>
    public static Figure MdsPanels(string name, string title, IReadOnlyList<MdsResult> maps, IReadOnlyList<string> panelTitles,
        IReadOnlyList<string> words, IReadOnlyList<string?> categories)
    {
        int panels = maps.Count;
        int columns = Math.Min(4, Math.Max(1, panels));
        int rowsOfPanels = (panels + columns - 1) / columns;
        var catNames = categories.Where(c => c is not null).Select(c => c!).Distinct().ToList();
        var plt = NewPlot();
        int n = words.Count;
        bool labelWords = n <= 40;
        float marker = n <= 60 ? 7 : n <= 400 ? 4 : 2.5f;
        for (int p = 0; p < panels; p++)
        {
            var m = maps[p];
            double ox = (p % columns) * 1.25, oy = -(p / columns) * 1.3;
            double max = 1e-12;
            for (int i = 0; i < n; i++) max = Math.Max(max, Math.Max(Math.Abs(m.X(i)), Math.Abs(m.Y(i))));
            double scale = 0.5 / max; // each panel spans [−0.5, 0.5]² around its centre
            var frame = plt.Add.Rectangle(ox - 0.56, ox + 0.56, oy - 0.56, oy + 0.56);
            frame.FillStyle.Color = Colors.Transparent;
            frame.LineStyle.Color = Color.FromHex("#bbbbbb");
            frame.LineStyle.Width = 1;
            var head = plt.Add.Text(panelTitles[p], ox, oy + 0.6);
            head.Alignment = Alignment.LowerCenter;
            head.LabelFontSize = 14;
            head.LabelFontName = Figures.FontName;
            head.LabelBold = true;
            int groups = Math.Max(1, catNames.Count);
            for (int c = 0; c < groups; c++)
            {
                var idx = Enumerable.Range(0, n).Where(i => catNames.Count == 0 || categories[i] == catNames[c]).ToArray();
                var xs = idx.Select(i => ox + m.X(i) * scale).ToArray();
                var ys = idx.Select(i => oy + m.Y(i) * scale).ToArray();
                var pts = plt.Add.ScatterPoints(xs, ys, catNames.Count == 0 ? Color.FromHex("#404040") : ColorAt(c));
                pts.MarkerSize = marker;
                if (p == 0 && catNames.Count > 0) pts.LegendText = catNames[c];
            }
            if (labelWords && panels <= 4)
                for (int i = 0; i < n; i++)
                {
                    var t = plt.Add.Text(words[i], ox + m.X(i) * scale, oy + m.Y(i) * scale);
                    t.LabelFontSize = 9;
                    t.LabelFontName = Figures.FontName;
                    t.LabelFontColor = Color.FromHex("#333333");
                    t.OffsetX = 4;
                }
        }
        if (catNames.Count > 0)
        {
            var legend = plt.ShowLegend(Alignment.LowerRight);
            legend.FontSize = 12;
            legend.FontName = Figures.FontName;
        }
        plt.HideAxesAndGrid();
        plt.Axes.SetLimits(-0.65, (columns - 1) * 1.25 + (catNames.Count > 0 ? 1.15 : 0.65), -(rowsOfPanels - 1) * 1.3 - 0.65, 0.75);
        plt.Title(title, 15);
        int w = columns * 270 + (catNames.Count > 0 ? 190 : 80), h = rowsOfPanels * 280 + 80;
        return Render(plt, name, title, w, h);
    }

    private static Plot NewPlot()
    {
        var plt = new Plot();
        plt.Font.Set(Figures.FontName);
        plt.FigureBackground.Color = Colors.White;
        plt.DataBackground.Color = Colors.White;
        plt.Axes.Bottom.TickLabelStyle.FontSize = 13;
        plt.Axes.Left.TickLabelStyle.FontSize = 13;
        return plt;
    }

    private static Figure Render(Plot plt, string name, string title, int width, int height)
    {
        string svg = plt.GetSvgXml(width, height);
        plt.ScaleFactor = Figures.PngScale;
        byte[] png = plt.GetImageBytes((int)(width * Figures.PngScale), (int)(height * Figures.PngScale), ImageFormat.Png);
        plt.Dispose();
        return new Figure(name, title, png, svg, width, height);
    }
}
