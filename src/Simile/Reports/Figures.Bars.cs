using ScottPlot;

namespace Simile.Reports;

/// <summary>Per-word figures: bars (one per word) and outlined histograms of per-word values.</summary>
public static partial class Figures
{
    /// <summary>Distributions of values in [lo, hi] as outlined histograms (share of items per bin), one line per series.</summary>
    public static Figure Distributions(string name, string title, IReadOnlyList<(string Label, double[] Values)> series,
        string xLabel, double lo = -1, double hi = 1, int bins = 80, FigureSize? size = null)
    {
        var s = new FigureStyle(size);
        var plt = NewPlot(s);
        var palette = new[] { WithinColor, BetweenColor, FitColor, NeutralColor };
        for (int k = 0; k < series.Count; k++)
        {
            var (label, values) = series[k];
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
            var line = plt.Add.ScatterLine(xs.ToArray(), ys.ToArray(), palette[k % palette.Length]);
            line.LineWidth = s.L(2);
            line.LegendText = $"{label} (n = {used:N0})";
        }
        LegendOutside(plt, s);
        plt.Axes.SetLimitsX(lo, hi);
        int width = s.Width(900), height = s.Paper ? (int)(width * 0.7) + LegendHeight(s, series.Select(x => x.Label + " (n = 00,000)").ToList(), width) : 520;
        Label(plt, s, title, width, xLabel, "share of words");
        return Render(plt, name, title, width, height, s);
    }

    /// <summary>
    /// One bar per word (e.g. its direct correlation across two models), labels rotated under the axis, all bars one
    /// colour. Optional: a dashed reference line and a grey band (e.g. the spread expected by chance), both in the legend.
    /// </summary>
    public static Figure WordBars(string name, string title, IReadOnlyList<string> words, double[] values, string yLabel,
        double? referenceLine = null, string? referenceLabel = null, FigureSize? size = null,
        (double Lower, double Upper, string Label)? band = null)
    {
        var s = new FigureStyle(size);
        int n = words.Count;
        var plt = NewPlot(s);
        if (band is { } bd)
        {
            var rect = plt.Add.Rectangle(-0.7, n - 0.3, bd.Lower, bd.Upper);
            rect.FillStyle.Color = Color.FromHex("#bbbbbb").WithAlpha(0.45);
            rect.LineStyle.Width = 0;
            rect.LegendText = bd.Label;
        }
        var bars = new List<Bar>(n);
        for (int i = 0; i < n; i++)
            bars.Add(new Bar { Position = i, Value = values[i], FillColor = BarColor, LineWidth = 0, Size = 0.75 });
        var barPlot = plt.Add.Bars(bars);
        barPlot.LegendText = "one bar per word";
        plt.Add.HorizontalLine(0, s.L(1), NeutralColor);
        if (referenceLine is double rl)
        {
            var line = plt.Add.HorizontalLine(rl, s.L(1.5f), FitColor, LinePattern.Dashed);
            if (referenceLabel is not null) line.LegendText = referenceLabel;
        }
        LegendOutside(plt, s);              // outside the data area: never covers a bar
        float tickSize = s.Paper ? 7 : n <= 40 ? 13 : n <= 80 ? 10 : 8;
        double longestWidth = words.Count == 0 ? 0 : words.Max(w => TextWidth(w, tickSize));
        plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, n).Select(i => (double)i).ToArray(), words.ToArray());
        plt.Axes.Bottom.TickLabelStyle.Rotation = -90;
        plt.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        plt.Axes.Bottom.TickLabelStyle.FontSize = tickSize;
        plt.Axes.Bottom.MinimumSize = (float)(longestWidth + s.L(20));
        var finite = values.Where(double.IsFinite).DefaultIfEmpty(0).ToArray();
        double lo = Math.Min(-0.1, finite.Min() - 0.05), hi = Math.Max(0.1, finite.Max() + 0.05);
        if (referenceLine is double r2) { lo = Math.Min(lo, r2 - 0.05); hi = Math.Max(hi, r2 + 0.05); }
        if (band is { } b2) { lo = Math.Min(lo, b2.Lower - 0.02); hi = Math.Max(hi, b2.Upper + 0.02); }
        plt.Axes.SetLimits(-0.7, n - 0.3, Math.Max(-1.05, lo), Math.Min(1.05, hi));
        plt.Axes.Left.TickGenerator = ValueTicks(Math.Max(-1.05, lo), Math.Min(1.05, hi), 5);
        plt.Grid.XAxisStyle.MajorLineStyle.Width = 0;
        int width = s.Paper ? s.Width(0, n * tickSize * 1.25 + 40) : Math.Max(640, 26 * n + 160);
        var legendItems = new List<string> { "one bar per word" };
        if (referenceLabel is not null) legendItems.Add(referenceLabel);
        if (band is { } b3) legendItems.Add(b3.Label);
        int height = s.Paper ? (int)(150 + longestWidth + 24) + LegendHeight(s, legendItems, width) : 520;
        Label(plt, s, title, width, null, yLabel);
        FigureHover h = new();
        for (int i = 0; i < n; i++) h.Points.Add((i, values[i], $"{words[i]}: {Num(values[i])}"));
        return Render(plt, name, title, width, height, s, h);
    }
}
