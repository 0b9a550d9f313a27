using System.Text.Json;
using Xunit;

namespace Simile.Tests.Engine;

/// <summary>Reading the float64 reference hidden states of tests/reference/modern and comparing float32 runs with them.</summary>
internal static class HiddenStateReference
{
    /// <summary>A JSON [tokens][dims] array as rows.</summary>
    public static double[][] Rows(JsonElement e) =>
        e.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();

    /// <summary>Largest absolute difference between a row-major [tokens × dims] float32 run and the reference rows.</summary>
    public static double MaxDiff(float[] actual, double[][] expected)
    {
        int d = expected[0].Length;
        Assert.Equal(expected.Length * d, actual.Length);
        double worst = 0;
        for (int t = 0; t < expected.Length; t++)
            for (int j = 0; j < d; j++) worst = Math.Max(worst, Math.Abs(actual[t * d + j] - expected[t][j]));
        return worst;
    }

    /// <summary>
    /// Every representation r of a run within 1e-4 × max(1, largest reference value) of the reference
    /// (<paramref name="expected"/>[r][token][dim]); <paramref name="what"/> and the label name a failure.
    /// </summary>
    public static void AssertWithinScale(float[][] actual, double[][][] expected, IReadOnlyList<string> labels, string what)
    {
        for (int r = 0; r < expected.Length; r++)
        {
            double worst = MaxDiff(actual[r], expected[r]);
            double scale = expected[r].Max(row => row.Max(Math.Abs));
            Assert.True(worst <= 1e-4 * Math.Max(1, scale), $"{what} {labels[r]}: max diff {worst:E3} (values up to {scale:G3})");
        }
    }
}
