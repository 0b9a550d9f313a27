using ScottPlot;

namespace Simile.Reports;

/// <summary>Matrix figures: the word × word heatmap and the small models × models matrix with values in its cells.</summary>
public static partial class Figures
{
    /// <summary>Colour of the blank diagonal of a matrix (a word with itself, a model with itself): no value, not 0.</summary>
    internal static readonly Color DiagonalColour = Color.FromHex("#d0d0d0");

    /// <summary>
    /// A word × word matrix as a heatmap: rows top to bottom and columns left to right in the given order, the diagonal
    /// grey (no value), dark lines between categories, and the colour scale given by <paramref name="range"/> (pass the
    /// same range for every model so colours compare across figures). Signed values get the diverging map centred on 0
    /// (<see cref="CentredDiverging"/>), others viridis. With <paramref name="categories"/> a colour strip with the
    /// category names runs along the top and the left edge. Cells are vector rectangles.
    /// </summary>
    /// <param name="square">n × n values (the diagonal is not drawn).</param>
    /// <param name="boundaries">Row indices where a new category starts (excluding 0).</param>
    /// <param name="hoverModel">When given, each cell hovers as "row – column: value (model)".</param>
    /// <param name="categories">Category of each row/column in the drawn order (null: no strips).</param>
    /// <param name="signed">The values are signed similarities (diverging map) rather than non-negative distances.</param>
    public static Figure Heatmap(string name, string title, double[,] square, IReadOnlyList<string> labels,
        IReadOnlyList<int> boundaries, (double Min, double Max) range, string colourLabel, FigureSize? size = null, string? hoverModel = null,
        IReadOnlyList<string?>? categories = null, bool signed = true)
    {
        var s = new FigureStyle(size);
        int n = square.GetLength(0);
        float tick = s.Paper ? 7 : n <= 40 ? 13 : n <= 80 ? 10 : 8;
        double longest = labels.Count == 0 ? 0 : labels.Max(l => TextWidth(l, tick));
        int labelSpace = (int)Math.Ceiling(longest + s.L(12));
        int barSpace = s.Paper ? 74 : 150;
        bool strips = categories is not null && categories.Any(c => c is not null);
        double strip = strips ? (s.Paper ? 10 : 18) : 0, gap = strips ? s.L(2) : 0;
        range = BarRange(range);
        double pitch;
        int width;
        if (s.Paper)
        {
            double fixedPart = labelSpace + strip + gap + barSpace;
            double minimum = fixedPart + n * tick * 1.22;
            width = s.Width(0, minimum);
            pitch = (width - fixedPart) / Math.Max(1, n);
        }
        else
        {
            pitch = Math.Max(12, Math.Min(24, 720.0 / Math.Max(1, n)));
            width = labelSpace + (int)Math.Ceiling(n * pitch + strip + gap) + barSpace;
        }
        double grid = n * pitch;
        var plt = NewPlot(s);
        string wrapped = s.TitleText(title, width);
        int top = s.TitleSpace(wrapped);
        int height = (int)Math.Ceiling(top + strip + gap + grid + labelSpace);
        plt.Layout.Fixed(new PixelPadding(labelSpace, width - labelSpace - (float)(strip + gap + grid), labelSpace, top));
        double stripUnits = strip / pitch, gapUnits = gap / pitch;

        var cmap = ColoursFor(range, signed);
        var hover = hoverModel is null ? null : new string?[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                if (i == j) { Cell(plt, j, n - i - 1, DiagonalColour, s); continue; }
                if (!double.IsFinite(square[i, j])) continue;
                Cell(plt, j, n - i - 1, ColourOf(cmap, square[i, j], range), s);
                if (hover is not null) hover[i, j] = $"{labels[i]} – {labels[j]}: {Num(square[i, j])} ({hoverModel})";
            }
        ColourBar(plt, range, colourLabel, s, cmap);
        foreach (int b in boundaries)
        {
            plt.Add.Line(b, 0, b, n).LineStyle = SeparatorStyle(s);
            plt.Add.Line(0, n - b, n, n - b).LineStyle = SeparatorStyle(s);
        }
        if (strips) CategoryStrips(plt, s, categories!, n, stripUnits, gapUnits, pitch);
        LabelMatrixAxes(plt, labels, tick, labelSpace);
        plt.Axes.SetLimits(-(stripUnits + gapUnits), n, 0, n + stripUnits + gapUnits);
        plt.HideGrid();
        plt.Axes.Title.Label.Text = wrapped;
        plt.Axes.Title.Label.FontSize = s.Title;
        FigureHover? h = null;
        if (hover is not null) { h = new FigureHover(); h.Grids.Add(new FigureHover.Grid(0, 0, 1, 1, hover)); }
        return Render(plt, name, title, width, height, s, h);
    }

    /// <summary>
    /// Category strips of an n × n heatmap (cells on [0, n]²): one coloured block per run of a category along the top
    /// (above the columns) and the left edge (beside the rows), each with the category's name written in it (rotated on
    /// the left), shortened with "…" where the block is too short.
    /// </summary>
    private static void CategoryStrips(Plot plt, FigureStyle s, IReadOnlyList<string?> categories, int n, double thick, double gap, double pitch)
    {
        var names = categories.Where(c => c is not null).Select(c => c!).Distinct().ToList();
        float font = s.Paper ? 7 : 11;
        int start = 0;
        for (int k = 1; k <= n; k++)
        {
            if (k < n && categories[k] == categories[start]) continue;
            if (categories[start] is { } cat)
            {
                var colour = Color.FromHex(LayerFigures.Palette[names.IndexOf(cat) % LayerFigures.Palette.Length]);
                var textColour = Luminance(colour) < 0.4 ? Colors.White : Colors.Black;
                // Top strip over columns start..k, left strip beside rows start..k (row i covers y ∈ [n−i−1, n−i]).
                var topRect = plt.Add.Rectangle(start, k, n + gap, n + gap + thick);
                topRect.FillStyle.Color = colour; topRect.LineStyle.Width = 0;
                var leftRect = plt.Add.Rectangle(-gap - thick, -gap, n - k, n - start);
                leftRect.FillStyle.Color = colour; leftRect.LineStyle.Width = 0;
                string label = Fit(cat, (k - start) * pitch - 4, font);
                if (label.Length > 0)
                {
                    var t = plt.Add.Text(label, (start + k) / 2.0, n + gap + thick / 2);
                    t.Alignment = Alignment.MiddleCenter; t.LabelFontSize = font; t.LabelFontName = FontName; t.LabelFontColor = textColour;
                    var l = plt.Add.Text(label, -gap - thick / 2, n - (start + k) / 2.0);
                    l.Alignment = Alignment.MiddleCenter; l.LabelRotation = -90; l.LabelFontSize = font; l.LabelFontName = FontName; l.LabelFontColor = textColour;
                }
            }
            start = k;
        }
    }

    /// <summary><paramref name="text"/>, or its longest prefix + "…" that fits <paramref name="width"/> at <paramref name="font"/> ("" if none).</summary>
    internal static string Fit(string text, double width, float font)
    {
        if (TextWidth(text, font) <= width) return text;
        for (int len = text.Length - 1; len >= 2; len--)
            if (TextWidth(text[..len] + "…", font) <= width) return text[..len] + "…";
        return "";
    }

    /// <summary>
    /// A small labelled matrix (models × models) with each value written in its cell and, when given, its interval
    /// below it. With <paramref name="blankDiagonal"/> the diagonal (a model with itself, 1 by construction) is grey and
    /// empty, and the colour range should come from the off-diagonal values.
    /// </summary>
    public static Figure ValueMatrix(string name, string title, double[,] values, IReadOnlyList<string> labels,
        (double Min, double Max) range, string colourLabel, FigureSize? size = null,
        double[,]? lower = null, double[,]? upper = null, bool blankDiagonal = false, bool signed = false)
    {
        var s = new FigureStyle(size);
        int k = values.GetLength(0);
        float tick = s.Paper ? 7 : 14, cellFont = s.Paper ? 7 : k <= 6 ? 16 : 12;
        double longest = labels.Count == 0 ? 0 : labels.Max(l => TextWidth(l, tick));
        int labelSpace = (int)Math.Ceiling(longest + s.L(16) + 8);
        int barSpace = s.Paper ? 74 : 150;
        range = BarRange(range);
        string format = s.Paper ? ".00" : "0.000", intervalFormat = s.Paper ? ".00" : "0.00";
        string Text(int i, int j) => blankDiagonal && i == j ? "" : !double.IsFinite(values[i, j]) ? "–"
            : Num(values[i, j], format) + (lower is not null && upper is not null && double.IsFinite(lower[i, j])
                ? $"\n[{Num(lower[i, j], intervalFormat)}, {Num(upper[i, j], intervalFormat)}]" : "");
        double widest = Enumerable.Range(0, k * k).Max(c => Text(c / k, c % k).Split('\n').Max(line => TextWidth(line, cellFont)));
        bool twoLines = lower is not null;
        double need = Math.Max(widest + (s.Paper ? 5 : 14), cellFont * (twoLines ? 3.4 : 2.2));
        double pitch = s.Paper ? need : Math.Max(Math.Max(70, need), Math.Min(130, 500.0 / k));
        int width = s.Paper ? s.Width(0, labelSpace + k * pitch + barSpace) : labelSpace + (int)Math.Ceiling(k * pitch) + barSpace;
        if (s.Paper) pitch = Math.Min((width - labelSpace - barSpace) / (double)k, need * 1.6);
        int grid = (int)Math.Ceiling(k * pitch);
        string wrapped = s.TitleText(title, width);
        int top = s.TitleSpace(wrapped), bottom = (int)Math.Ceiling(tick * 2 + s.L(10));
        int height = top + grid + bottom;
        var plt = NewPlot(s);
        plt.Layout.Fixed(new PixelPadding(labelSpace, width - labelSpace - grid, bottom, top));
        var cmap = ColoursFor(range, signed);
        var hover = new string?[k, k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                if (blankDiagonal && i == j) { Cell(plt, j, k - i - 1, DiagonalColour, s); continue; }
                double v = values[i, j];
                LabelledCell(plt, i, j, k, v, Text(i, j), cellFont, cmap, range, s);
                hover[i, j] = $"{labels[i]} – {labels[j]}: {colourLabel} {Num(v)}" +
                              (lower is not null && upper is not null && double.IsFinite(lower[i, j]) ? $", 95% interval [{Num(lower[i, j])}, {Num(upper[i, j])}]" : "");
            }
        ColourBar(plt, range, colourLabel, s, cmap);
        CellAxes(plt, labels, labels, tick);
        plt.Axes.Title.Label.Text = wrapped;
        plt.Axes.Title.Label.FontSize = s.Title;
        var h = new FigureHover();
        h.Grids.Add(new FigureHover.Grid(0, 0, 1, 1, hover));
        return Render(plt, name, title, width, height, s, h);
    }
}
