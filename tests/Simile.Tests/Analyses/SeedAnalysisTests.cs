using Simile.Analyses;
using Simile.Data;
using Simile.Models;
using Xunit;

namespace Simile.Tests.Analyses;

public class SeedAnalysisTests
{
    private static readonly SeedAnalysisOptions NoInference = new() { Permutations = 0, BootstrapResamples = 0, Seed = 3 };

    [Fact]
    public void NumbersMatchANaiveSecondRoute()
    {
        var words = SeedFakes.SeedWords();
        var (alpha, beta, gamma, delta) = SeedFakes.Models(words);
        var r = SeedAnalysis.Run([alpha, beta, gamma, delta], words, NoInference);

        Assert.Equal(["alpha: 30522 × 64", "beta: 400000 × 48", "gamma: 30522 × 64", "delta: 5000 × 64"], r.Models.Select(m => m.Model.ToString()));
        Assert.Equal(6, r.Pairs.Count);
        var raw = new[] { alpha, beta, gamma, delta }.Select(m => m.Vectors(words.Words, SubwordPolicy.Error).Vectors).ToArray();
        var sims = raw.Select(SeedFakes.NaiveCosineSimilarity).ToArray();
        for (int m = 0; m < 4; m++)
        {
            var display = r.Models[m].Display;
            for (int k = 0; k < display.Length; k++) Assert.Equal(sims[m][k], display[k], 1e-12);
        }
        foreach (var p in r.Pairs)
        {
            int a = r.IndexOf(p.A), b = r.IndexOf(p.B);
            Assert.Equal(NaiveReference.Pearson(sims[a], sims[b]), p.Pearson, 1e-10);
            Assert.Equal(SeedFakes.NaiveSpearman(sims[a], sims[b]), p.Spearman, 1e-10);
            if (raw[a].Cols == raw[b].Cols)
            {
                var naive = SeedFakes.NaiveDirect(raw[a], raw[b]);
                Assert.NotNull(p.Direct);
                for (int i = 0; i < naive.Length; i++) Assert.Equal(naive[i], p.Direct!.PerItem[i], 1e-10);
                Assert.Equal(naive.Average(), p.Direct!.Mean, 1e-10);
                Assert.Null(p.DirectUndefinedReason);
            }
            else
            {
                Assert.Null(p.Direct);
                Assert.Contains("64", p.DirectUndefinedReason);
                Assert.Contains("dimensions", p.DirectUndefinedReason);
                Assert.Contains("48", p.DirectUndefinedReason);
            }
        }
        // The structure is shared: every RSA is clearly positive.
        Assert.All(r.Pairs, p => Assert.True(p.Pearson > 0.5, $"{p.A}-{p.B} r = {p.Pearson}"));
    }

    [Fact]
    public void RotationControlKeepsGeometryAndScramblesCoordinates()
    {
        var words = SeedFakes.SeedWords();
        var (alpha, beta, _, _) = SeedFakes.Models(words);
        var r = SeedAnalysis.Run([alpha, beta], words, NoInference);
        Assert.Equal("alpha", r.Rotation.Model);
        Assert.Equal(1.0, r.Rotation.RsaPearson, 1e-9);
        // Per-word r of a 64-d vector with a random rotation of it: mean 0, sd ≈ 1/8; the mean of 34 is within ±0.1.
        Assert.InRange(r.Rotation.DirectCorrelationMean, -0.1, 0.1);
        Assert.Equal(34, r.Rotation.PerWord.Length);
        Assert.Equal(0.125, r.Rotation.ExpectedSpread, 1e-12);

        // Recompute the rotated copy independently and check the per-word values.
        var x = alpha.Vectors(words.Words, SubwordPolicy.Error).Vectors;
        var rotated = RandomRotation.Apply(x, RandomRotation.Orthogonal(64, 3));
        var naive = SeedFakes.NaiveDirect(x, rotated);
        for (int i = 0; i < 34; i++) Assert.Equal(naive[i], r.Rotation.PerWord[i], 1e-10);
    }

    [Fact]
    public void SharedLineageIsDetectedFromDirectCorrelationNotNames()
    {
        var words = SeedFakes.SeedWords();
        var (alpha, _, gamma, delta) = SeedFakes.Models(words);
        var r = SeedAnalysis.Run([alpha, gamma, delta], words, NoInference);
        var ag = r.Pairs.Single(p => p.A == "alpha" && p.B == "gamma");
        var ad = r.Pairs.Single(p => p.A == "alpha" && p.B == "delta");
        Assert.True(ag.SharedLineage);
        Assert.True(ag.Direct!.Mean > 0.9);
        // delta is alpha rotated: same geometry (high RSA) but unrelated axes (no lineage).
        Assert.False(ad.SharedLineage);
        Assert.InRange(ad.Direct!.Mean, -0.15, 0.15);
        Assert.True(ad.Pearson > 0.9);
        Assert.Contains(r.Notes, n => n.StartsWith("alpha and gamma share lineage"));
        Assert.DoesNotContain(r.Notes, n => n.StartsWith("alpha and delta share lineage"));
    }

    [Fact]
    public void RandomRotationIsOrthogonalAndSeeded()
    {
        var q = RandomRotation.Orthogonal(50, 11);
        for (int i = 0; i < 50; i++)
            for (int j = 0; j < 50; j++)
            {
                double dot = 0;
                for (int k = 0; k < 50; k++) dot += q[k, i] * q[k, j];
                Assert.Equal(i == j ? 1.0 : 0.0, dot, 1e-12);
            }
        Assert.Equal(q.Values, RandomRotation.Orthogonal(50, 11).Values);
        Assert.NotEqual(q.Values, RandomRotation.Orthogonal(50, 12).Values);
    }

    [Fact]
    public void PermutationPAndBootstrapIntervalAreSeededAndSensible()
    {
        var words = SeedFakes.SeedWords();
        var (alpha, beta, _, _) = SeedFakes.Models(words);
        // "scrambled": beta's vectors given to the wrong words, so no shared structure with alpha.
        var rng = new Simile.Inference.SeededRandom(99);
        var order = Enumerable.Range(0, words.Count).ToArray();
        rng.Shuffle(order);
        var betaVectors = beta.Vectors(words.Words, SubwordPolicy.Error).Vectors;
        var scrambled = new FakeEmbeddings("scrambled", words.Words, betaVectors.SelectRows(order));
        var options = new SeedAnalysisOptions { Permutations = 199, BootstrapResamples = 100, Seed = 5 };

        var r = SeedAnalysis.Run([alpha, beta, scrambled], words, options);
        var ab = r.Pairs.Single(p => p.B == "beta" && p.A == "alpha");
        Assert.Equal(1.0 / 200, ab.PearsonTest!.PValue, 1e-12);          // nothing beats r ≈ 0.9 among 199 shuffles
        Assert.True(ab.PearsonInterval!.Lower <= ab.Pearson && ab.Pearson <= ab.PearsonInterval.Upper);
        Assert.True(ab.PearsonInterval.Upper - ab.PearsonInterval.Lower > 0.001);
        var aScr = r.Pairs.Single(p => p.B == "scrambled" && p.A == "alpha");
        Assert.True(aScr.PearsonTest!.PValue > 0.01, $"scrambled p = {aScr.PearsonTest.PValue}");
        Assert.Equal((aScr.PearsonTest.AtLeastAsExtreme + 1.0) / 200, aScr.PearsonTest.PValue, 1e-12);

        var again = SeedAnalysis.Run([alpha, beta, scrambled], words, options);
        Assert.Equal(r.Pairs.Select(p => p.PearsonTest!.PValue), again.Pairs.Select(p => p.PearsonTest!.PValue));
        Assert.Equal(r.Pairs.Select(p => p.PearsonInterval!.Lower), again.Pairs.Select(p => p.PearsonInterval!.Lower));
    }

    [Fact]
    public void ModelNamedTwiceIsRejected()
    {
        var words = SeedFakes.SeedWords();
        var (alpha, _, _, _) = SeedFakes.Models(words);
        var e = Assert.Throws<SimileException>(() => SeedAnalysis.Run([alpha, alpha], words, NoInference));
        Assert.Contains("'alpha' is given 2 times", e.Message);
    }

    [Fact]
    public void ProgressIsReported()
    {
        var words = SeedFakes.SeedWords();
        var (alpha, beta, _, _) = SeedFakes.Models(words);
        var stages = new List<string>();
        SeedAnalysis.Run([alpha, beta], words, NoInference, new ListProgress(stages));
        Assert.Contains("similarity matrices", stages);
        Assert.Contains("rotation control", stages);
    }

    private sealed class ListProgress(List<string> stages) : IProgress<StageProgress>
    {
        public void Report(StageProgress value) { lock (stages) stages.Add(value.Stage); }
    }
}
