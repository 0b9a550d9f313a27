using ScottPlot;

namespace Simile.Reports;

/// <summary>One rendered figure: the same plot as PNG (bitmap, for the HTML page) and SVG (vector, for papers).</summary>
public sealed record Figure(string Name, string Title, byte[] Png, string Svg, int Width, int Height);

/// <summary>
/// The figures of the analyses, drawn with ScottPlot 5 in one house style (DejaVu Sans, white background,
/// readable tick labels). Every method takes plain arrays so the analyses stay free of plotting code.
/// </summary>
public static class Figures
{
    public const string FontName = "DejaVu Sans";
    /// <summary>PNGs are rendered at this multiple of the logical size (sharp when printed or zoomed).</summary>
    public const double PngScale = 2.0;

    private static readonly Color WithinColor = Color.FromHex("#1f77b4");
    private static readonly Color BetweenColor = Color.FromHex("#ff7f0e");
    private static readonly Color NeutralColor = Color.FromHex("#404040");
    private static readonly Color FitColor = Color.FromHex("#d62728");

    /// <summary>
    /// A word × word matrix as a heatmap: rows top to bottom and columns left to right in the given order,
    /// diagonal left blank, thin lines between categories, and the colour scale given by <paramref name="range"/>
    /// (pass the same range for every model so colours compare across figures).
    /// </summary>
    /// <param name="square">n × n values (the diagonal is not drawn).</param>
    /// <param name="boundaries">Row indices where a new category starts (excluding 0).</param>
    public static Figure Heatmap(string name, string title, double[,] square, IReadOnlyList<string> labels,
        IReadOnlyList<int> boundaries, (double Min, double Max) range, string colourLabel)
    {
        int n = square.GetLength(0);
        var cells = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) cells[i, j] = i == j ? double.NaN : square[i, j];

        // Size grows with the number of words so labels never overlap (≥ 17 px per row at 12 pt).
        float tickSize = n <= 40 ? 13 : n <= 80 ? 10 : 8;
        int cell = (int)Math.Max(12, Math.Min(24, 720.0 / n));
        int longest = labels.Count == 0 ? 0 : labels.Max(l => l.Length);
        int labelSpace = (int)(longest * tickSize * 0.62) + 20;
        int width = n * cell + labelSpace + 190, height = n * cell + labelSpace + 70;

        var plt = NewPlot();
        var (hm, bar) = ViridisHeatmap(plt, cells, colourLabel);
        hm.ManualRange = new ScottPlot.Range(range.Min, range.Max);
        hm.NaNCellColor = Colors.White;
        hm.Rectangle = new CoordinateRect(0, n, 0, n);       // cell (i, j) covers x∈[j, j+1], y∈[n-i-1, n-i]
        bar.Axis.TickGenerator = NiceTicks(range.Min, range.Max);

        foreach (int b in boundaries)
        {
            plt.Add.Line(b, 0, b, n).LineStyle = SeparatorStyle();
            plt.Add.Line(0, n - b, n, n - b).LineStyle = SeparatorStyle();
        }

        LabelMatrixAxes(plt, labels, tickSize, labelSpace);
        plt.Axes.SetLimits(0, n, 0, n);
        plt.HideGrid();
        plt.Title(title, 16);
        return Render(plt, name, title, width, height);
    }

    /// <summary>
    /// RSA scatter: one point per word pair, model A's value on x, model B's on y, least-squares line, r and p in
    /// the title. <paramref name="withinCategory"/> (optional, per pair) colours pairs within/between categories.
    /// </summary>
    public static Figure RsaScatter(string name, string title, double[] x, double[] y, bool[]? withinCategory,
        string xLabel, string yLabel)
    {
        if (x.Length != y.Length) throw new ArgumentException("x and y differ in length");
        var plt = NewPlot();
        float marker = x.Length > 2000 ? 3 : x.Length > 300 ? 5 : 7;
        if (withinCategory is null)
        {
            var s = plt.Add.ScatterPoints(x, y, NeutralColor.WithAlpha(0.6));
            s.MarkerSize = marker;
        }
        else
        {
            var (bx, by) = Pick(x, y, withinCategory, false);
            var (wx, wy) = Pick(x, y, withinCategory, true);
            var between = plt.Add.ScatterPoints(bx, by, BetweenColor.WithAlpha(0.55));
            between.MarkerSize = marker;
            between.LegendText = $"between categories ({bx.Length})";
            var within = plt.Add.ScatterPoints(wx, wy, WithinColor.WithAlpha(0.8));
            within.MarkerSize = marker;
            within.LegendText = $"within a category ({wx.Length})";
            var legend = plt.ShowLegend(Alignment.UpperLeft);
            legend.FontSize = 13;
            legend.FontName = FontName;
        }
        AddFitLine(plt, x, y);
        Label(plt, title, xLabel, yLabel);
        return Render(plt, name, title, 760, 640);
    }

    /// <summary>
    /// RSA as a density plot for very many pairs: a 2-D histogram (log count per bin) instead of millions of dots,
    /// with the least-squares line.
    /// </summary>
    public static Figure DensityScatter(string name, string title, ReadOnlySpan<double> x, ReadOnlySpan<double> y,
        string xLabel, string yLabel, int bins = 120)
    {
        var (x0, x1) = Extent(x);
        var (y0, y1) = Extent(y);
        var counts = new double[bins, bins];                       // [row = y bin from the top, col = x bin]
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (int k = 0; k < x.Length; k++)
        {
            int c = Math.Clamp((int)((x[k] - x0) / (x1 - x0) * bins), 0, bins - 1);
            int r = Math.Clamp((int)((y[k] - y0) / (y1 - y0) * bins), 0, bins - 1);
            counts[bins - 1 - r, c] += 1;
            sx += x[k]; sy += y[k]; sxx += x[k] * x[k]; sxy += x[k] * y[k];
        }
        for (int r = 0; r < bins; r++)
            for (int c = 0; c < bins; c++) counts[r, c] = counts[r, c] == 0 ? double.NaN : Math.Log10(counts[r, c]);

        var plt = NewPlot();
        var (hm, bar) = ViridisHeatmap(plt, counts, "log10(pairs per bin)");
        hm.NaNCellColor = Colors.White;
        hm.Rectangle = new CoordinateRect(x0, x1, y0, y1);
        bar.Axis.TickGenerator = SparseTicks();
        double n = x.Length, slope = (n * sxy - sx * sy) / (n * sxx - sx * sx), icept = (sy - slope * sx) / n;
        if (double.IsFinite(slope))
        {
            var line = plt.Add.Line(x0, icept + slope * x0, x1, icept + slope * x1);
            line.LineWidth = 2;
            line.LineColor = FitColor;
        }
        plt.Axes.SetLimits(x0, x1, y0, y1);
        Label(plt, title, xLabel, yLabel);
        return Render(plt, name, title, 820, 640);
    }

    /// <summary>
    /// A precomputed 2-D histogram drawn as a density plot (log10 count per bin, empty bins white) with the
    /// least-squares line fitted to the bin centres weighted by their counts.
    /// </summary>
    /// <param name="counts">[row, col]: row = y bin counted from the TOP, col = x bin from the left.</param>
    public static Figure DensityGrid(string name, string title, long[,] counts, (double Min, double Max) x, (double Min, double Max) y,
        string xLabel, string yLabel)
    {
        int rows = counts.GetLength(0), cols = counts.GetLength(1);
        var cells = new double[rows, cols];
        double w = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                long k = counts[r, c];
                cells[r, c] = k == 0 ? double.NaN : Math.Log10(k);
                if (k == 0) continue;
                double cx = x.Min + (c + 0.5) * (x.Max - x.Min) / cols, cy = y.Max - (r + 0.5) * (y.Max - y.Min) / rows;
                w += k; sx += k * cx; sy += k * cy; sxx += k * cx * cx; sxy += k * cx * cy;
            }
        var plt = NewPlot();
        var (hm, bar) = ViridisHeatmap(plt, cells, "log10(word pairs per bin)");
        hm.NaNCellColor = Colors.White;
        hm.Rectangle = new CoordinateRect(x.Min, x.Max, y.Min, y.Max);
        double slope = (w * sxy - sx * sy) / (w * sxx - sx * sx), icept = (sy - slope * sx) / w;
        if (double.IsFinite(slope) && double.IsFinite(icept))
        {
            var line = plt.Add.Line(x.Min, icept + slope * x.Min, x.Max, icept + slope * x.Max);
            line.LineWidth = 2;
            line.LineColor = FitColor;
        }
        plt.Axes.SetLimits(x.Min, x.Max, y.Min, y.Max);
        Label(plt, title, xLabel, yLabel);
        return Render(plt, name, title, 820, 660);
    }

    /// <summary>Distributions of values in [lo, hi] as outlined histograms (share of items per bin), one line per series.</summary>
    public static Figure Distributions(string name, string title, IReadOnlyList<(string Label, double[] Values)> series,
        string xLabel, double lo = -1, double hi = 1, int bins = 80)
    {
        var plt = NewPlot();
        var palette = new[] { WithinColor, BetweenColor, FitColor, NeutralColor };
        for (int s = 0; s < series.Count; s++)
        {
            var (label, values) = series[s];
            var counts = new double[bins];
            int used = 0;
            foreach (double v in values)
            {
                if (!double.IsFinite(v)) continue;
                counts[Math.Clamp((int)((v - lo) / (hi - lo) * bins), 0, bins - 1)]++;
                used++;
            }
            // Step outline: two points per bin edge.
            var xs = new List<double>(); var ys = new List<double>();
            for (int b = 0; b < bins; b++)
            {
                double share = used == 0 ? 0 : counts[b] / used;
                xs.Add(lo + b * (hi - lo) / bins); ys.Add(share);
                xs.Add(lo + (b + 1) * (hi - lo) / bins); ys.Add(share);
            }
            var line = plt.Add.ScatterLine(xs.ToArray(), ys.ToArray(), palette[s % palette.Length]);
            line.LineWidth = 2;
            line.LegendText = $"{label} (n = {used:N0})";
        }
        plt.ShowLegend(Alignment.UpperLeft);
        plt.Legend.FontSize = 13;
        plt.Legend.FontName = FontName;
        plt.Axes.SetLimitsX(lo, hi);
        Label(plt, title, xLabel, "share of words");
        return Render(plt, name, title, 760, 520);
    }

    /// <summary>One bar per word (e.g. its direct correlation across two models), labels rotated under the axis.</summary>
    public static Figure WordBars(string name, string title, IReadOnlyList<string> words, double[] values, string yLabel,
        double? referenceLine = null, string? referenceLabel = null)
    {
        int n = words.Count;
        var plt = NewPlot();
        var bars = new List<Bar>(n);
        for (int i = 0; i < n; i++)
            bars.Add(new Bar { Position = i, Value = values[i], FillColor = values[i] >= 0 ? WithinColor : BetweenColor, LineWidth = 0, Size = 0.75 });
        plt.Add.Bars(bars);
        plt.Add.HorizontalLine(0, 1, NeutralColor);
        if (referenceLine is double rl)
        {
            var line = plt.Add.HorizontalLine(rl, 1.5f, FitColor, LinePattern.Dashed);
            if (referenceLabel is not null)
            {
                line.LegendText = referenceLabel;
                plt.ShowLegend(Edge.Bottom);        // outside the data area: never covers a bar
                plt.Legend.FontSize = 13;
                plt.Legend.FontName = FontName;
            }
        }
        float tickSize = n <= 40 ? 13 : n <= 80 ? 10 : 8;
        int longest = words.Count == 0 ? 0 : words.Max(w => w.Length);
        plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, n).Select(i => (double)i).ToArray(), words.ToArray());
        plt.Axes.Bottom.TickLabelStyle.Rotation = -90;
        plt.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        plt.Axes.Bottom.TickLabelStyle.FontSize = tickSize;
        plt.Axes.Bottom.MinimumSize = (float)(longest * tickSize * 0.62 + 20);
        double lo = Math.Min(-0.1, values.Where(double.IsFinite).DefaultIfEmpty(0).Min() - 0.05);
        double hi = Math.Max(0.1, values.Where(double.IsFinite).DefaultIfEmpty(0).Max() + 0.05);
        if (referenceLine is double r2) { lo = Math.Min(lo, r2 - 0.05); hi = Math.Max(hi, r2 + 0.05); }
        plt.Axes.SetLimits(-0.7, n - 0.3, Math.Max(-1.05, lo), Math.Min(1.05, hi));
        plt.Grid.XAxisStyle.MajorLineStyle.Width = 0;
        Label(plt, title, null, yLabel);
        int width = Math.Max(640, 26 * n + 160);
        return Render(plt, name, title, width, 520);
    }

    /// <summary>A small labelled matrix (models × models) with each value written in its cell.</summary>
    public static Figure ValueMatrix(string name, string title, double[,] values, IReadOnlyList<string> labels,
        (double Min, double Max) range, string colourLabel)
    {
        int k = values.GetLength(0);
        var plt = NewPlot();
        var (hm, bar) = ViridisHeatmap(plt, values, colourLabel);
        hm.ManualRange = new ScottPlot.Range(range.Min, range.Max);
        hm.Rectangle = new CoordinateRect(0, k, 0, k);
        bar.Axis.TickGenerator = NiceTicks(range.Min, range.Max);
        double mid = (range.Min + range.Max) / 2;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                var t = plt.Add.Text(double.IsFinite(values[i, j]) ? values[i, j].ToString("0.000") : "–", j + 0.5, k - i - 0.5);
                t.Alignment = Alignment.MiddleCenter;
                t.LabelFontSize = k <= 6 ? 18 : 12;
                t.LabelFontName = FontName;
                t.LabelFontColor = values[i, j] > mid ? Colors.Black : Colors.White;
            }
        var pos = Enumerable.Range(0, k).Select(i => i + 0.5).ToArray();
        plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(pos, labels.ToArray());
        plt.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(pos.Reverse().ToArray(), labels.ToArray());
        plt.Axes.Bottom.TickLabelStyle.FontSize = 14;
        plt.Axes.Left.TickLabelStyle.FontSize = 14;
        plt.Axes.Bottom.MajorTickStyle.Length = 0;
        plt.Axes.Left.MajorTickStyle.Length = 0;
        plt.Axes.SetLimits(0, k, 0, k);
        plt.HideGrid();
        plt.Title(title, 16);
        int side = Math.Max(420, 110 * k + 200);
        return Render(plt, name, title, side + 120, side);
    }

    /// <summary>About six round-valued ticks between lo and hi (1, 2 or 5 × 10^k steps), no minor ticks.</summary>
    private static ScottPlot.TickGenerators.NumericManual NiceTicks(double lo, double hi)
    {
        double span = Math.Max(hi - lo, 1e-12), raw = span / 6, mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1.0, 2.0, 5.0, 10.0 }.Select(f => f * mag).First(s => s >= raw);
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (double t = Math.Ceiling(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step)
        {
            double v = Math.Abs(t) < step * 1e-9 ? 0 : t;
            ticks.AddMajor(v, v.ToString(step < 0.1 ? "0.00" : step < 1 ? "0.0" : "0", System.Globalization.CultureInfo.InvariantCulture));
        }
        return ticks;
    }

    private static ScottPlot.TickGenerators.NumericAutomatic SparseTicks() => new() { TickDensity = 0.5 };

    private static Plot NewPlot()
    {
        var plt = new Plot();
        plt.Font.Set(FontName);
        plt.FigureBackground.Color = Colors.White;
        plt.DataBackground.Color = Colors.White;
        plt.Axes.Bottom.TickLabelStyle.FontSize = 13;
        plt.Axes.Left.TickLabelStyle.FontSize = 13;
        return plt;
    }

    private static void Label(Plot plt, string title, string? xLabel, string? yLabel)
    {
        if (plt.Axes.Bottom.TickGenerator is ScottPlot.TickGenerators.NumericAutomatic) plt.Axes.Bottom.TickGenerator = SparseTicks();
        if (plt.Axes.Left.TickGenerator is ScottPlot.TickGenerators.NumericAutomatic) plt.Axes.Left.TickGenerator = SparseTicks();
        plt.Title(title, 16);
        if (xLabel is not null) plt.XLabel(xLabel, 15);
        if (yLabel is not null) plt.YLabel(yLabel, 15);
    }

    private static LineStyle SeparatorStyle() => new() { Width = 1.5f, Color = Colors.White, Pattern = LinePattern.Solid };

    private static void AddFitLine(Plot plt, double[] x, double[] y)
    {
        int n = x.Length;
        if (n < 2) return;
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0;
        for (int i = 0; i < n; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); }
        if (sxx == 0) return;
        double slope = sxy / sxx, icept = my - slope * mx, x0 = x.Min(), x1 = x.Max();
        var line = plt.Add.Line(x0, icept + slope * x0, x1, icept + slope * x1);
        line.LineWidth = 2;
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

    private static Figure Render(Plot plt, string name, string title, int width, int height)
    {
        string svg = plt.GetSvgXml(width, height);
        plt.ScaleFactor = PngScale;
        byte[] png = plt.GetImageBytes((int)(width * PngScale), (int)(height * PngScale), ImageFormat.Png);
        plt.Dispose();
        return new Figure(name, title, png, svg, width, height);
    }

    /// <summary>A viridis heatmap of <paramref name="cells"/> with its colour bar in the house style.</summary>
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
