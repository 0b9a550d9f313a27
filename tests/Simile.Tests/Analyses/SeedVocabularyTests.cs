using System.Text.Json;
using Simile.Analyses;
using Simile.Data;
using Simile.Models;
using Simile.Reports;
using Xunit;

namespace Simile.Tests.Analyses;

public class SeedVocabularyTests
{
    /// <summary>Two fake vocabularies: "glovey" (static, frequency order) and "berty"; shared letter words in glovey's order.</summary>
    private static (FakeEmbeddings Glovey, FakeEmbeddings Berty) Models()
    {
        var words = SeedFakes.SeedWords();
        var (alpha, beta, _, _) = SeedFakes.Models(words);
        var seed = words.Words.ToList();
        // glovey: extra non-letter entries and one word berty lacks; order = "frequency".
        var gloveyWords = new List<string> { "the", "1990", "," }.Concat(seed).ToList();
        var bertyWords = seed.Where(w => w != "comet").Concat(["the", "1990", ","]).ToList();
        var g = Rows(beta, seed, gloveyWords);
        var b = Rows(alpha, seed, bertyWords);
        return (new FakeEmbeddings("glovey", gloveyWords, g, 400000, "static"), new FakeEmbeddings("berty", bertyWords, b, 30522, "bert"));
    }

    private static Matrix Rows(FakeEmbeddings source, List<string> known, List<string> words)
    {
        var m = new Matrix(words.Count, source.Dims);
        var rng = new Simile.Inference.SeededRandom(17);
        for (int i = 0; i < words.Count; i++)
        {
            int k = known.IndexOf(words[i]);
            if (k >= 0) source.Vectors([known[k]], SubwordPolicy.Error).Vectors.RowReadOnly(0).CopyTo(m.Row(i));
            else for (int c = 0; c < m.Cols; c++) m[i, c] = rng.NextGaussian();
        }
        return m;
    }

    [Fact]
    public void SharedVocabularyIsLetterWordsInEveryModelInFrequencyOrder()
    {
        var (glovey, berty) = Models();
        var v = WordSelectionVocabulary.Select([berty, glovey]);
        Assert.Equal("glovey", v.FrequencyOrderFrom);                 // the static model ranks
        Assert.Equal(34, v.SharedCount);                               // "the" + 33 seed words; not "1990", ",", "comet"
        Assert.Equal("the", v.Words.Words[0]);
        Assert.DoesNotContain("comet", v.Words.Words);
        Assert.DoesNotContain("1990", v.Words.Words);

        var ranked = WordSelectionVocabulary.Select([berty, glovey], limit: 5, minFrequencyRank: 4);
        Assert.Equal(["galaxy", "asteroid", "cosmos", "space", "sun"], ranked.Words.Words);    // rank 4 = galaxy; comet skipped
        Assert.Equal(33, ranked.AfterRankFilter);

        var e = Assert.Throws<SimileException>(() => WordSelectionVocabulary.Select([berty, glovey], minFrequencyRank: 36));
        Assert.Contains("only 2 words", e.Message);
    }

    [Fact]
    public void WholeVocabularyNumbersMatchTheNaiveRoute()
    {
        var (glovey, berty) = Models();
        var options = new SeedAnalysisOptions { Permutations = 49, Seed = 2 };
        var r = SharedVocabularyAnalysis.Run([berty, glovey], limit: null, minFrequencyRank: 2, options);
        Assert.Equal(33, r.Words.Count);
        var words = r.Words.Words;
        var a = SeedFakes.NaiveCosineSimilarity(berty.Vectors(words, SubwordPolicy.Error).Vectors);
        var b = SeedFakes.NaiveCosineSimilarity(glovey.Vectors(words, SubwordPolicy.Error).Vectors);
        var p = Assert.Single(r.Pairs);
        Assert.Equal(NaiveReference.Pearson(a, b), p.Pearson, 1e-9);
        Assert.Equal(SeedFakes.NaiveSpearman(a, b), p.Spearman, 1e-6);     // rank route sorts float32 keys
        Assert.Equal(0.02, p.PearsonTest!.PValue, 1e-12);
        Assert.Null(p.Direct);                                          // 64 vs 48 dims
        Assert.Equal(33L * 32 / 2, p.Density.Counts.Sum());
        Assert.Equal(1.0, r.Rotation.RsaPearson, 1e-9);

        string dir = Path.Combine(Path.GetTempPath(), "simile-vocab-" + Guid.NewGuid().ToString("N"));
        try
        {
            var files = VocabularyReport.Write(r, dir).Select(Path.GetFileName).ToList();
            Assert.Contains("rsa-berty-vs-glovey.png", files);
            Assert.Contains("rsa-berty-vs-glovey.svg", files);
            Assert.Contains("models-rsa.png", files);
            Assert.Contains("report.html", files);
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
            var root = json.RootElement;
            foreach (var key in new[] { "words", "categories", "rdm", "models", "pairs", "rotation_control" })
                Assert.True(root.TryGetProperty(key, out _), key);
            Assert.Equal(33, root.GetProperty("words").GetArrayLength());
            Assert.Equal(p.Pearson, root.GetProperty("pairs")[0].GetProperty("rsa").GetProperty("pearson").GetDouble(), 1e-15);
            Assert.Equal(JsonValueKind.Null, root.GetProperty("pairs")[0].GetProperty("direct_correlation").ValueKind);
            Assert.Equal(34, root.GetProperty("vocabulary").GetProperty("shared_words").GetInt32());
            string html = File.ReadAllText(Path.Combine(dir, "report.html"));
            // Images are embedded; links point at anchors or at files written beside the page.
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(html, "(src|href)\\s*=\\s*\"([^\"]*)\""))
                Assert.True(m.Groups[1].Value == "src" ? m.Groups[2].Value.StartsWith("data:") :
                    m.Groups[2].Value.StartsWith('#') || File.Exists(Path.Combine(dir, m.Groups[2].Value)), m.Value[..Math.Min(80, m.Value.Length)]);
            Assert.Contains("data:image/png;base64,", html);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }
}
