using Simile.Models.HuggingFace;
using Xunit;

namespace Simile.Tests.HuggingFace;

public class BertTextNormalizerTests
{
    // Expected values from Python: ''.join(c for c in unicodedata.normalize('NFD', s.lower()) if category(c) != 'Mn')
    [Theory]
    [InlineData("Crème Brûlée", "creme brulee")]
    [InlineData("ÅNGSTRÖM Łódź", "angstrom łodz")]
    [InlineData("한국어", "\u1112\u1161\u11AB\u1100\u116E\u11A8\u110B\u1165")]
    [InlineData("Cafe\u0301", "cafe")]
    public void MatchesPythonBertStripAccents(string text, string expected)
    {
        string got = BertTextNormalizer.Normalize(text, out int[] map);
        Assert.Equal(expected, got);
        Assert.Equal(got.Length + 1, map.Length);
        Assert.Equal(text.Length, map[^1]);
        for (int i = 1; i < map.Length; i++) Assert.True(map[i] >= map[i - 1]);
    }
}
