using ScottPlot;

namespace Simile.Reports;

/// <summary>Scatter figures: one point per word pair, or a 2-D histogram for very many pairs.</summary>
public static partial class Figures
{
    /// <summary>
    /// RSA scatter: one point per word pair, model A's value on x, model B's on y, least-squares line, r and p in
    /// the title. <paramref name="withinCategory"/> (optional, per pair) colours pairs within/between categories.
    /// <paramref name="hover"/> (optional, per pair) is the text shown when the pointer is over a point.
    /// </summary>
    public static Figure RsaScatter(string name, string title, double[] x, double[] y, bool[]? withinCategory,
        string xLabel, string yLabel, FigureSize? size = null, IReadOnlyList<string>? hover = null)
    {
        if (x.Length != y.Length) throw new ArgumentException("x and y differ in length");
        var s = new FigureStyle(size);
        var plt = NewPlot(s);
        float marker = s.L(x.Length > 2000 ? 3 : x.Length > 300 ? 5 : 7);
        if (withinCategory is null)
        {
            var pts = plt.Add.ScatterPoints(x, y, NeutralColor.WithAlpha(0.6));
            pts.MarkerSize = marker;
        }
        else
        {
            var (bx, by) = Pick(x, y, withinCategory, false);
            var (wx, wy) = Pick(x, y, withinCategory, true);
            var between = plt.Add.ScatterPoints(bx, by, BetweenColor.WithAlpha(0.55));
            between.MarkerSize = marker;
            between.LegendText = $"between categories ({bx.Length:N0})";
            var within = plt.Add.ScatterPoints(wx, wy, WithinColor.WithAlpha(0.8));
            within.MarkerSize = marker;
            within.LegendText = $"within a category ({wx.Length:N0})";
        }
        AddFitLine(plt, x, y, s);
        LegendOutside(plt, s);
        var items = withinCategory is null ? new[] { "least-squares line" }
            : new[] { $"between categories ({x.Length:N0})", $"within a category ({x.Length:N0})", "least-squares line" };
        int width = s.Width(820), height = s.Paper ? (int)(width * 0.9) + LegendHeight(s, items, width) : 590;
        Label(plt, s, title, width, xLabel, yLabel);
        FigureHover? h = null;
        if (hover is not null)
        {
            h = new FigureHover();
            for (int i = 0; i < x.Length; i++) h.Points.Add((x[i], y[i], hover[i]));
        }
        return Render(plt, name, title, width, height, s, h);
    }

    /// <summary>
    /// RSA as a density plot for very many pairs: a 2-D histogram (log count per bin) instead of millions of dots,
    /// with the least-squares line.
    /// </summary>
    public static Figure DensityScatter(string name, string title, ReadOnlySpan<double> x, ReadOnlySpan<double> y,
        string xLabel, string yLabel, int bins = 120, FigureSize? size = null)
    {
        var (x0, x1) = Extent(x);
        var (y0, y1) = Extent(y);
        var counts = new long[bins, bins];                       // [row = y bin from the top, col = x bin]
        for (int k = 0; k < x.Length; k++)
        {
            int c = Math.Clamp((int)((x[k] - x0) / (x1 - x0) * bins), 0, bins - 1);
            int r = Math.Clamp((int)((y[k] - y0) / (y1 - y0) * bins), 0, bins - 1);
            counts[bins - 1 - r, c] += 1;
        }
        return DensityGrid(name, title, counts, (x0, x1), (y0, y1), xLabel, yLabel, size);
    }

    /// <summary>
    /// A precomputed 2-D histogram drawn as a density plot (log10 count per bin, empty bins white) with the
    /// least-squares line fitted to the bin centres weighted by their counts. The bins are a bitmap drawn with
    /// nearest-neighbour sampling (crisp in the SVG too).
    /// </summary>
    /// <param name="counts">[row, col]: row = y bin counted from the TOP, col = x bin from the left.</param>
    public static Figure DensityGrid(string name, string title, long[,] counts, (double Min, double Max) x, (double Min, double Max) y,
        string xLabel, string yLabel, FigureSize? size = null)
    {
        var s = new FigureStyle(size);
        int rows = counts.GetLength(0), cols = counts.GetLength(1);
        var cells = new double[rows, cols];
        double w = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, maxLog = 0;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                long k = counts[r, c];
                cells[r, c] = k == 0 ? double.NaN : Math.Log10(k);
                if (k == 0) continue;
                maxLog = Math.Max(maxLog, cells[r, c]);
                double cx = x.Min + (c + 0.5) * (x.Max - x.Min) / cols, cy = y.Max - (r + 0.5) * (y.Max - y.Min) / rows;
                w += k; sx += k * cx; sy += k * cy; sxx += k * cx * cx; sxy += k * cx * cy;
            }
        var plt = NewPlot(s);
        var hm = plt.Add.Heatmap(cells);
        hm.Colormap = new ScottPlot.Colormaps.Viridis();
        var range = (0.0, Math.Max(1.0, Math.Ceiling(maxLog * 2) / 2));
        hm.ManualRange = new ScottPlot.Range(range.Item1, range.Item2);
        hm.NaNCellColor = Colors.White;
        hm.Rectangle = new CoordinateRect(x.Min, x.Max, y.Min, y.Max);
        ColourBar(plt, range, "log10(word pairs per bin)", s);
        double slope = (w * sxy - sx * sy) / (w * sxx - sx * sx), icept = (sy - slope * sx) / w;
        if (double.IsFinite(slope) && double.IsFinite(icept))
        {
            var line = plt.Add.Line(x.Min, icept + slope * x.Min, x.Max, icept + slope * x.Max);
            line.LineWidth = s.L(2);
            line.LineColor = FitColor;
        }
        plt.Axes.SetLimits(x.Min, x.Max, y.Min, y.Max);
        int width = s.Width(820), height = s.Paper ? (int)(width * 0.85) : 660;
        Label(plt, s, title, width, xLabel, yLabel);
        return Render(plt, name, title, width, height, s);
    }
}
