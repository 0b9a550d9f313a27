using ScottPlot;
using Simile.Analyses.Targets;

namespace Simile.Reports;

/// <summary>
/// Figures of the comparisons with targets (house style of <see cref="Figures"/>): per target, the value per model with
/// its 95 % interval against the noise-ceiling band (bars for <c>rsa</c>, one curve per model across representations for
/// <c>layers</c>), and a scatter of the model's value of each pair against the target's for the best representation.
/// </summary>
public static class TargetFigures
{
    private static readonly Color CeilingColor = Color.FromHex("#9e9e9e");

    /// <summary>Bars per model (one representation each) and the best model's scatter, for every target.</summary>
    public static IReadOnlyList<Figure> ForModels(IReadOnlyList<TargetResult> targets, FigureSize? size = null)
    {
        var figs = new List<Figure>();
        foreach (var t in targets)
        {
            figs.Add(Bars(t, size));
            if (Scatter(t, size) is { } sc) figs.Add(sc);
        }
        return figs;
    }

    /// <summary>One curve per model across its representations, and the best representation's scatter, for every target.</summary>
    public static IReadOnlyList<Figure> ForLayers(IReadOnlyList<TargetResult> targets, FigureSize? size = null)
    {
        var figs = new List<Figure>();
        foreach (var t in targets)
        {
            figs.Add(Curve(t, size));
            if (Scatter(t, size) is { } sc) figs.Add(sc);
        }
        return figs;
    }

    public static string FileStem(TargetResult t) => "target-" + Simile.Data.OutputPath.SafeName(t.Target.Name);

    /// <summary>The measure and its direction (every target measure is a correlation: higher = closer to the target).</summary>
    private static string YLabel(TargetResult t) =>
        $"{t.MeasureName} with the target{(t.Target.SubjectCount > 1 ? $", mean of {t.Target.SubjectCount} subjects" : "")} (higher = closer)";

    private static void Ceiling(Plot plt, TargetResult t, double x0, double x1)
    {
        if (t.NoiseCeiling is not { } nc) return;
        var rect = plt.Add.Rectangle(x0, x1, nc.Lower, nc.Upper);
        rect.FillStyle.Color = CeilingColor.WithAlpha(0.35);
        rect.LineStyle.Width = 0;
        rect.LegendText = $"noise ceiling ({Figures.Num(nc.Lower)} – {Figures.Num(nc.Upper)})";
    }

    private static (double Lo, double Hi) Range(TargetResult t)
    {
        var v = t.Results.SelectMany(r => new[] { r.Value, r.Lower ?? double.NaN, r.Upper ?? double.NaN }).ToList();
        if (t.NoiseCeiling is { } nc) { v.Add(nc.Lower); v.Add(nc.Upper); }
        v.Add(0);
        var finite = v.Where(double.IsFinite).ToList();
        double lo = finite.Min(), hi = finite.Max();
        double pad = Math.Max(0.02, (hi - lo) * 0.08);
        return (Math.Max(-1.05, lo - pad), Math.Min(1.05, hi + pad));
    }

    /// <summary>A bar per model with its interval, the noise-ceiling band behind.</summary>
    public static Figure Bars(TargetResult t, FigureSize? size = null)
    {
        var s = new FigureStyle(size);
        var plt = Figures.NewPlot(s);
        int n = t.Results.Count;
        Ceiling(plt, t, -0.6, n - 0.4);
        var bars = new List<Bar>();
        for (int i = 0; i < n; i++)
        {
            var r = t.Results[i];
            bars.Add(new Bar
            {
                Position = i, Value = double.IsFinite(r.Value) ? r.Value : 0, FillColor = LayerFigures.ColorAt(i), LineWidth = 0, Size = 0.6,
                Error = 0,
            });
        }
        plt.Add.Bars(bars);
        for (int i = 0; i < n; i++)
            if (t.Results[i].Lower is double lo && t.Results[i].Upper is double hi && double.IsFinite(lo) && double.IsFinite(hi))
            {
                var line = plt.Add.Line(i, lo, i, hi);
                line.LineWidth = s.L(2);
                line.LineColor = Color.FromHex("#202020");
            }
        plt.Add.HorizontalLine(0, s.L(1), Color.FromHex("#404040"));
        var (ylo, yhi) = Range(t);
        plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, n).Select(i => (double)i).ToArray(), t.Results.Select(r => r.Model).ToArray());
        plt.Axes.SetLimits(-0.6, n - 0.4, ylo, yhi);
        plt.Axes.Left.TickGenerator = Figures.ValueTicks(ylo, yhi, 5);
        if (t.NoiseCeiling is not null) Figures.Legend(plt, s, Edge.Bottom);
        int width = s.Width(Math.Max(520, 110 * n + 240)), height = s.Paper ? (int)(width * 0.8) : 480;
        string title = $"{t.Target.Name}: {t.MeasureName} of each model with the {(t.Target.Kind == TargetKind.Pairs ? "ratings" : "subject RDMs")}";
        Figures.Label(plt, s, title, width, null, YLabel(t));
        var h = new FigureHover();
        for (int i = 0; i < n; i++)
        {
            var r = t.Results[i];
            h.Points.Add((i, double.IsFinite(r.Value) ? r.Value : 0, $"{r.Model}: {Figures.Num(r.Value)}{Interval(r)}, {r.PairsUsed} of {t.Target.PairCount} pairs"));
        }
        return Figures.Render(plt, FileStem(t) + "-models", title, width, height, s, h);
    }

    /// <summary>One line per model across its representations, 95 % band, the noise-ceiling band behind.</summary>
    public static Figure Curve(TargetResult t, FigureSize? size = null)
    {
        var s = new FigureStyle(size);
        var plt = Figures.NewPlot(s);
        var models = t.Results.Select(r => r.Model).Distinct().ToList();
        var labels = new List<string>();
        foreach (var m in models)
        {
            var reps = t.Results.Where(r => r.Model == m).Select(r => r.Representation).ToList();
            for (int i = 0; i < reps.Count; i++)
            {
                if (i < labels.Count) { if (!labels[i].Split(" / ").Contains(reps[i])) labels[i] += " / " + reps[i]; }
                else labels.Add(reps[i]);
            }
        }
        Ceiling(plt, t, -0.3, labels.Count - 0.7);
        var h = new FigureHover();
        for (int k = 0; k < models.Count; k++)
        {
            var rs = t.Results.Where(r => r.Model == models[k]).ToList();
            var color = LayerFigures.ColorAt(k);
            var band = Enumerable.Range(0, rs.Count).Where(i => rs[i].Lower is double a && rs[i].Upper is double b && double.IsFinite(a) && double.IsFinite(b)).ToArray();
            if (band.Length >= 2)
            {
                var fill = plt.Add.FillY(band.Select(i => (double)i).ToArray(), band.Select(i => rs[i].Lower!.Value).ToArray(), band.Select(i => rs[i].Upper!.Value).ToArray());
                fill.FillStyle.Color = color.WithAlpha(0.18);
                fill.LineStyle.Width = 0;
            }
            var ok = Enumerable.Range(0, rs.Count).Where(i => double.IsFinite(rs[i].Value)).ToArray();
            var line = plt.Add.Scatter(ok.Select(i => (double)i).ToArray(), ok.Select(i => rs[i].Value).ToArray(), color);
            line.LineWidth = s.L(2.5f);
            line.MarkerSize = s.L(7);
            line.LegendText = models[k];
            foreach (int i in ok)
                h.Points.Add((i, rs[i].Value, $"{models[k]}, {rs[i].Representation}: {Figures.Num(rs[i].Value)}{Interval(rs[i])}"));
        }
        var (ylo, yhi) = Range(t);
        plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, labels.Count).Select(i => (double)i).ToArray(), labels.ToArray());
        plt.Axes.SetLimits(-0.3, labels.Count - 0.7, ylo, yhi);
        plt.Axes.Left.TickGenerator = Figures.ValueTicks(ylo, yhi, 5);
        if (s.Paper) Figures.Legend(plt, s, Alignment.UpperLeft); else Figures.Legend(plt, s, Edge.Right);
        int width = s.Width(Math.Max(860, 60 * labels.Count + 460));
        int height = s.Paper ? (int)(width * 0.8) : 520;
        string title = $"{t.Target.Name}: {t.MeasureName} with the {(t.Target.Kind == TargetKind.Pairs ? "ratings" : "subject RDMs")} per representation (95 % band)";
        Figures.Label(plt, s, title, width, "representation (token embedding, then layer outputs)", YLabel(t));
        return Figures.Render(plt, FileStem(t) + "-layers", title, width, height, s, h);
    }

    /// <summary>The best representation's value of each used pair against the target's (mean over subjects), hover naming the pair.</summary>
    public static Figure? Scatter(TargetResult t, FigureSize? size = null)
    {
        if (t.Best < 0) return null;
        var r = t.Results[t.Best];
        var words = t.Target.Words;
        var y = r.UsedPairs.Select(p => t.Target.Subjects.Average(s => s[p])).ToArray();
        var hover = r.UsedPairs.Select((p, i) => $"{words[t.Target.PairA[p]]} – {words[t.Target.PairB[p]]}: model {Figures.Num(r.ModelValues[i])}, target {Figures.Num(y[i])}").ToList();
        bool pairs = t.Target.Kind == TargetKind.Pairs;
        string who = r.Representation == "token" ? r.Model : $"{r.Model} {r.Representation}";
        string title = $"{t.Target.Name}: {who} (best), {t.MeasureName} = {Figures.Num(r.Value)}";
        return Figures.RsaScatter(FileStem(t) + "-scatter", title, r.ModelValues, y, null,
            pairs ? $"{who}: cosine similarity" : $"{who}: 1 − cosine",
            pairs ? "rating" : t.Target.SubjectCount > 1 ? "dissimilarity (mean over subjects)" : "dissimilarity", size, hover);
    }

    private static string Interval(TargetValue r) =>
        r.Lower is double lo && r.Upper is double hi ? $" [{Figures.Num(lo)}, {Figures.Num(hi)}]" : "";
}
