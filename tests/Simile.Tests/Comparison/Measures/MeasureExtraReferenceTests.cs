using System.Text.Json;
using Simile.Comparison.Measures;
using Simile.Data;
using Xunit;

namespace Simile.Tests.Comparison.Measures;

/// <summary>
/// The registry's measures on inputs beyond the two peer cases: unrelated representations, exact duplicate rows (kNN
/// ties), n &lt; d, and real token embeddings (minilm, arctic-xs, glove-100d). Expected values come from independent numpy
/// re-implementations of the peers' code (tests/reference/measures-extra: README, peers_numpy.py, generate.py), with
/// Simile's documented tie rule (item itself excluded, exact ties to the lower index). Same tolerances as
/// tests/reference/measures. "undefined" entries are where the peer code fails or returns NaN: Simile must say
/// undefined (NaN or a MeasureUndefinedException), not return a number. "exact" entries are exact-arithmetic values
/// (computed by SVD) where the peer's own number depends on how an exactly-zero eigenvalue happens to round.
/// </summary>
public class MeasureExtraReferenceTests
{
    private static readonly string Dir = Path.Combine(TestPaths.Reference, "measures-extra");
    private static readonly string[] PlatonicKnn = ["mutual_knn", "cycle_knn", "lcs_knn", "edit_distance_knn", "cknna"];

    private static IEnumerable<(string Case, string Key, double Value, bool Defined)> Entries()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "expected.json")));
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateObject())
        {
            foreach (var v in c.Value.GetProperty("values").EnumerateObject()) yield return (c.Name, v.Name, v.Value.GetDouble(), true);
            foreach (var v in c.Value.GetProperty("undefined").EnumerateObject()) yield return (c.Name, v.Name, double.NaN, false);
            // exact-arithmetic values where the peer's own result depends on the rounding of an exactly-zero quantity
            foreach (var v in c.Value.GetProperty("exact").EnumerateObject()) yield return (c.Name, v.Name, v.Value.GetDouble(), true);
        }
    }

    public static TheoryData<string, string, double> Values()
    {
        var data = new TheoryData<string, string, double>();
        foreach (var (c, key, value, defined) in Entries())
            if (defined) data.Add(c, key, value);
        return data;
    }

    public static TheoryData<string, string> Undefined()
    {
        var data = new TheoryData<string, string>();
        foreach (var (c, key, _, defined) in Entries())
            if (!defined) data.Add(c, key);
        return data;
    }

    private static (Matrix X, Matrix Y) Load(string caseName) =>
        (NpyFile.ReadMatrix(Path.Combine(Dir, $"{caseName}_X.npy")), NpyFile.ReadMatrix(Path.Combine(Dir, $"{caseName}_Y.npy")));

    [Theory]
    [MemberData(nameof(Values))]
    public void MatchesPeerConvention(string caseName, string key, double expected)
    {
        var (x, y) = Load(caseName);
        var (name, parameters) = MeasureReferenceTests.ParseKey(key);
        double actual = MeasureRegistry.Compute(name, x, y, parameters);
        double rel = PlatonicKnn.Contains(name) ? 1e-6 : 1e-7;
        double tolerance = Math.Abs(expected) < 1e-9 ? 2e-6 : rel * Math.Abs(expected);
        Assert.True(Math.Abs(actual - expected) <= tolerance,
            $"{caseName} {key}: expected {expected:R}, got {actual:R} (diff {actual - expected:E3}, tolerance {tolerance:E1})");
    }

    [Theory]
    [MemberData(nameof(Undefined))]
    public void UndefinedWhereThePeerFails(string caseName, string key)
    {
        var (x, y) = Load(caseName);
        var (name, parameters) = MeasureReferenceTests.ParseKey(key);
        double value;
        try { value = MeasureRegistry.Compute(name, x, y, parameters); }
        catch (MeasureUndefinedException) { return; }
        Assert.True(double.IsNaN(value), $"{caseName} {key}: the peer code fails here, Simile returned {value:R}");
    }
}
