using Simile.Comparison;
using Simile.Inference;
using Xunit;

namespace Simile.Tests.Comparison;

/// <summary>The one radix sort of both rank routes, against LINQ's stable OrderBy.</summary>
public class RadixSortTests
{
    private static RadixSort.KeyedPosition[] Items(ulong[] keys)
        => keys.Select((k, i) => new RadixSort.KeyedPosition { Key = k, Position = i }).ToArray();

    private static RadixSort.KeyedPosition[] Sorted(ulong[] keys)
    {
        var items = Items(keys);
        var scratch = new RadixSort.KeyedPosition[items.Length];
        return RadixSort.Sort(items, scratch, 8, default(RadixSort.KeyedPositionDigits)).ToArray();
    }

    [Theory]
    [InlineData(0, 5)]        // many ties, small keys: the upper seven passes are skipped
    [InlineData(1, 1 << 20)]  // a few ties
    [InlineData(2, 0)]        // all 64 bits random
    public void SortsStablyByKey(int seed, int distinct)
    {
        var rng = new SeededRandom((ulong)seed);
        var keys = new ulong[5_000];
        for (int i = 0; i < keys.Length; i++) keys[i] = distinct > 0 ? (ulong)rng.NextInt(distinct) : rng.NextULong();
        var expected = Enumerable.Range(0, keys.Length).OrderBy(i => keys[i]).ToArray();   // stable: ties keep index order
        var got = Sorted(keys);
        Assert.Equal(expected, got.Select(x => x.Position).ToArray());
        Assert.Equal(expected.Select(i => keys[i]).ToArray(), got.Select(x => x.Key).ToArray());
    }

    [Fact]
    public void ExtremeKeysAndAllEqual()
    {
        ulong[] keys = [ulong.MaxValue, 0, 1UL << 63, ulong.MaxValue, 0, (1UL << 63) - 1, 255, 256];
        Assert.Equal(new ulong[] { 0, 0, 255, 256, (1UL << 63) - 1, 1UL << 63, ulong.MaxValue, ulong.MaxValue },
            Sorted(keys).Select(x => x.Key).ToArray());
        Assert.Equal([0, 1, 2, 3], Sorted([7, 7, 7, 7]).Select(x => x.Position).ToArray());
        Assert.Empty(Sorted([]));
        Assert.Equal([0], Sorted([42]).Select(x => x.Position).ToArray());
    }

    [Fact]
    public void PackedWordsSortOnTheKeyAboveTheLowestKey()
    {
        // key·2³² + index words, keys in [low, low + 2¹⁶): two passes cover them.
        var rng = new SeededRandom(7);
        const uint low = 3_000_000_000;
        var words = new ulong[3_000];
        for (int i = 0; i < words.Length; i++) words[i] = (ulong)(low + (uint)rng.NextInt(1 << 16)) << 32 | (uint)i;
        var expected = words.OrderBy(w => w >> 32).ToArray();   // stable, so indices ascend within a key
        var scratch = new ulong[words.Length];
        var got = RadixSort.Sort(words.ToArray(), scratch, 2, new RadixSort.PackedKeyDigits(low)).ToArray();
        Assert.Equal(expected, got);
    }

    [Fact]
    public void ShortScratchIsRefused()
        => Assert.Throws<ArgumentException>(() =>
            RadixSort.Sort(new ulong[4], new ulong[3], 1, new RadixSort.PackedKeyDigits(0)));
}
