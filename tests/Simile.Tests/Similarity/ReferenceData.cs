using System.Globalization;
using System.Text.Json;
using Simile.Data;
using Xunit;

namespace Simile.Tests.Similarity;

/// <summary>The shared reference cases (shared/reference/cases/*.csv) and expected.json values.</summary>
internal static class ReferenceData
{
    private static readonly Lazy<JsonDocument> Expected = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Reference, "expected.json"))));

    /// <summary>A case matrix (c1, c2, c3) read as double from its CSV.</summary>
    public static Matrix Case(string name)
    {
        var rows = File.ReadAllLines(Path.Combine(TestPaths.Reference, "cases", name + ".csv"))
            .Where(l => l.Trim().Length > 0)
            .Select(l => l.Split(',').Select(t => double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray())
            .ToList();
        return Matrix.FromRows(rows);
    }

    public static string[] C2Labels() =>
        File.ReadAllLines(Path.Combine(TestPaths.Reference, "cases", "c2_labels.txt")).Where(l => l.Length > 0).ToArray();

    public static JsonElement Get(string caseName, string key, string? sub = null)
    {
        var e = Expected.Value.RootElement.GetProperty(caseName).GetProperty(key);
        return sub is null ? e : e.GetProperty(sub);
    }

    public static double Number(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.String when e.GetString() == "nan" => double.NaN,
        JsonValueKind.String when e.GetString() == "inf" => double.PositiveInfinity,
        JsonValueKind.String when e.GetString() == "-inf" => double.NegativeInfinity,
        _ => throw new InvalidOperationException($"not a number: {e}"),
    };

    public static double Scalar(string caseName, string key, string? sub = null) => Number(Get(caseName, key, sub));

    public static double[] Vector(string caseName, string key) =>
        Get(caseName, key).EnumerateArray().Select(Number).ToArray();

    /// <summary>|actual − expected| ≤ rel·|expected| (NaN matches NaN).</summary>
    public static void Close(double expected, double actual, double rel = 1e-9, string what = "")
    {
        if (double.IsNaN(expected)) { Assert.True(double.IsNaN(actual), $"{what}: expected NaN, got {actual:R}"); return; }
        Assert.True(Math.Abs(actual - expected) <= rel * Math.Abs(expected),
            $"{what}: expected {expected:R}, got {actual:R} (relative error {Math.Abs(actual - expected) / Math.Abs(expected):E2})");
    }

    public static void Close(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double rel = 1e-9, string what = "")
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int k = 0; k < expected.Count; k++) Close(expected[k], actual[k], rel, $"{what}[{k}]");
    }
}
