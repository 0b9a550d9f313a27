using Simile.Similarity;
using Xunit;

namespace Simile.Tests.Similarity;

public class CondensedIndexTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(34)]
    public void IndexWalksTheUpperTriangleRowMajor(int n)
    {
        long k = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++, k++)
            {
                Assert.Equal(k, CondensedIndex.Of(n, i, j));
                Assert.Equal(k, CondensedIndex.Of(n, j, i));
                Assert.Equal((i, j), CondensedIndex.PairAt(n, k));
            }
        Assert.Equal(CondensedIndex.Length(n), k);
    }

    [Fact]
    public void PairAtIsExactForLargeN()
    {
        int n = 100_000;
        foreach (long k in new long[] { 0, 1, n - 2, n - 1, CondensedIndex.Length(n) / 2, CondensedIndex.Length(n) - 1 })
        {
            var (i, j) = CondensedIndex.PairAt(n, k);
            Assert.True(i < j);
            Assert.Equal(k, CondensedIndex.Of(n, i, j));
        }
    }

    [Fact]
    public void DiagonalHasNoIndex() => Assert.Throws<ArgumentException>(() => CondensedIndex.Of(5, 2, 2));
}
