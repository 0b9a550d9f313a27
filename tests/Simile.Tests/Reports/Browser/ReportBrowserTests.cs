using System.Globalization;
using System.Text.Json;
using Simile.Tests.Cli;
using Xunit;

namespace Simile.Tests.Reports.Browser;

/// <summary>A fact that is skipped, with the reason, when Chromium is absent outside CI (with CI=true it runs, and fails).</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        bool ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (Chromium.Executable() is null && !ci) Skip = "Chromium is not installed (apt-get install -y chromium); browser tests skipped outside CI";
    }
}

/// <summary>The demo's outputs, generated once for the browser tests (without GloVe: no npm on PATH, empty cache).</summary>
public sealed class DemoReportFixture : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "simile-browser-" + Guid.NewGuid().ToString("N"));
    public string Out => Path.Combine(Root, "out");
    private readonly Lazy<string> _run;

    public DemoReportFixture()
    {
        _run = new Lazy<string>(() =>
        {
            Directory.CreateDirectory(Path.Combine(Root, "cache"));
            var r = CliRunner.RunProcess(new Dictionary<string, string>
            {
                ["PATH"] = Path.Combine(Root, "no-bin"),
                ["SIMILE_CACHE"] = Path.Combine(Root, "cache"),
            }, 300, "demo", "--out", Out);
            if (r.ExitCode != 0) throw new InvalidOperationException($"demo failed ({r.ExitCode}): {r.Stderr}\n{r.Stdout}");
            return Out;
        });
    }

    /// <summary>Runs the demo on first use; returns its output folder.</summary>
    public string Folder => _run.Value;

    public void Dispose()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, true);
    }
}

/// <summary>
/// The demo report in a real headless Chromium: no console errors, no request leaves the page's own files, every image
/// loads, hover shows the values of the CSVs and results.json, nothing overflows a 390 px phone screen, and heatmap cells
/// sit on their labels in the SVG files.
/// </summary>
public sealed class ReportBrowserTests(DemoReportFixture demo) : IClassFixture<DemoReportFixture>
{
    private static string Url(string path) => new Uri(path).AbsoluteUri;

    private static Chromium Open(string url, int width = 1280, int height = 900, bool mobile = false)
    {
        var b = Chromium.Launch();
        try
        {
            foreach (var domain in new[] { "Page.enable", "Runtime.enable", "Log.enable", "Network.enable" }) b.Send(domain);
            b.Send("Emulation.setDeviceMetricsOverride", new { width, height, deviceScaleFactor = 1, mobile });
            b.Navigate(url);
            b.Eval("Promise.all([...document.images].map(i => i.decode().catch(() => null)))");
            return b;
        }
        catch { b.Dispose(); throw; }
    }

    [ChromiumFact]
    public void LoadsOfflineWithoutErrorsAndEveryImageShows()
    {
        string page = Path.Combine(demo.Folder, "report.html");
        using var b = Open(Url(page));
        Thread.Sleep(300);
        var errors = new List<string>();
        var requests = new List<string>();
        foreach (var (method, p) in b.Events)
        {
            if (method == "Runtime.consoleAPICalled" && p.GetProperty("type").GetString() is "error" or "assert") errors.Add(p.ToString());
            if (method == "Runtime.exceptionThrown") errors.Add(p.ToString());
            if (method == "Log.entryAdded" && p.GetProperty("entry").GetProperty("level").GetString() == "error") errors.Add(p.ToString());
            if (method == "Network.requestWillBeSent") requests.Add(p.GetProperty("request").GetProperty("url").GetString()!);
        }
        Assert.Empty(errors);
        Assert.NotEmpty(requests);
        Assert.All(requests, u => Assert.True(u.StartsWith("file:", StringComparison.Ordinal) || u.StartsWith("data:", StringComparison.Ordinal), "external request: " + u));
        int images = b.Eval("document.images.length").GetInt32();
        Assert.True(images >= 10, $"only {images} images");
        Assert.Equal(0, b.Eval("[...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).length").GetInt32());
        Assert.Equal(0, b.Eval("document.querySelectorAll('[src^=\"http\"], [href^=\"http\"], link[rel=stylesheet], script[src]').length").GetInt32());
        // The table of contents points at headings that exist; Part 1 and Part 2 each have their own settings.
        Assert.Equal(0, b.Eval("[...document.querySelectorAll('nav.toc a')].filter(a => !document.querySelector(a.getAttribute('href'))).length").GetInt32());
        var headings = b.Eval("[...document.querySelectorAll('h1, h2')].map(h => h.textContent)").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(headings.Count, headings.Distinct().Count());
        int part1 = headings.IndexOf("Part 1: one vector per word"), part2 = headings.IndexOf("Part 2: through the layers");
        Assert.True(part1 >= 0 && part2 > part1, string.Join(" | ", headings));
        int settings1 = headings.IndexOf("Settings"), settings2 = headings.IndexOf("Layers: settings");
        Assert.True(settings1 > part1 && settings1 < part2 && settings2 > part2, string.Join(" | ", headings));
        // Links to part 2's files point into layers/ and exist.
        var links = b.Eval("[...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')).filter(h => !h.startsWith('#'))")
            .EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(links, l => l.StartsWith("layers/layers-", StringComparison.Ordinal));
        foreach (var l in links) Assert.True(File.Exists(Path.Combine(demo.Folder, l)), "broken link " + l);
    }

    [ChromiumFact]
    public void NothingOverflowsAPhoneScreen()
    {
        using var b = Open(Url(Path.Combine(demo.Folder, "report.html")), width: 390, height: 844, mobile: true);
        // On a phone a too-wide page also widens the layout viewport (window.innerWidth), so compare with the screen's 390 px.
        int viewport = b.Eval("window.innerWidth").GetInt32();
        int scroll = b.Eval("document.scrollingElement.scrollWidth").GetInt32();
        var wide = b.Eval("[...document.body.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > 390.5 && !e.closest('table')).slice(0, 5).map(e => e.tagName + '.' + e.className)");
        Assert.True(scroll <= 390 && viewport == 390, $"page is {scroll} px wide (viewport {viewport} px) on a 390 px screen; too wide: {wide}");
        // Wide tables scroll inside their own box instead.
        Assert.True(b.Eval("[...document.querySelectorAll('table')].some(t => t.scrollWidth > t.clientWidth)").GetBoolean());
        Assert.Equal(0, b.Eval("[...document.images].filter(i => i.getBoundingClientRect().right > window.innerWidth + 0.5).length").GetInt32());
    }

    [ChromiumFact]
    public void HoverShowsTheValuesOfTheOutputFiles()
    {
        string folder = demo.Folder;
        using var b = Open(Url(Path.Combine(folder, "report.html")));
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "results.json")));
        var words = results.RootElement.GetProperty("words").EnumerateArray().Select(e => e.GetString()!).ToList();
        var cats = results.RootElement.GetProperty("categories").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal("layers/results.json", results.RootElement.GetProperty("part2_results").GetString());
        // Heatmap rows/columns: words grouped by category in order of first appearance (stable).
        var catOrder = cats.Distinct().ToList();
        var order = Enumerable.Range(0, words.Count).OrderBy(i => catOrder.IndexOf(cats[i])).ThenBy(i => i).ToList();
        var minilm = ReadCsv(Path.Combine(folder, "similarity-minilm.csv"));
        var arctic = ReadCsv(Path.Combine(folder, "similarity-arctic-xs.csv"));
        int sofa = words.IndexOf("sofa"), couch = words.IndexOf("couch");
        int n = words.Count;

        // A word × word heatmap cell.
        string text = HoverAt(b, "similarity-minilm", order.IndexOf(couch) + 0.5, n - order.IndexOf(sofa) - 0.5);
        Assert.Equal($"sofa – couch: {Num(minilm[(sofa, couch)])} (minilm)", text);

        // A scatter point: the pair at (minilm, arctic-xs).
        text = HoverAt(b, "rsa-minilm-vs-arctic-xs", minilm[(sofa, couch)], arctic[(sofa, couch)]);
        Assert.Equal($"sofa – couch: minilm {Num(minilm[(sofa, couch)])}, arctic-xs {Num(arctic[(sofa, couch)])}", text);

        // A layer-grid cell: row 3 of minilm, column 4 of arctic-xs.
        using var layers = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "layers", "results.json")));
        var grid = layers.RootElement.GetProperty("across").GetProperty("minilm|arctic-xs");
        int rows = grid.GetArrayLength();
        double r34 = grid[4][5].GetDouble();      // representations: token, 0, 1, … → layer 3 is index 4, layer 4 index 5
        text = HoverAt(b, "layers-across-minilm-arctic-xs", 5 + 0.5, rows - 4 - 0.5);
        Assert.Equal($"minilm 3 – arctic-xs 4: r = {Num(r34)}", text);

        // Moving off the figure hides the tip.
        b.Send("Input.dispatchMouseEvent", new { type = "mouseMoved", x = 2, y = 2 });
        Assert.Equal("none", b.Eval("getComputedStyle(document.getElementById('tip')).display").GetString());
    }

    [ChromiumFact]
    public void HeatmapCellsSitOnTheirLabelsInTheSvg()
    {
        string folder = demo.Folder;
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "results.json")));
        var words = results.RootElement.GetProperty("words").EnumerateArray().Select(e => e.GetString()!).ToList();
        using var layers = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "layers", "results.json")));
        var reps = layers.RootElement.GetProperty("representations").EnumerateArray().Select(e => e.GetString()!).ToList();
        foreach (var (file, labels) in new[]
                 {
                     ("similarity-minilm.svg", words), ("models-rsa.svg", new List<string> { "minilm", "arctic-xs" }),
                     (Path.Combine("layers", "layers-within-minilm.svg"), reps), (Path.Combine("layers", "layers-across-minilm-arctic-xs.svg"), reps),
                 })
        {
            using var b = Open(Url(Path.Combine(folder, file)));
            var r = b.Eval(AlignmentScript(labels));
            var cellX = r.GetProperty("cellX").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var cellY = r.GetProperty("cellY").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var colX = r.GetProperty("colX").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var rowY = r.GetProperty("rowY").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.True(cellX.Length == labels.Count && cellY.Length == labels.Count, $"{file}: {cellX.Length}×{cellY.Length} cell positions for {labels.Count} labels");
            Assert.True(colX.Length == labels.Count && rowY.Length == labels.Count, $"{file}: {colX.Length} column and {rowY.Length} row labels for {labels.Count}");
            for (int i = 0; i < labels.Count; i++)
            {
                Assert.True(Math.Abs(cellX[i] - colX[i]) <= 1, $"{file}: column {labels[i]} label at x={colX[i]:0.00}, cells at {cellX[i]:0.00}");
                Assert.True(Math.Abs(cellY[i] - rowY[i]) <= 1, $"{file}: row {labels[i]} label at y={rowY[i]:0.00}, cells at {cellY[i]:0.00}");
            }
        }
    }

    [ChromiumFact]
    public void PaperSizeHeatmapsAlsoSitOnTheirLabels()
    {
        string dir = Path.Combine(Path.GetTempPath(), "simile-paper-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var rng = new Random(2);
            var words = Enumerable.Range(0, 12).Select(i => "word" + new string('x', i % 5) + i).ToList();
            var square = new double[12, 12];
            for (int i = 0; i < 12; i++) for (int j = 0; j <= i; j++) square[i, j] = square[j, i] = i == j ? 1 : rng.NextDouble() * 1.2 - 0.2;
            var heat = Simile.Reports.Figures.Heatmap("h", "paper heatmap", square, words, [4, 8], (-0.2, 1.0), "cosine", Simile.Reports.FigureSize.Paper);
            var reps = new List<string> { "token", "0", "1", "2", "3", "final" };
            var values = Enumerable.Range(0, 36).Select(k => 0.5 + 0.5 * rng.NextDouble()).ToArray();
            var grid = new Simile.Analyses.Layers.RsaGrid("a", "b", reps, reps, false, values, 2, 3, values[2 * 6 + 3], 0, 0, double.NaN, [], []);
            var layer = Simile.Reports.LayerFigures.GridHeatmap("g", "paper grid", grid, Simile.Reports.FigureSize.Paper);
            foreach (var (f, labels) in new[] { (heat, words), (layer, reps) })
            {
                string file = Path.Combine(dir, f.Name + ".svg");
                File.WriteAllText(file, f.Svg);
                using var b = Open(Url(file));
                var r = b.Eval(AlignmentScript(labels));
                foreach (var (cells, marks) in new[] { ("cellX", "colX"), ("cellY", "rowY") })
                {
                    var c = r.GetProperty(cells).EnumerateArray().Select(e => e.GetDouble()).ToArray();
                    var m = r.GetProperty(marks).EnumerateArray().Select(e => e.GetDouble()).ToArray();
                    Assert.Equal(labels.Count, c.Length);
                    Assert.Equal(labels.Count, m.Length);
                    for (int i = 0; i < labels.Count; i++) Assert.True(Math.Abs(c[i] - m[i]) <= 1, $"{f.Name} {marks} {labels[i]}: {m[i]:0.00} vs cells {c[i]:0.00}");
                }
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    [ChromiumFact]
    public void FindingsOpenThePageWithIntervals()
    {
        using var b = Open(Url(Path.Combine(demo.Folder, "report.html")));
        var headings = b.Eval("[...document.querySelectorAll('h1, h2')].map(h => h.textContent)").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal("Findings", headings[1]);                                  // right after the page title
        var items = b.Eval("[...document.querySelectorAll('ul.findings > li')].map(l => l.textContent)").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(items, i => i.StartsWith("RSA between minilm and arctic-xs: r = ", StringComparison.Ordinal) && i.Contains('[') && i.Contains("p ≤ 0.000"));
        Assert.Contains(items, i => i.StartsWith("Through the layers:", StringComparison.Ordinal) && i.Contains("Best-matching representations of minilm and arctic-xs"));
        // The findings are moved, not repeated: part 2 has no second findings list.
        Assert.Equal(1, b.Eval("document.querySelectorAll('ul.findings').length").GetInt32());
        // No local path of the machine that wrote the report.
        string html = File.ReadAllText(Path.Combine(demo.Folder, "report.html"));
        Assert.DoesNotContain(demo.Root, html);
        Assert.DoesNotContain(Path.GetTempPath(), html);
    }

    [ChromiumFact]
    public void OnAPhoneTablesThatHideColumnsSaySo()
    {
        using var b = Open(Url(Path.Combine(demo.Folder, "report.html")), width: 390, height: 844, mobile: true);
        var r = b.Eval("[...document.querySelectorAll('table')].map(t => ({ wide: t.scrollWidth > t.clientWidth + 1, " +
                       "cue: !!(t.previousElementSibling && t.previousElementSibling.classList.contains('table-cue') " +
                       "&& getComputedStyle(t.previousElementSibling).display !== 'none') }))")
            .EnumerateArray().Select(e => (Wide: e.GetProperty("wide").GetBoolean(), Cue: e.GetProperty("cue").GetBoolean())).ToList();
        Assert.True(r.Count(x => x.Wide) >= 4, $"{r.Count(x => x.Wide)} of {r.Count} tables cut on a phone");
        Assert.All(r, x => Assert.Equal(x.Wide, x.Cue));
        // On a desktop fewer tables are cut, and only those show the cue.
        using var d = Open(Url(Path.Combine(demo.Folder, "report.html")), width: 1400);
        int cut = d.Eval("[...document.querySelectorAll('table')].filter(t => t.scrollWidth > t.clientWidth + 1).length").GetInt32();
        Assert.True(cut < r.Count(x => x.Wide));
        Assert.Equal(cut, d.Eval("[...document.querySelectorAll('.table-cue')].filter(c => getComputedStyle(c).display !== 'none').length").GetInt32());
    }

    [ChromiumFact]
    public void ZoomFitsTheWindowAndTheTipShowsAboveIt()
    {
        using var b = Open(Url(Path.Combine(demo.Folder, "report.html")), width: 1400, height: 900);
        b.Eval("document.getElementById('fig-similarity-minilm').scrollIntoView({block: 'center'})");
        Thread.Sleep(100);
        var c = b.Eval("(() => { const r = document.querySelector('#fig-similarity-minilm img').getBoundingClientRect(); return { x: r.left + r.width / 2, y: r.top + r.height / 2 }; })()");
        foreach (var type in new[] { "mousePressed", "mouseReleased" })
            b.Send("Input.dispatchMouseEvent", new { type, x = c.GetProperty("x").GetDouble(), y = c.GetProperty("y").GetDouble(), button = "left", clickCount = 1 });
        Thread.Sleep(200);
        var z = b.Eval("(() => { const i = document.querySelector('.zoom img'); const r = i.getBoundingClientRect(); return { l: r.left, t: r.top, r: r.right, b: r.bottom, w: innerWidth, h: innerHeight }; })()");
        Assert.True(z.GetProperty("l").GetDouble() >= -0.5 && z.GetProperty("t").GetDouble() >= -0.5
            && z.GetProperty("r").GetDouble() <= z.GetProperty("w").GetDouble() + 0.5 && z.GetProperty("b").GetDouble() <= z.GetProperty("h").GetDouble() + 0.5,
            "zoomed image does not fit the window: " + z);
        // Hover on the enlarged image: the tip shows (a cell value) and sits above the overlay.
        var p = b.Eval("(() => { const r = document.querySelector('.zoom img').getBoundingClientRect(); return { x: r.left + r.width * 0.3, y: r.top + r.height * 0.65 }; })()");
        b.Send("Input.dispatchMouseEvent", new { type = "mouseMoved", x = p.GetProperty("x").GetDouble(), y = p.GetProperty("y").GetDouble() });
        Thread.Sleep(80);
        Assert.Equal("block", b.Eval("getComputedStyle(document.getElementById('tip')).display").GetString());
        Assert.Contains("(minilm)", b.Eval("document.getElementById('tip').textContent").GetString());
        int tipZ = int.Parse(b.Eval("getComputedStyle(document.getElementById('tip')).zIndex").GetString()!, CultureInfo.InvariantCulture);
        int zoomZ = int.Parse(b.Eval("getComputedStyle(document.querySelector('.zoom')).zIndex").GetString()!, CultureInfo.InvariantCulture);
        Assert.True(tipZ > zoomZ, $"tip z-index {tipZ}, overlay {zoomZ}");
    }

    [ChromiumFact]
    public void SelectivityHoverShowsTheValuesOfResultsJsonAtItsMarkers()
    {
        string folder = demo.Folder;
        using var layers = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "layers", "results.json")));
        var sel = layers.RootElement.GetProperty("selectivity").GetProperty("minilm").GetProperty("fruit")[0];
        string expected = $"fruit, minilm, token: {Num(sel.GetProperty("value").GetDouble())} " +
                          $"[{Num(sel.GetProperty("ci95")[0].GetDouble())}, {Num(sel.GetProperty("ci95")[1].GetDouble())}]";
        using var b = Open(Url(Path.Combine(folder, "report.html")));
        b.Eval("document.getElementById('fig-layers-selectivity').scrollIntoView({block: 'center'})");
        Thread.Sleep(100);
        // The hover point with that text, in figure units (y up) and on the screen.
        var pt = b.Eval("(() => { const fig = document.getElementById('fig-layers-selectivity'), img = fig.querySelector('img');" +
            "const d = JSON.parse(fig.querySelector('script.hover-data').textContent), i = d.points.t.indexOf(" + JsonSerializer.Serialize(expected) + ");" +
            "if (i < 0) return null; const r = img.getBoundingClientRect(), k = r.width / d.w;" +
            "return { fx: d.points.x[i], fy: d.h - d.points.y[i], x: r.left + d.points.x[i] * k, y: r.top + (d.h - d.points.y[i]) * k }; })()");
        Assert.True(pt.ValueKind == JsonValueKind.Object, "no hover point with text " + expected);
        b.Send("Input.dispatchMouseEvent", new { type = "mouseMoved", x = pt.GetProperty("x").GetDouble(), y = pt.GetProperty("y").GetDouble() });
        Thread.Sleep(60);
        Assert.Equal(expected, b.Eval("document.getElementById('tip').textContent").GetString());
        // A marker of the SVG (drawn in the same figure units) sits at that point.
        using var svg = Open(Url(Path.Combine(folder, "layers", "layers-selectivity.svg")));
        double fx = pt.GetProperty("fx").GetDouble(), fy = pt.GetProperty("fy").GetDouble();
        double near = svg.Eval("(() => { const s = document.querySelector('svg'), box = s.getBoundingClientRect(), scale = box.width / s.viewBox.baseVal.width;" +
            "return Math.min(...[...document.querySelectorAll('ellipse')].map(e => { const r = e.getBoundingClientRect();" +
            "const cx = (r.left + r.width / 2 - box.left) / scale, cy = (r.top + r.height / 2 - box.top) / scale;" +
            $"return Math.hypot(cx - {Inv(fx)}, cy - {Inv(fy)}); }})); }})()").GetDouble();
        Assert.True(near < 1.0, $"no marker within 1 unit of the hover point ({fx:0.0}, {fy:0.0}): nearest {near:0.00}");
    }

    /// <summary>
    /// In the SVG DOM: the centres of the heatmap's cells (the most common filled rectangle size; distinct columns left to
    /// right and rows top to bottom) and the anchor points of the tick labels (the origin of each text's transform, in screen
    /// coordinates) — column labels below the cells, row labels to their left — in label order.
    /// </summary>
    private static string AlignmentScript(IReadOnlyList<string> labels) => $$"""
        (() => {
          const labels = {{JsonSerializer.Serialize(labels)}};
          const rects = [...document.querySelectorAll('rect')].filter(r => { const f = (r.getAttribute('fill') || '').toLowerCase();
            return f.startsWith('#') && f !== '#ffffff' && f !== '#fff'; }).map(r => r.getBoundingClientRect());
          const key = r => Math.round(r.width * 100) + 'x' + Math.round(r.height * 100);
          const counts = {}; rects.forEach(r => counts[key(r)] = (counts[key(r)] || 0) + 1);
          const common = Object.keys(counts).sort((a, b) => counts[b] - counts[a])[0];
          const cells = rects.filter(r => key(r) === common);
          const distinct = v => v.sort((a, b) => a - b).filter((x, i, a) => i === 0 || x - a[i - 1] > 0.5);
          const cellX = distinct(cells.map(r => r.left + r.width / 2)), cellY = distinct(cells.map(r => r.top + r.height / 2));
          const left = Math.min(...cells.map(r => r.left)), bottom = Math.max(...cells.map(r => r.bottom));
          const anchor = t => { const m = t.getScreenCTM(); return { x: m.e, y: m.f }; };
          // Row labels are unrotated (the category strips write their names rotated beside the rows); column labels rotated.
          const texts = [...document.querySelectorAll('text')].map(t => ({ s: t.textContent.trim(), a: anchor(t), rotated: Math.abs(t.getScreenCTM().b) > 1e-6 }));
          const colX = [], rowY = [];
          for (const l of labels) {
            const c = texts.find(t => t.s === l && t.a.y > bottom); if (c) colX.push(c.a.x);
            const r = texts.find(t => t.s === l && t.a.x < left && !t.rotated); if (r) rowY.push(r.a.y);
          }
          return { cellX, cellY, colX, rowY };
        })()
        """;

    /// <summary>Moves the pointer over data point (x, y) of a figure in the page and returns the tip's text.</summary>
    private static string HoverAt(Chromium b, string figure, double x, double y)
    {
        b.Eval($"document.getElementById('fig-{figure}').scrollIntoView({{block: 'center'}})");
        Thread.Sleep(100);
        // The figure's data rectangle and limits (from its render) map data coordinates to the image's pixels.
        var p = b.Eval($$"""
            (() => {
              const fig = document.getElementById('fig-{{figure}}'), img = fig.querySelector('img');
              const d = JSON.parse(fig.querySelector('script.hover-data').textContent), r = img.getBoundingClientRect(), k = r.width / d.w;
              const fx = d.box[0] + ({{Inv(x)}} - d.lim[0]) / (d.lim[1] - d.lim[0]) * (d.box[2] - d.box[0]);
              const fy = d.box[1] + (d.lim[3] - {{Inv(y)}}) / (d.lim[3] - d.lim[2]) * (d.box[3] - d.box[1]);
              return { x: r.left + fx * k, y: r.top + fy * k };
            })()
            """);
        b.Send("Input.dispatchMouseEvent", new { type = "mouseMoved", x = p.GetProperty("x").GetDouble(), y = p.GetProperty("y").GetDouble() });
        Thread.Sleep(50);
        Assert.Equal("block", b.Eval("getComputedStyle(document.getElementById('tip')).display").GetString());
        return b.Eval("document.getElementById('tip').textContent").GetString()!;
    }

    private static string Inv(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Three decimals with a real minus sign, as the report writes values.</summary>
    private static string Num(double v) => v.ToString("0.000", CultureInfo.InvariantCulture).Replace('-', '\u2212');

    /// <summary>word × word values of a similarity CSV, keyed by the words' indices in the header.</summary>
    private static Dictionary<(int, int), double> ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        var values = new Dictionary<(int, int), double>();
        for (int i = 1; i < lines.Length; i++)
        {
            var cells = lines[i].Split(',');
            for (int j = 1; j < cells.Length; j++) values[(i - 1, j - 1)] = double.Parse(cells[j], CultureInfo.InvariantCulture);
        }
        return values;
    }
}
