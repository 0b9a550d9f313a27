using System.Text.Json;
using Simile.Similarity;
using Xunit;

namespace Simile.Tests.Similarity;

/// <summary>
/// Average linkage against scipy 1.10's <c>linkage(y, method="average")</c> and <c>leaves_list</c> on seeded cosine
/// distances (tests/reference/linkage): every merge (ids, height to 1e-12, size) and the leaf order.
/// </summary>
public sealed class AverageLinkageTests
{
    public static TheoryData<int> Cases()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < Load().GetProperty("cases").GetArrayLength(); i++) data.Add(i);
        return data;
    }

    private static JsonElement Load() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Reference, "linkage", "average_linkage.json"))).RootElement;

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesScipy(int index)
    {
        var c = Load().GetProperty("cases")[index];
        int n = c.GetProperty("n").GetInt32();
        var y = c.GetProperty("condensed").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var merges = AverageLinkage.Link(y, n);
        var expected = c.GetProperty("linkage").EnumerateArray().ToList();
        Assert.Equal(expected.Count, merges.Length);
        for (int k = 0; k < merges.Length; k++)
        {
            Assert.Equal(expected[k][0].GetInt32(), merges[k].First);
            Assert.Equal(expected[k][1].GetInt32(), merges[k].Second);
            Assert.Equal(expected[k][2].GetDouble(), merges[k].Height, 1e-12);
            Assert.Equal(expected[k][3].GetInt32(), merges[k].Size);
        }
        Assert.Equal(c.GetProperty("leaves").EnumerateArray().Select(e => e.GetInt32()), AverageLinkage.Leaves(merges, n));
    }

    [Fact]
    public void OneItemIsItsOwnOrder() => Assert.Equal(new[] { 0 }, AverageLinkage.Order([], 1));
}
