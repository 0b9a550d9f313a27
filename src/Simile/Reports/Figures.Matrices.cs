using ScottPlot;

namespace Simile.Reports;

/// <summary>Matrix figures: the word × word heatmap and the small models × models matrix with values in its cells.</summary>
public static partial class Figures
{
    /// <summary>
    /// A word × word matrix as a heatmap: rows top to bottom and columns left to right in the given order,
    /// diagonal left blank, thin lines between categories, and the colour scale given by <paramref name="range"/>
    /// (pass the same range for every model so colours compare across figures). Cells are vector rectangles.
    /// </summary>
    /// <param name="square">n × n values (the diagonal is not drawn).</param>
    /// <param name="boundaries">Row indices where a new category starts (excluding 0).</param>
    /// <param name="hoverModel">When given, each cell hovers as "row – column: value (model)".</param>
    public static Figure Heatmap(string name, string title, double[,] square, IReadOnlyList<string> labels,
        IReadOnlyList<int> boundaries, (double Min, double Max) range, string colourLabel, FigureSize? size = null, string? hoverModel = null)
    {
        var s = new FigureStyle(size);
        int n = square.GetLength(0);
        float tick = s.Paper ? 7 : n <= 40 ? 13 : n <= 80 ? 10 : 8;
        int longest = labels.Count == 0 ? 0 : labels.Max(l => l.Length);
        int labelSpace = (int)Math.Ceiling(longest * tick * 0.62 + s.L(14));
        int barSpace = s.Paper ? 72 : 140;
        range = BarRange(range);
        double pitch = s.Paper
            ? Math.Clamp((s.Size.ColumnUnits - labelSpace - barSpace - 4) / Math.Max(1, n), tick * 1.22, 24)
            : Math.Max(12, Math.Min(24, 720.0 / Math.Max(1, n)));
        int grid = (int)Math.Ceiling(n * pitch);
        int width = labelSpace + grid + barSpace;
        var plt = NewPlot(s);
        string wrapped = s.Wrap(title, width, s.Title);
        int top = s.TitleSpace(wrapped);
        int height = top + grid + labelSpace;
        plt.Layout.Fixed(new PixelPadding(labelSpace, barSpace, labelSpace, top));

        var cmap = new ScottPlot.Colormaps.Viridis();
        var hover = hoverModel is null ? null : new string?[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                if (i == j || !double.IsFinite(square[i, j])) continue;
                Cell(plt, j, n - i - 1, ColourOf(cmap, square[i, j], range), s);
                if (hover is not null) hover[i, j] = $"{labels[i]} – {labels[j]}: {Num(square[i, j])} ({hoverModel})";
            }
        ColourBar(plt, range, colourLabel, s);
        foreach (int b in boundaries)
        {
            plt.Add.Line(b, 0, b, n).LineStyle = SeparatorStyle(s);
            plt.Add.Line(0, n - b, n, n - b).LineStyle = SeparatorStyle(s);
        }
        LabelMatrixAxes(plt, labels, tick, labelSpace);
        plt.Axes.SetLimits(0, n, 0, n);
        plt.HideGrid();
        plt.Axes.Title.Label.Text = wrapped;
        plt.Axes.Title.Label.FontSize = s.Title;
        FigureHover? h = null;
        if (hover is not null) { h = new FigureHover(); h.Grids.Add(new FigureHover.Grid(0, 0, 1, 1, hover)); }
        return Render(plt, name, title, width, height, s, h);
    }


    /// <summary>A small labelled matrix (models × models) with each value written in its cell.</summary>
    public static Figure ValueMatrix(string name, string title, double[,] values, IReadOnlyList<string> labels,
        (double Min, double Max) range, string colourLabel, FigureSize? size = null)
    {
        var s = new FigureStyle(size);
        int k = values.GetLength(0);
        float tick = s.Paper ? 7 : 14, cellFont = s.Paper ? 7 : k <= 6 ? 18 : 12;
        int longest = labels.Count == 0 ? 0 : labels.Max(l => l.Length);
        int labelSpace = (int)Math.Ceiling(longest * tick * 0.62 + s.L(16));
        int barSpace = s.Paper ? 72 : 140;
        range = BarRange(range);
        double pitch = s.Paper ? Math.Clamp((s.Size.ColumnUnits - labelSpace - barSpace - 4) / k, cellFont * 3.2, 60) : Math.Max(70, Math.Min(120, 500.0 / k));
        int grid = (int)Math.Ceiling(k * pitch);
        int width = labelSpace + grid + barSpace;
        string wrapped = s.Wrap(title, width, s.Title);
        int top = s.TitleSpace(wrapped), bottom = (int)Math.Ceiling(tick * 2 + s.L(10));
        int height = top + grid + bottom;
        var plt = NewPlot(s);
        plt.Layout.Fixed(new PixelPadding(labelSpace, barSpace, bottom, top));
        var cmap = new ScottPlot.Colormaps.Viridis();
        var hover = new string?[k, k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                double v = values[i, j];
                LabelledCell(plt, i, j, k, v, double.IsFinite(v) ? Num(v) : "–", cellFont, cmap, range, s);
                hover[i, j] = $"{labels[i]} – {labels[j]}: {colourLabel} {Num(v)}";
            }
        ColourBar(plt, range, colourLabel, s);
        CellAxes(plt, labels, labels, tick);
        plt.Axes.Title.Label.Text = wrapped;
        plt.Axes.Title.Label.FontSize = s.Title;
        var h = new FigureHover();
        h.Grids.Add(new FigureHover.Grid(0, 0, 1, 1, hover));
        return Render(plt, name, title, width, height, s, h);
    }
}
