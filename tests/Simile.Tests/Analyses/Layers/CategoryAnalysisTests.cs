using Simile.Analyses.Layers;
using Simile.Data;
using Xunit;
using static Simile.Tests.Analyses.Layers.LayerTestData;

namespace Simile.Tests.Analyses.Layers;

public class CategoryAnalysisTests
{
    [Fact]
    public void CategoryRdmMatchesRsatoolbox()
    {
        var want = Expected("c2", "rsatoolbox_categorical_rdm").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var got = CategoryModel.Rdm(C2Labels());
        Assert.Equal(561, got.Length);
        Assert.Equal(want, got);
    }

    /// <summary>
    /// Hand-made: A = {(1,0), (0.6,0.8)}, B = {(0,1), (−1,0)}. cos within A = 0.6, within B = 0;
    /// across: a1·b1 = 0, a1·b2 = −1, a2·b1 = 0.8, a2·b2 = −0.6 → mean −0.2.
    /// Selectivity A = 0.6 + 0.2 = 0.8, B = 0 + 0.2 = 0.2.
    /// </summary>
    [Fact]
    public void SelectivityOnAHandMadeExample()
    {
        var x = Matrix.FromArray(new double[,] { { 1, 0 }, { 0, 1 }, { 0.6, 0.8 }, { -1, 0 } });
        string[] words = ["a1", "b1", "a2", "b2"], cats = ["A", "B", "A", "B"];
        var sel = CategoryAnalysis.SelectivityOf(x, words, cats, "token", resamples: 0);
        Assert.Equal("A", sel[0].Category);
        Assert.Equal(0.8, sel[0].Value, 12);
        Assert.Equal(0.2, sel[1].Value, 12);
    }

    [Fact]
    public void SelectivityBootstrapEqualsANaiveResampling()
    {
        var x = Random(10, 5, 5);
        string[] words = Enumerable.Range(0, 10).Select(i => "w" + i).ToArray();
        string[] cats = ["p", "q", "p", "r", "q", "p", "r", "q", "p", "r"];
        const int b = 300; const ulong seed = 9;
        var sel = CategoryAnalysis.SelectivityOf(x, words, cats, "r0", b, seed);
        var names = new[] { "p", "q", "r" };
        var members = names.Select(c => Enumerable.Range(0, 10).Where(i => cats[i] == c).ToArray()).ToArray();
        var vals = names.Select(_ => new List<double>()).ToArray();
        for (int rep = 0; rep < b; rep++)
        {
            var rng = Simile.Inference.SeededRandom.ForBlock(seed, rep);
            var sample = members.Select(m => Enumerable.Range(0, m.Length).Select(_ => m[rng.NextInt(m.Length)]).ToArray()).ToArray();
            for (int c = 0; c < 3; c++)
            {
                double ws = 0; int wn = 0, bn = 0; double bs = 0;
                for (int i = 0; i < sample[c].Length; i++)
                    for (int j = i + 1; j < sample[c].Length; j++)
                        if (sample[c][i] != sample[c][j]) { ws += Cosine(x, sample[c][i], sample[c][j]); wn++; }
                for (int o = 0; o < 3; o++) if (o != c)
                        foreach (int i in sample[c]) foreach (int j in sample[o]) { bs += Cosine(x, i, j); bn++; }
                double v = ws / wn - bs / bn;
                if (wn > 0) vals[c].Add(v);
            }
        }
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(NaiveReference.NumpyPercentile(vals[c], 2.5), sel[c].Lower, 10);
            Assert.Equal(NaiveReference.NumpyPercentile(vals[c], 97.5), sel[c].Upper, 10);
            Assert.True(sel[c].Lower <= sel[c].Upper);
        }
    }

    [Fact]
    public void CategoryRsaEqualsNaivePearsonAndLabelPermutation()
    {
        var c2 = ReadCase("c2");
        var labels = C2Labels();
        var noise = Random(34, 64, 77);
        var words = Enumerable.Range(0, 34).Select(i => "w" + i).ToArray();
        var stack = RepresentationStack.FromMatrices("m", ["token", "0"], [c2, noise], words);
        const int perms = 99; const ulong seed = 5;
        var rsa = CategoryAnalysis.Rsa(stack, labels, perms, seed);
        for (int r = 0; r < 2; r++)
        {
            var x = stack.Sets[r].Vectors;
            var dist = CosineCondensed(x).Select(s => 1 - s).ToArray();
            double obs = NaiveReference.Pearson(dist, CategoryModel.Rdm(labels));
            Assert.Equal(obs, rsa[r].Pearson, 12);
            int k = 0;
            for (int p = 0; p < perms; p++)
            {
                var perm = Enumerable.Range(0, 34).ToArray();
                var codes = labels.Select(l => Array.IndexOf(labels.Distinct().ToArray(), l)).ToArray();
                Simile.Inference.SeededRandom.ForBlock(seed, p).Shuffle(codes);
                if (NaiveReference.Pearson(dist, CategoryModel.Rdm(codes.Select(c => c.ToString()).ToArray())) >= obs - 1e-12) k++;
            }
            Assert.Equal((k + 1.0) / (perms + 1.0), rsa[r].PValue, 12);
        }
        Assert.True(rsa[0].Pearson > 0.5 && rsa[0].PValue == 0.01); // clustered data: smallest possible p
        Assert.True(rsa[1].PValue > 0.01);
    }

    [Fact]
    public void AWordWithoutCategoryIsNamed()
    {
        var e = Assert.Throws<SimileException>(() => CategoryModel.Codes(["a", "b"], ["x", null]));
        Assert.Contains("'b'", e.Message);
    }
}
