using System.Text.Json;
using Simile.Analyses.Layers;
using Simile.Data;
using Simile.Reports;
using Xunit;

namespace Simile.Tests.Analyses.Layers;

public class LayerAnalysisTests
{
    private static WordList SeedWords() => WordListFile.Read(Path.Combine(TestPaths.RepoRoot, "data", "seed-words.tsv"));

    [Fact]
    public void TwoFakeModelsGiveEveryRequiredResultAndFile()
    {
        var words = SeedWords();
        var a = new FakeTransformer(dims: 8, layers: 3);
        var b = new FakeTransformer(dims: 5, layers: 2, gpt2: true);
        var options = new LayerAnalysisOptions { Permutations = 50, Bootstrap = 40, Seed = 3, Normalization = Normalization.Parse("center"), Context = ContextSpec.None };
        var result = LayerAnalysis.Run([("fa", a), ("fb", b)], words, options);

        Assert.Equal(2, result.Models.Count);
        Assert.Single(result.Across);
        var g = result.Across[0];
        Assert.Equal(5, g.Rows);     // token, 0..3
        Assert.Equal(5, g.Columns);  // token, 0..2, final
        Assert.Equal(words.CategoryNames.Count, result.Models[0].Selectivity![0].Count);
        Assert.NotNull(result.Models[0].CategoryRsaRaw);
        // Centering changes anisotropy (the raw fake vectors share no offset, but the values must differ).
        Assert.NotEqual(result.Models[0].AnisotropyRaw[2], result.Models[0].Anisotropy[2]);

        string dir = Path.Combine(Path.GetTempPath(), "simile-layers-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var files = LayerReport.Write(result, dir);
            Assert.Contains(files, f => f.EndsWith("report.html"));
            Assert.Contains(files, f => f.EndsWith("layers-across-fa-fb.png"));
            Assert.Contains(files, f => f.EndsWith("layers-across-fa-fb.svg"));
            Assert.Contains(files, f => f.EndsWith("layers-selectivity.png"));
            Assert.Contains(files, f => f.EndsWith("layers-mds-fb.png"));
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
            var root = doc.RootElement;
            Assert.Equal(["token", "0", "1", "2", "3"], root.GetProperty("representations").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(5, root.GetProperty("within").GetProperty("fa").GetArrayLength());
            var across = root.GetProperty("across").GetProperty("fa|fb");
            Assert.Equal(5, across.GetArrayLength());
            Assert.Equal(g[1, 2], across[1][2].GetDouble(), 12);
            var cr = root.GetProperty("category_rsa").GetProperty("fb");
            Assert.Equal(5, cr.GetArrayLength());
            Assert.True(cr[0].GetProperty("p_value").GetDouble() > 0);
            var sel = root.GetProperty("selectivity").GetProperty("fa").GetProperty("space");
            Assert.Equal(2, sel[0].GetProperty("ci95").GetArrayLength());
            Assert.Equal(5, root.GetProperty("anisotropy").GetProperty("fb").GetArrayLength());
            Assert.Equal("center", root.GetProperty("settings").GetProperty("normalize").GetString());
            Assert.Equal(1, root.GetProperty("context_counts").GetProperty("fa").GetProperty("galaxy").GetInt32());
            string html = File.ReadAllText(Path.Combine(dir, "report.html"));
            Assert.Contains("biased upward", html);
            Assert.Contains("anisotropic", html);
            Assert.DoesNotContain("src=\"http", html);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void ResultsAreDeterministicForASeed()
    {
        var words = SeedWords();
        var m = new FakeTransformer(dims: 6, layers: 2);
        var o = new LayerAnalysisOptions { Permutations = 30, Bootstrap = 30, Seed = 11, Mds = false };
        var r1 = LayerAnalysis.Run([("m", m)], words, o);
        var r2 = LayerAnalysis.Run([("m", m)], words, o);
        Assert.Equal(r1.Models[0].Within.MaxPValue, r2.Models[0].Within.MaxPValue);
        Assert.Equal(r1.Models[0].CategoryRsa!.Select(c => c.PValue), r2.Models[0].CategoryRsa!.Select(c => c.PValue));
        Assert.Equal(r1.Models[0].Selectivity![2][1].Lower, r2.Models[0].Selectivity![2][1].Lower);
    }
}
