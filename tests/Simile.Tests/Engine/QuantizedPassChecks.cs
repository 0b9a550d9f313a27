using Simile.Engine;
using Xunit;

namespace Simile.Tests.Engine;

/// <summary>The check the integer-product tests share: a quantized pass against the float32 pass of the same weights.</summary>
internal static class QuantizedPassChecks
{
    /// <summary>
    /// Runs both passes on 5 seeded sequences (lengths 3, 5, …, 11, ids below <paramref name="vocabulary"/>) and asserts
    /// that every representation of <paramref name="quantized"/> is within <paramref name="relative"/> × the largest
    /// value of <paramref name="exact"/>'s, and that some value differs (the <paramref name="path"/> path was taken).
    /// </summary>
    public static void AssertCloseButNotEqual(IForwardPass exact, IForwardPass quantized, int vocabulary, double relative, string path)
    {
        var rng = new Random(5);
        var seqs = Enumerable.Range(0, 5).Select(s => Enumerable.Range(0, 3 + 2 * s).Select(_ => rng.Next(vocabulary)).ToArray()).ToList();
        var a = exact.Forward(seqs, withAttention: false);
        var b = quantized.Forward(seqs, withAttention: false);
        bool anyDifference = false;
        for (int s = 0; s < seqs.Count; s++)
            for (int layer = 0; layer < a[s].Hidden.Length; layer++)
            {
                var x = a[s].Hidden[layer];
                var y = b[s].Hidden[layer];
                double scale = x.Max(Math.Abs), worst = 0;
                for (int i = 0; i < x.Length; i++) worst = Math.Max(worst, Math.Abs(x[i] - y[i]));
                anyDifference |= worst > 0;
                Assert.True(worst <= relative * scale, $"sequence {s}, representation {layer}: max diff {worst:E3} vs scale {scale:E3} ({path})");
            }
        Assert.True(anyDifference, $"the {path} path was not taken");
    }
}
