using System.Globalization;
using System.Text;
using System.Text.Json;
using ScottPlot;
using Simile.Data;

namespace Simile.Reports;

/// <summary>
/// What the report shows when the pointer is over a figure: text per heatmap cell (grids in data coordinates) and per
/// point. Serialised with the figure's data rectangle and axis limits, so the page's script can map a pointer position
/// on the image back to data coordinates (an invisible hit layer over the PNG).
/// </summary>
public sealed class FigureHover
{
    /// <summary>A grid of cells: cell (r, c) covers x∈[X0 + c·W, X0 + (c+1)·W], y∈[Y0 + (rows−1−r)·H, Y0 + (rows−r)·H]; null text = no hover.</summary>
    public sealed record Grid(double X0, double Y0, double CellWidth, double CellHeight, string?[,] Text);

    public List<Grid> Grids { get; } = [];
    public List<(double X, double Y, string Text)> Points { get; } = [];

    public bool IsEmpty => Grids.Count == 0 && Points.Count == 0;

    /// <summary>JSON: {"w","h","box":[left,top,right,bottom] (logical px),"lim":[xmin,xmax,ymin,ymax],"grids":[…],"points":{"x","y","t"}}.</summary>
    internal string ToJson(int width, int height, PixelRect box, AxisLimits lim)
    {
        string json = JsonOutput.Text(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("w", width);
            w.WriteNumber("h", height);
            w.WriteStartArray("box");
            foreach (float v in new[] { box.Left, box.Top, box.Right, box.Bottom }) w.WriteNumberValue(Math.Round(v, 2));
            w.WriteEndArray();
            w.WriteStartArray("lim");
            foreach (double v in new[] { lim.Left, lim.Right, lim.Bottom, lim.Top }) w.WriteNumberValue(R(v));
            w.WriteEndArray();
            w.WriteStartArray("grids");
            foreach (var g in Grids)
            {
                w.WriteStartObject();
                w.WriteNumber("x0", R(g.X0)); w.WriteNumber("y0", R(g.Y0));
                w.WriteNumber("cw", R(g.CellWidth)); w.WriteNumber("ch", R(g.CellHeight));
                w.WriteNumber("rows", g.Text.GetLength(0)); w.WriteNumber("cols", g.Text.GetLength(1));
                w.WriteStartArray("t");
                for (int r = 0; r < g.Text.GetLength(0); r++)
                    for (int c = 0; c < g.Text.GetLength(1); c++)
                        if (g.Text[r, c] is { } s) w.WriteStringValue(s); else w.WriteNullValue();
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("points");
            w.WriteStartArray("x"); foreach (var p in Points) w.WriteNumberValue(R(p.X)); w.WriteEndArray();
            w.WriteStartArray("y"); foreach (var p in Points) w.WriteNumberValue(R(p.Y)); w.WriteEndArray();
            w.WriteStartArray("t"); foreach (var p in Points) w.WriteStringValue(p.Text); w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }, indented: false, relaxedEscaping: true);
        // Inside <script type="application/json">: "</" must not appear, "<\/" is the same JSON string.
        return json.Replace("</", "<\\/");
    }

    private static double R(double v) => double.IsFinite(v) ? double.Parse(v.ToString("G7", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : 0;
}
