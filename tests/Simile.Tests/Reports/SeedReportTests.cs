using System.Text.Json;
using System.Xml.Linq;
using Simile.Reports;
using Simile.Tests.Analyses;
using Xunit;

namespace Simile.Tests.Reports;

public class SeedReportTests
{
    private static readonly byte[] PngMagic = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private static string TempFolder() => Path.Combine(Path.GetTempPath(), "simile-test-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void WritesEveryOutputAsValidFiles()
    {
        var words = SeedFakes.SeedWords();
        var (alpha, beta, gamma, _) = SeedFakes.Models(words);
        var result = SeedFakes.NaiveResult(words, alpha, beta, gamma);
        // SIMILE_KEEP_OUTPUT=folder keeps the outputs there for a look at the figures.
        string? keep = Environment.GetEnvironmentVariable("SIMILE_KEEP_OUTPUT");
        string dir = keep ?? TempFolder();
        try
        {
            var written = SeedReport.Write(result, dir);
            var names = written.Select(Path.GetFileName).ToHashSet();
            foreach (string fig in new[] { "similarity-alpha", "similarity-beta", "similarity-gamma", "rsa-alpha-vs-beta", "rsa-alpha-vs-gamma",
                                            "rsa-beta-vs-gamma", "direct-alpha-vs-gamma", "models-rsa", "rotation-alpha" })
            {
                Assert.Contains(fig + ".png", names);
                Assert.Contains(fig + ".svg", names);
                var png = File.ReadAllBytes(Path.Combine(dir, fig + ".png"));
                Assert.True(png.AsSpan(0, 8).SequenceEqual(PngMagic), fig + ".png is not a PNG");
                Assert.True(png.Length > 5000, fig + ".png is suspiciously small");
                var svg = XDocument.Load(Path.Combine(dir, fig + ".svg"));
                Assert.Equal("svg", svg.Root!.Name.LocalName);
            }
            // Direct correlation is undefined across widths: no bar chart for those pairs.
            Assert.DoesNotContain("direct-alpha-vs-beta.png", names);
            Assert.Contains("similarity-alpha.csv", names);
            Assert.Contains("results.json", names);
            Assert.Contains("report.html", names);
            // No temporary files left behind.
            Assert.DoesNotContain(Directory.GetFiles(dir), f => Path.GetFileName(f).StartsWith('.'));
        }
        finally { if (keep is null) Directory.Delete(dir, true); }
    }

    [Fact]
    public void ResultsJsonHasExactlyTheRequiredKeys()
    {
        var words = SeedFakes.SeedWords();
        var (alpha, beta, gamma, _) = SeedFakes.Models(words);
        var result = SeedFakes.NaiveResult(words, alpha, beta, gamma);
        using var doc = JsonDocument.Parse(SeedResultsJson.Write(result));
        var root = doc.RootElement;
        foreach (var key in new[] { "words", "categories", "rdm", "models", "pairs", "rotation_control" })
            Assert.True(root.TryGetProperty(key, out _), "missing key " + key);
        Assert.Equal(34, root.GetProperty("words").GetArrayLength());
        Assert.Equal("galaxy", root.GetProperty("words")[0].GetString());
        Assert.Equal("space", root.GetProperty("categories")[0].GetString());
        Assert.Equal("cosine", root.GetProperty("rdm").GetString());
        var model = root.GetProperty("models")[0];
        foreach (var key in new[] { "name", "vocab_size", "dims", "source" }) Assert.True(model.TryGetProperty(key, out _), key);
        Assert.Equal(30522, model.GetProperty("vocab_size").GetInt32());
        Assert.Equal(64, model.GetProperty("dims").GetInt32());

        var pairs = root.GetProperty("pairs");
        Assert.Equal(3, pairs.GetArrayLength());
        foreach (var p in pairs.EnumerateArray())
        {
            foreach (var key in new[] { "a", "b", "rsa", "direct_correlation" }) Assert.True(p.TryGetProperty(key, out _), key);
            var rsa = p.GetProperty("rsa");
            foreach (var key in new[] { "pearson", "spearman", "p_value", "ci95" }) Assert.True(rsa.TryGetProperty(key, out _), key);
            Assert.Equal(2, rsa.GetProperty("ci95").GetArrayLength());
            Assert.InRange(rsa.GetProperty("pearson").GetDouble(), -1, 1);
        }
        var ab = pairs[0];
        Assert.Equal("alpha", ab.GetProperty("a").GetString());
        Assert.Equal("beta", ab.GetProperty("b").GetString());
        Assert.Equal(JsonValueKind.Null, ab.GetProperty("direct_correlation").ValueKind);
        var ag = pairs[1];
        Assert.Equal(34, ag.GetProperty("direct_correlation").GetProperty("per_word").GetArrayLength());
        Assert.Equal(result.Pairs[1].Direct!.Mean, ag.GetProperty("direct_correlation").GetProperty("mean").GetDouble(), 1e-15);
        Assert.Equal(result.Pairs[0].Pearson, ab.GetProperty("rsa").GetProperty("pearson").GetDouble(), 1e-15);

        var rot = root.GetProperty("rotation_control");
        foreach (var key in new[] { "model", "direct_correlation_mean", "rsa_pearson" }) Assert.True(rot.TryGetProperty(key, out _), key);
        Assert.Equal(1.0, rot.GetProperty("rsa_pearson").GetDouble(), 1e-9);
    }

    [Fact]
    public void ReportHtmlIsSelfContained()
    {
        var words = SeedFakes.SeedWords();
        var (alpha, beta, _, _) = SeedFakes.Models(words);
        var result = SeedFakes.NaiveResult(words, alpha, beta);
        var output = SeedReport.Build(result, TempFolder());
        string html = System.Text.Encoding.UTF8.GetString(output.Get("report.html"));
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("data:image/png;base64,", html);
        // Every src is an embedded data: URI; every href an in-page anchor or a file of this output (PNG/SVG/results.json
        // beside the page); nothing is fetched. The one script is inline.
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(html, "(src|href)\\s*=\\s*\"([^\"]*)\"",
                     System.Text.RegularExpressions.RegexOptions.IgnoreCase))
        {
            string v = m.Groups[2].Value;
            bool ok = m.Groups[1].Value == "src" ? v.StartsWith("data:") : v.StartsWith('#') || output.Names.Contains(v);
            Assert.True(ok, "external reference: " + m.Value[..Math.Min(80, m.Value.Length)]);
        }
        Assert.DoesNotContain("<script src", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("=\"http", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<meta name=\"viewport\"", html);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("rotation", html);
        Assert.Contains("report.html", output.Names);
    }

    [Fact]
    public void SimilarityCsvHasWordLabelsAndTheMatrix()
    {
        var words = SeedFakes.SeedWords();
        var (alpha, beta, _, _) = SeedFakes.Models(words);
        var result = SeedFakes.NaiveResult(words, alpha, beta);
        var lines = SeedReport.MatrixCsv(words.Words, result.Models[0]).TrimEnd('\n').Split('\n');
        Assert.Equal(35, lines.Length);
        Assert.Equal("word," + string.Join(",", words.Words), lines[0]);
        var row2 = lines[2].Split(',');
        Assert.Equal("asteroid", row2[0]);
        Assert.Equal(1.0, double.Parse(row2[2], System.Globalization.CultureInfo.InvariantCulture));
        double expected = SeedFakes.NaiveCosineSimilarity(result.Models[0].Vectors.Vectors)[Simile.Similarity.CondensedIndex.Of(34, 1, 5)];
        Assert.Equal(expected, double.Parse(row2[6], System.Globalization.CultureInfo.InvariantCulture), 1e-12);
    }

    [Fact]
    public void UnwritableOutputFolderFailsBeforeWritingAnything()
    {
        var words = SeedFakes.SeedWords();
        var (alpha, beta, _, _) = SeedFakes.Models(words);
        var result = SeedFakes.NaiveResult(words, alpha, beta);
        string file = Path.GetTempFileName();   // a file where the folder should be
        try
        {
            var e = Assert.Throws<SimileException>(() => SeedReport.Write(result, file));
            Assert.Contains(file, e.Message);
            Assert.DoesNotContain('\n', e.OneLine);
        }
        finally { File.Delete(file); }
    }

    [Theory]
    [InlineData(0.0001, 9999, "p ≤ 0.0001")]
    [InlineData(1.0 / 10001, 10000, "p ≤ 0.0001")]          // the floor rounded up: one format for 9,999 and 10,000
    [InlineData(1.0 / 100001, 100000, "p ≤ 1.0e\u221205")]
    [InlineData(0.5, 0, "p –")]
    [InlineData(0.0312, 9999, "p = 0.0312")]
    [InlineData(0.002, 999, "p = 0.0020")]
    public void FormatsPValues(double p, int n, string expected) => Assert.Equal(expected, PValue.Text(p, n));
}
