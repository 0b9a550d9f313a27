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
}
