using System.Globalization;
using ScottPlot;
using SkiaSharp;
using Simile.Analyses;
using Simile.Data;

namespace Simile.Reports;

/// <summary>
/// Attention heatmaps in the house style of <see cref="Figures"/>: tokens on both axes (query rows top to bottom,
/// key columns left to right), viridis on a fixed 0–1 scale so heads compare by colour; and one PNG per layer
/// with the layer's heads in a grid.
/// </summary>
public static class AttentionFigures
{
    /// <summary>PNG pixels per logical pixel of a single-head figure (the layer grid draws them at half that).</summary>
    public const double PngScale = Figures.PngScale;

    /// <summary>One head: a tokens × tokens heatmap (row-major, row = query) as PNG bytes and its logical size.</summary>
    public static (byte[] Png, int Width, int Height) Head(string title, ReadOnlySpan<float> matrix, IReadOnlyList<string> labels)
    {
        int n = labels.Count;
        if (matrix.Length != n * n) throw new ArgumentException($"matrix has {matrix.Length} values for {n} tokens");
        var cells = new double[n, n];
        for (int q = 0; q < n; q++)
            for (int k = 0; k < n; k++) cells[q, k] = matrix[q * n + k];

        float tickSize = n <= 24 ? 13 : n <= 48 ? 10 : 8;
        int cell = (int)Math.Max(10, Math.Min(32, 520.0 / n));
        int longest = labels.Count == 0 ? 0 : labels.Max(l => l.Length);
        int labelSpace = (int)(longest * tickSize * 0.62) + 24;
        int width = n * cell + labelSpace + 150, height = n * cell + labelSpace + 80;

        var plt = new Plot();
        plt.Font.Set(Figures.FontName);
        plt.FigureBackground.Color = Colors.White;
        plt.DataBackground.Color = Colors.White;
        var (hm, bar) = Figures.ViridisHeatmap(plt, cells, "attention probability", labelSize: 13);
        hm.ManualRange = new ScottPlot.Range(0, 1);
        hm.Rectangle = new CoordinateRect(0, n, 0, n);       // cell (q, k) covers x∈[k, k+1], y∈[n-q-1, n-q]
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (double v in new[] { 0.0, 0.2, 0.4, 0.6, 0.8, 1.0 }) ticks.AddMajor(v, v.ToString("0.0", CultureInfo.InvariantCulture));
        bar.Axis.TickGenerator = ticks;

        Figures.LabelMatrixAxes(plt, labels, tickSize, labelSpace);
        plt.Axes.Bottom.Label.Text = "key (attended to)";
        plt.Axes.Bottom.Label.FontSize = 13;
        plt.Axes.Left.Label.Text = "query (attending)";
        plt.Axes.Left.Label.FontSize = 13;
        plt.Axes.SetLimits(0, n, 0, n);
        plt.HideGrid();
        plt.Title(title, 15);
        plt.ScaleFactor = PngScale;
        byte[] png = plt.GetImageBytes((int)(width * PngScale), (int)(height * PngScale), ImageFormat.Png);
        plt.Dispose();
        return (png, width, height);
    }

    /// <summary>
    /// One layer: its heads' PNGs (all the same size) drawn at logical size in a grid of <paramref name="columns"/>,
    /// under a title line. Returns PNG bytes.
    /// </summary>
    public static byte[] LayerGrid(string title, IReadOnlyList<byte[]> headPngs, int columns)
    {
        if (headPngs.Count == 0) throw new ArgumentException("no heads");
        var tiles = headPngs.Select(p => SKBitmap.Decode(p) ?? throw new InvalidOperationException("could not decode a head PNG")).ToList();
        try
        {
            int tw = (int)(tiles[0].Width / PngScale * 1.0), th = (int)(tiles[0].Height / PngScale * 1.0);
            columns = Math.Clamp(columns, 1, tiles.Count);
            int rows = (tiles.Count + columns - 1) / columns, top = 56, gap = 8;
            int width = columns * tw + (columns + 1) * gap, height = top + rows * th + (rows + 1) * gap;
            var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
            using var surface = SKSurface.Create(info);
            var canvas = surface.Canvas;
            canvas.Clear(SKColors.White);
            using var font = new SKFont(SKTypeface.FromFamilyName(Figures.FontName) ?? SKTypeface.Default, 22);
            using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            canvas.DrawText(title, width / 2f, 36, SKTextAlign.Center, font, ink);
            var sampling = new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
            for (int i = 0; i < tiles.Count; i++)
            {
                int r = i / columns, c = i % columns;
                var dest = SKRect.Create(gap + c * (tw + gap), top + gap + r * (th + gap), tw, th);
                using var image = SKImage.FromBitmap(tiles[i]);
                canvas.DrawImage(image, dest, sampling);
            }
            using var snapshot = surface.Snapshot();
            using var data = snapshot.Encode(SKEncodedImageFormat.Png, 100);
            return data.ToArray();
        }
        finally
        {
            foreach (var t in tiles) t.Dispose();
        }
    }

    /// <summary>
    /// Writes every figure of an export into <paramref name="folder"/>: <c>layer-K.png</c> (grid of the selected heads)
    /// and, when <paramref name="perHead"/>, <c>heads/layer-K-head-H.png</c>. Each file is written atomically.
    /// Returns the paths written.
    /// </summary>
    public static IReadOnlyList<string> Write(AttentionExport export, string folder, bool perHead = true, IProgress<double>? progress = null)
    {
        var labels = export.TokenLabels();
        var written = new List<string>();
        int columns = export.Heads.Count <= 4 ? export.Heads.Count : export.Heads.Count <= 9 ? 3 : 4;
        string headFolder = Path.Combine(folder, "heads");
        int total = export.Layers.Count * export.Heads.Count, done = 0;
        for (int k = 0; k < export.Layers.Count; k++)
        {
            int layer = export.Layers[k];
            // heads render independently (one plot each), so they are drawn in parallel; files are written in order
            var pngs = new byte[export.Heads.Count][];
            Parallel.For(0, export.Heads.Count, h =>
            {
                pngs[h] = Head($"{export.Model} · layer {layer} · head {export.Heads[h]}", export.Matrix(k, h), labels).Png;
                progress?.Report(Interlocked.Increment(ref done) / (double)total);
            });
            if (perHead)
                for (int h = 0; h < export.Heads.Count; h++)
                {
                    string path = Path.Combine(headFolder, $"layer-{layer}-head-{export.Heads[h]}.png");
                    var png = pngs[h];
                    AtomicFile.Write(path, s => s.Write(png));
                    written.Add(path);
                }
            string gridPath = Path.Combine(folder, $"layer-{layer}.png");
            var grid = LayerGrid($"{export.Model} · attention of layer {layer} (0-based) · rows: query tokens, columns: key tokens",
                pngs, columns);
            AtomicFile.Write(gridPath, s => s.Write(grid));
            written.Add(gridPath);
        }
        return written;
    }
}
