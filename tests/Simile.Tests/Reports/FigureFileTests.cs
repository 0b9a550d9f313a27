using System.Buffers.Binary;
using System.Globalization;
using System.Text.RegularExpressions;
using Simile.Reports;
using Simile.Tests.Cli;
using Xunit;

namespace Simile.Tests.Reports;

/// <summary>The demo's outputs at <c>--figure-size paper</c>, generated once for the figure-file tests (without GloVe).</summary>
public sealed class PaperDemoFixture : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "simile-paper-demo-" + Guid.NewGuid().ToString("N"));
    private readonly Lazy<string> _run;

    public PaperDemoFixture()
    {
        _run = new Lazy<string>(() =>
        {
            Directory.CreateDirectory(Path.Combine(Root, "cache"));
            string output = Path.Combine(Root, "out");
            var r = CliRunner.RunProcess(new Dictionary<string, string>
            {
                ["PATH"] = Path.Combine(Root, "no-bin"),
                ["SIMILE_CACHE"] = Path.Combine(Root, "cache"),
            }, 300, "demo", "--out", output, "--figure-size", "paper");
            if (r.ExitCode != 0) throw new InvalidOperationException($"demo failed ({r.ExitCode}): {r.Stderr}\n{r.Stdout}");
            return output;
        });
    }

    public string Folder => _run.Value;

    public IEnumerable<string> Files(string extension) =>
        Directory.EnumerateFiles(Folder, "*." + extension, SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal);

    public void Dispose()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, true);
    }
}

/// <summary>
/// Reads the paper figures as files, the way a typesetting program would: SVG sizes in points at one or two column
/// widths with no text under 7 pt, PNG resolution (pHYs, its CRC checked with System.IO.Hashing) at 300 dpi matching the
/// SVG, legend boxes clear of the data area and of every marker, and every MDS point labelled, no two labels overlapping.
/// </summary>
public sealed class FigureFileTests(PaperDemoFixture demo) : IClassFixture<PaperDemoFixture>
{
    private const double OneColumn = 3.3 * 72, TwoColumns = 7 * 72;

    private static double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    /// <summary>(width, height) in points of an SVG whose root has width/height in pt and a viewBox in the same units.</summary>
    private static (double W, double H) SizeInPoints(string svg, string file)
    {
        var m = Regex.Match(svg, "<svg[^>]*?width=\"([0-9.]+)pt\" height=\"([0-9.]+)pt\"[^>]*?viewBox=\"0 0 ([0-9.]+) ([0-9.]+)\"");
        Assert.True(m.Success, $"{file}: root width/height are not in pt with a viewBox");
        Assert.Equal(D(m.Groups[1].Value), D(m.Groups[3].Value));        // 1 drawing unit = 1 pt
        Assert.Equal(D(m.Groups[2].Value), D(m.Groups[4].Value));
        return (D(m.Groups[1].Value), D(m.Groups[2].Value));
    }

    [Fact]
    public void EverySvgIsOneOrTwoColumnsWideInPointsWithNoTextUnderSevenPoints()
    {
        var files = demo.Files("svg").ToList();
        Assert.True(files.Count >= 12, $"{files.Count} SVG files");
        foreach (var file in files)
        {
            string svg = File.ReadAllText(file);
            var (w, _) = SizeInPoints(svg, file);
            Assert.True(Math.Abs(w - OneColumn) <= 0.5 || Math.Abs(w - TwoColumns) <= 0.5, $"{Path.GetFileName(file)}: {w} pt wide");
            var sizes = Regex.Matches(svg, "font-size=\"([0-9.]+)\"").Select(m => D(m.Groups[1].Value)).ToList();
            Assert.NotEmpty(sizes);
            Assert.True(sizes.Min() >= 7, $"{Path.GetFileName(file)}: text of {sizes.Min()} pt");
            Assert.DoesNotMatch("<text[^>]*>\\s*-[0-9]", svg.Replace("&#x2212;", "\u2212"));   // numbers use U+2212
        }
    }

    [Fact]
    public void EveryPngRecords300DpiAndIsTheSvgsWidthAtThatResolution()
    {
        foreach (var file in demo.Files("png"))
        {
            byte[] png = File.ReadAllBytes(file);
            int width = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16));
            (uint X, uint Y, byte Unit)? phys = null;
            for (int at = 8; at + 12 <= png.Length;)
            {
                int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
                string type = System.Text.Encoding.ASCII.GetString(png, at + 4, 4);
                uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length));
                Assert.Equal(System.IO.Hashing.Crc32.HashToUInt32(png.AsSpan(at + 4, 4 + length)), crc);
                if (type == "pHYs")
                    phys = (BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8)), BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 12)), png[at + 16]);
                if (type == "IDAT") Assert.NotNull(phys);                          // pHYs must come before the image data
                at += length + 12;
            }
            Assert.NotNull(phys);
            Assert.Equal((byte)1, phys.Value.Unit);
            Assert.Equal(11811u, phys.Value.X);                                      // 300 dpi = 11,811 px/m
            Assert.Equal(11811u, phys.Value.Y);
            var (w, _) = SizeInPoints(File.ReadAllText(Path.ChangeExtension(file, ".svg")), file);
            Assert.Equal(Math.Round(w * 300 / 72), width, 0);
        }
    }

    private record struct Box(double L, double T, double R, double B)
    {
        public bool Overlaps(Box o, double tolerance = 0) => L < o.R - tolerance && o.L < R - tolerance && T < o.B - tolerance && o.T < B - tolerance;
        public bool Contains(double x, double y) => x >= L && x <= R && y >= T && y <= B;
    }

    private static Box RectOf(string element)
    {
        double A(string name) => D(Regex.Match(element, $" {name}=\"([0-9.\\-]+)\"").Groups[1].Value);
        return new Box(A("x"), A("y"), A("x") + A("width"), A("y") + A("height"));
    }

    [Fact]
    public void NoLegendBoxTouchesTheDataAreaOrAMarker()
    {
        int legends = 0;
        foreach (var file in demo.Files("svg"))
        {
            string svg = File.ReadAllText(file);
            if (svg.Contains("<g transform=\"translate(", StringComparison.Ordinal)) continue;   // composed panels: drawn legend, no box
            var boxes = Regex.Matches(svg, "<rect fill=\"none\" stroke=\"#707070\"[^>]*>").Select(m => RectOf(m.Value)).ToList();
            // The data area is the first clip path ScottPlot writes (legends clip to their own box later).
            var dataAreas = Regex.Matches(svg, "<clipPath[^>]*>\\s*<rect[^>]*>").Take(1).Select(m => RectOf(Regex.Match(m.Value, "<rect[^>]*>").Value)).ToList();
            var markers = Regex.Matches(svg, "<ellipse[^>]*cx=\"([0-9.\\-]+)\" cy=\"([0-9.\\-]+)\"").Select(m => (X: D(m.Groups[1].Value), Y: D(m.Groups[2].Value))).ToList();
            // Data markers are the ones inside the data area (a legend draws its own symbols inside its box).
            var data = markers.Where(p => dataAreas.Any(a => a.Contains(p.X, p.Y))).ToList();
            foreach (var box in boxes)
            {
                legends++;
                foreach (var area in dataAreas) Assert.False(box.Overlaps(area), $"{Path.GetFileName(file)}: legend {box} over the data area {area}");
                Assert.DoesNotContain(data, p => box.Contains(p.X, p.Y));
            }
        }
        Assert.True(legends >= 4, $"only {legends} legend boxes found");
    }

    [Fact]
    public void EveryMdsPointIsLabelledAndNoTwoLabelsOverlap()
    {
        var words = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(demo.Folder, "results.json")))
            .RootElement.GetProperty("words").EnumerateArray().Select(e => e.GetString()!).ToHashSet();
        var files = demo.Files("svg").Where(f => Path.GetFileName(f).StartsWith("layers-mds-", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, files.Count);
        foreach (var file in files)
        {
            string svg = File.ReadAllText(file);
            int panels = Regex.Matches(svg, "% of variance\\)").Count;
            Assert.True(panels >= 2, $"{panels} panels");
            var labels = new List<(string Word, Box Box)>();
            foreach (Match m in Regex.Matches(svg, "<text[^>]*transform=\"translate\\(([0-9.\\-]+) ([0-9.\\-]+)\\)\"[^>]*font-size=\"([0-9.]+)\"[^>]*x=\"([^\"]*)\" y=\"([^\"]*)\">\\s*([^<]*?)\\s*</text>"))
            {
                string word = m.Groups[6].Value;
                if (!words.Contains(word)) continue;
                double tx = D(m.Groups[1].Value), ty = D(m.Groups[2].Value), fs = D(m.Groups[3].Value);
                var xs = m.Groups[4].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(D).ToList();
                double y0 = D(m.Groups[5].Value.Split(',')[0]);
                // Glyph origins are given; the last glyph's advance measured in DejaVu Sans (SkiaSharp); ascent 0.76 em, descent 0.24 em.
                using var font = new SkiaSharp.SKFont(SkiaSharp.SKTypeface.FromFamilyName("DejaVu Sans"), (float)fs);
                labels.Add((word, new Box(tx + xs[0], ty + y0 - 0.76 * fs, tx + xs[^1] + font.MeasureText(word[^1..]), ty + y0 + 0.24 * fs)));
            }
            foreach (var w in words)
                Assert.True(labels.Count(l => l.Word == w) >= panels, $"{Path.GetFileName(file)}: '{w}' labelled {labels.Count(l => l.Word == w)} times in {panels} panels");
            for (int i = 0; i < labels.Count; i++)
                for (int j = i + 1; j < labels.Count; j++)
                    Assert.False(labels[i].Box.Overlaps(labels[j].Box, tolerance: 0.5),
                        $"{Path.GetFileName(file)}: labels '{labels[i].Word}' {labels[i].Box} and '{labels[j].Word}' {labels[j].Box} overlap");
        }
    }

    [Fact]
    public void TextAsPathsLeavesNoTextElement()
    {
        var rng = new Random(3);
        var x = Enumerable.Range(0, 50).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var y = x.Select(v => -v * 0.5 + rng.NextDouble() * 0.2).ToArray();
        var f = Figures.RsaScatter("s", "t", x, y, null, "a cosine similarity", "b cosine similarity", FigureSize.Paper.WithSvgText("paths"));
        Assert.DoesNotContain("<text", f.Svg);
        Assert.Contains("<title>a cosine similarity</title>", f.Svg);
        Assert.Matches("<path fill=\"[^\"]+\" transform=\"[^\"]+\" d=\"M", f.Svg);
        Assert.True(Math.Abs(f.PrintInches!.Value * 72 - OneColumn) <= 0.5, $"{f.PrintInches} in");
        Assert.Equal("3.3 in wide (one column)", f.PrintNote);
    }
}
