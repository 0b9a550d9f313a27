using Simile.Inference;
using Xunit;

namespace Simile.Tests.Inference;

public class SeededRandomTests
{
    [Fact]
    public void SameSeedSameStreamDifferentSeedDifferentStream()
    {
        var a = new SeededRandom(42);
        var b = new SeededRandom(42);
        var c = new SeededRandom(43);
        var xa = Enumerable.Range(0, 100).Select(_ => a.NextULong()).ToArray();
        var xb = Enumerable.Range(0, 100).Select(_ => b.NextULong()).ToArray();
        var xc = Enumerable.Range(0, 100).Select(_ => c.NextULong()).ToArray();
        Assert.Equal(xa, xb);
        Assert.NotEqual(xa, xc);
    }

    [Fact]
    public void BlocksAreDeterministicAndDistinct()
    {
        var first = new HashSet<ulong>();
        for (long block = 0; block < 1000; block++)
        {
            ulong x = SeededRandom.ForBlock(7, block).NextULong();
            Assert.Equal(x, SeededRandom.ForBlock(7, block).NextULong());
            Assert.True(first.Add(x), $"block {block} repeats another block's first draw");
        }
        Assert.NotEqual(SeededRandom.ForBlock(7, 0).NextULong(), SeededRandom.ForBlock(8, 0).NextULong());
    }

    [Fact]
    public void NextDoubleIsUniformInUnitInterval()
    {
        var r = new SeededRandom(1);
        int n = 200_000;
        var bins = new int[10];
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            double x = r.NextDouble();
            Assert.InRange(x, 0.0, 0.9999999999999999);
            bins[(int)(x * 10)]++;
            sum += x;
        }
        Assert.Equal(0.5, sum / n, 0.005);
        // chi-square with 9 df: 99.9% quantile is 27.9
        double chi = bins.Sum(b => (b - n / 10.0) * (b - n / 10.0) / (n / 10.0));
        Assert.True(chi < 27.9, $"chi-square {chi}");
    }

    [Fact]
    public void NextIntIsUnbiasedAndInRange()
    {
        var r = new SeededRandom(3);
        int k = 7, n = 140_000;
        var counts = new int[k];
        for (int i = 0; i < n; i++) counts[r.NextInt(k)]++;
        double chi = counts.Sum(c => (c - n / (double)k) * (c - n / (double)k) / (n / (double)k));
        Assert.True(chi < 22.5, $"chi-square {chi}"); // 6 df, 99.9%
        Assert.Equal(0, r.NextInt(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => r.NextInt(0));
    }

    [Fact]
    public void ShuffleIsAPermutationAndUniform()
    {
        var r = new SeededRandom(5);
        // All 6 orders of 3 items appear about equally often.
        var counts = new Dictionary<string, int>();
        int n = 60_000;
        for (int t = 0; t < n; t++)
        {
            Span<int> p = [0, 1, 2];
            r.Shuffle(p);
            string key = $"{p[0]}{p[1]}{p[2]}";
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        Assert.Equal(6, counts.Count);
        double chi = counts.Values.Sum(c => (c - n / 6.0) * (c - n / 6.0) / (n / 6.0));
        Assert.True(chi < 20.5, $"chi-square {chi}"); // 5 df, 99.9%

        var big = Enumerable.Range(0, 1000).ToArray();
        r.Shuffle(big);
        Assert.Equal(Enumerable.Range(0, 1000), big.OrderBy(x => x));
        Assert.NotEqual(Enumerable.Range(0, 1000), big);
    }

    [Fact]
    public void GaussianHasUnitMoments()
    {
        var r = new SeededRandom(11);
        int n = 100_000;
        double s = 0, s2 = 0;
        for (int i = 0; i < n; i++) { double x = r.NextGaussian(); s += x; s2 += x * x; }
        Assert.Equal(0.0, s / n, 0.02);
        Assert.Equal(1.0, s2 / n, 0.02);
    }
}
