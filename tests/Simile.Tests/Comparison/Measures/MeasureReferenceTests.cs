using System.Globalization;
using System.Text.Json;
using Simile.Comparison.Measures;
using Simile.Data;
using Xunit;

namespace Simile.Tests.Comparison.Measures;

/// <summary>
/// Every canonical measure against the values the peers' own code computes (tests/reference/measures: platonic-rep,
/// netrep, ReSi, Kornblith's notebook), within the tolerances stated there: rel 1e-6 for the platonic kNN scores
/// (float32 inside the peer), rel 1e-7 otherwise, abs 2e-6 where the value is mathematically 0.
/// </summary>
public class MeasureReferenceTests
{
    private static readonly string Dir = Path.Combine(TestPaths.Reference, "measures");
    private static readonly string[] PlatonicKnn = ["mutual_knn", "cycle_knn", "lcs_knn", "edit_distance_knn", "cknna"];

    public static TheoryData<string, string, double> Cases()
    {
        var data = new TheoryData<string, string, double>();
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "expected.json")));
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateObject())
            foreach (var v in c.Value.EnumerateObject())
                data.Add(c.Name, v.Name, v.Value.GetDouble());
        return data;
    }

    /// <summary>"shape_metric[alpha=0.0,score=euclidean]" → ("shape_metric", parameters).</summary>
    internal static (string Name, MeasureParameters Parameters) ParseKey(string key)
    {
        int b = key.IndexOf('[');
        if (b < 0) return (key, new MeasureParameters());
        var p = new MeasureParameters();
        foreach (var kv in key[(b + 1)..^1].Split(','))
        {
            var parts = kv.Split('=');
            p = parts[0] switch
            {
                "k" => p with { K = int.Parse(parts[1], CultureInfo.InvariantCulture) },
                "alpha" => p with { Alpha = double.Parse(parts[1], CultureInfo.InvariantCulture) },
                "score" => p with { Score = MeasureParameters.ParseScore(parts[1]) },
                "rbf-threshold" => p with { RbfThreshold = double.Parse(parts[1], CultureInfo.InvariantCulture) },
                _ => throw new InvalidOperationException(kv),
            };
        }
        return (key[..b], p);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReproducesPeerValue(string caseName, string key, double expected)
    {
        var x = NpyFile.ReadMatrix(Path.Combine(Dir, $"{caseName}_X.npy"));
        var y = NpyFile.ReadMatrix(Path.Combine(Dir, $"{caseName}_Y.npy"));
        var (name, parameters) = ParseKey(key);
        double actual = MeasureRegistry.Compute(name, x, y, parameters);
        double rel = PlatonicKnn.Contains(name) ? 1e-6 : 1e-7;
        double tolerance = Math.Abs(expected) < 1e-9 ? 2e-6 : rel * Math.Abs(expected);
        Assert.True(Math.Abs(actual - expected) <= tolerance,
            $"{caseName} {key}: expected {expected:R}, got {actual:R} (diff {actual - expected:E3}, tolerance {tolerance:E1})");
    }

    [Fact]
    public void EveryCanonicalNameOfTheReferenceIsRegistered()
    {
        var names = Cases().Select(row => ParseKey((string)row[1]).Name).Distinct();
        foreach (var n in names) Assert.True(MeasureRegistry.TryGet(n, out _), n);
    }
}
