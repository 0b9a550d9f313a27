using Simile.Analyses.Layers;
using Simile.Data;
using Xunit;
using static Simile.Tests.Analyses.Layers.LayerTestData;

namespace Simile.Tests.Analyses.Layers;

public class NormalizationMdsTests
{
    [Fact]
    public void CenterRemovesTheMeanAndZScoreScalesFeatures()
    {
        var x = Random(20, 6, 1, shift: 3);
        var c = Normalization.Parse("center").Apply(x);
        var z = Normalization.Parse("zscore").Apply(x);
        for (int f = 0; f < 6; f++)
        {
            double mc = 0, mz = 0, vz = 0;
            for (int i = 0; i < 20; i++) { mc += c[i, f]; mz += z[i, f]; vz += z[i, f] * z[i, f]; }
            Assert.Equal(0, mc, 10); Assert.Equal(0, mz, 10); Assert.Equal(20, vz, 10);
        }
        Assert.Equal(x[3, 2] - Enumerable.Range(0, 20).Average(i => x[i, 2]), c[3, 2], 12);
    }

    [Theory]
    [InlineData(30, 5)]   // d ≤ n: covariance route
    [InlineData(6, 10)]   // n < d: Gram route
    public void RemovePcsLeavesNothingAlongTheTopComponents(int n, int d)
    {
        var x = Random(n, d, 2, shift: 1);
        for (int i = 0; i < n; i++) x[i, 0] += 10 * (i % 3); // a dominant direction
        var c = Normalization.Center(x);
        var r = new Normalization(NormalizationKind.RemovePcs, 2).Apply(x);
        // Top-2 right singular vectors of C from its covariance, naive.
        var cov = new double[d * d];
        for (int a = 0; a < d; a++) for (int b = 0; b < d; b++) for (int i = 0; i < n; i++) cov[a * d + b] += c[i, a] * c[i, b];
        var eig = SymmetricEigen.Decompose(cov, d);
        for (int top = 0; top < 2; top++)
            for (int i = 0; i < n; i++)
            {
                double proj = 0;
                for (int f = 0; f < d; f++) proj += r[i, f] * eig.Vector(f, d - 1 - top);
                Assert.Equal(0, proj, 9);
            }
        // What remains along the third component is untouched.
        for (int i = 0; i < n; i++)
        {
            double pc = 0, pr = 0;
            for (int f = 0; f < d; f++) { pc += c[i, f] * eig.Vector(f, d - 3); pr += r[i, f] * eig.Vector(f, d - 3); }
            Assert.Equal(pc, pr, 9);
        }
        Assert.Throws<SimileException>(() => new Normalization(NormalizationKind.RemovePcs, Math.Min(n - 1, d)).Apply(x));
    }

    [Fact]
    public void ParsingNamesTheProblem()
    {
        Assert.Equal("remove-pcs:3", Normalization.Parse("remove-pcs:3").ToString());
        Assert.Throws<SimileException>(() => Normalization.Parse("remove-pcs"));
        Assert.Throws<SimileException>(() => Normalization.Parse("whiten"));
    }

    [Fact]
    public void AnisotropyIsTheNaiveMeanPairwiseCosineAndCenteringReducesIt()
    {
        var x = Random(15, 7, 3, shift: 2); // a shared offset: anisotropic
        double naive = CosineCondensed(x).Average();
        Assert.Equal(naive, Anisotropy.MeanPairwiseCosine(x), 12);
        Assert.True(naive > 0.5);
        double centred = Anisotropy.MeanPairwiseCosine(Normalization.Center(x));
        Assert.True(Math.Abs(centred) < 0.2, $"centred anisotropy {centred}");
    }

    [Fact]
    public void MdsRecoversAKnown2DConfigurationUpToRotationAndReflection()
    {
        var pts = Random(12, 2, 8);
        var d = new List<double>();
        for (int i = 0; i < 12; i++) for (int j = i + 1; j < 12; j++)
                d.Add(Math.Sqrt(Math.Pow(pts[i, 0] - pts[j, 0], 2) + Math.Pow(pts[i, 1] - pts[j, 1], 2)));
        var mds = ClassicalMds.Embed(d.ToArray(), 12, 2);
        int k = 0;
        for (int i = 0; i < 12; i++) for (int j = i + 1; j < 12; j++, k++)
                Assert.Equal(d[k], Math.Sqrt(Math.Pow(mds.X(i) - mds.X(j), 2) + Math.Pow(mds.Y(i) - mds.Y(j), 2)), 9);
        Assert.Equal(1.0, mds.ExplainedFraction, 9);
        // Centred: the coordinates' means are 0.
        Assert.Equal(0, Enumerable.Range(0, 12).Sum(mds.X), 9);
    }

    [Fact]
    public void SubspaceIterationFindsTheSameTopEigenpairsAsTheFullDecomposition()
    {
        var x = Random(60, 5, 4);
        x = Normalization.Center(x);
        var b = new double[60 * 60];
        for (int i = 0; i < 60; i++) for (int j = 0; j < 60; j++) for (int f = 0; f < 5; f++) b[i * 60 + j] += x[i, f] * x[j, f];
        var full = ClassicalMds.TopEigenpairs(b, 60, 2, fullUpTo: 1000);
        var iter = ClassicalMds.TopEigenpairs(b, 60, 2, fullUpTo: 10);
        for (int c = 0; c < 2; c++)
        {
            Assert.Equal(full.Values[c], iter.Values[c], 8);
            double dot = 0;
            for (int i = 0; i < 60; i++) dot += full.Vectors[i * 2 + c] * iter.Vectors[i * 2 + c];
            Assert.Equal(1.0, Math.Abs(dot), 8);
        }
        Assert.Equal(full.Trace, iter.Trace, 9);
    }
}
