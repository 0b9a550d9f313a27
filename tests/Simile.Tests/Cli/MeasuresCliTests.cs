using System.Text.Json;
using Simile.Comparison.Measures;
using Simile.Tests.Comparison.Measures;
using Xunit;

namespace Simile.Tests.Cli;

/// <summary>The CLI contract of the registry: compare --measures … --json and simile measures.</summary>
[Collection(ConsoleCollection.Name)]
public class MeasuresCliTests
{
    private static string File(string name) => Path.Combine(TestPaths.Reference, "measures", name);

    private static JsonElement Expected(string caseName, string key)
        => JsonDocument.Parse(System.IO.File.ReadAllText(File("expected.json"))).RootElement.GetProperty("cases").GetProperty(caseName).GetProperty(key).Clone();

    private static JsonElement Json(params string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("", r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        return doc.RootElement.Clone();
    }

    [Fact]
    public void CompareAddsTheMeasuresBlockWithPeerValuesAndKeepsEveryKey()
    {
        var j = Json("compare", File("m1_X.npy"), File("m1_Y.npy"), "--measures", "cka,mutual_knn,cknna,shape_metric,pwcca", "--k", "5",
            "--alpha", "0.5", "--score", "euclidean", "--json");
        Assert.Equal(["items", "features", "rdm", "rsa", "cka", "procrustes", "direct_correlation", "measures", "permutation", "bootstrap"],
            j.EnumerateObject().Select(p => p.Name));
        var m = j.GetProperty("measures");
        Assert.Equal(["mutual_knn", "cknna", "shape_metric", "pwcca"], m.EnumerateObject().Select(p => p.Name));
        Assert.Equal(Expected("m1", "mutual_knn[k=5]").GetDouble(), m.GetProperty("mutual_knn").GetDouble(), 6);
        Assert.Equal(Expected("m1", "cknna[k=5]").GetDouble(), m.GetProperty("cknna").GetDouble(), 6);
        Assert.Equal(Expected("m1", "shape_metric[alpha=0.5,score=euclidean]").GetDouble(), m.GetProperty("shape_metric").GetDouble(), 5);
        Assert.Equal(JsonValueKind.Null, m.GetProperty("pwcca").ValueKind); // X wider than Y: undefined, written as null
        Assert.NotEqual(JsonValueKind.Null, j.GetProperty("cka").ValueKind);
    }

    [Fact]
    public void WithoutRegistryMeasuresTheObjectIsUnchanged()
    {
        var j = Json("compare", File("m2_X.npy"), File("m2_Y.npy"), "--json");
        Assert.Equal(["items", "features", "rdm", "rsa", "cka", "procrustes", "direct_correlation", "permutation", "bootstrap"],
            j.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void PermutationAndBootstrapCoverRegistryMeasures()
    {
        var j = Json("compare", File("m2_X.npy"), File("m2_Y.npy"), "--measures", "svcca,gulp", "--permutations", "19", "--bootstrap", "10", "--seed", "3", "--json");
        var p = j.GetProperty("permutation").GetProperty("p_measures");
        // m2: Y is a rotation of X, so no permutation reaches the observed similarity 1 / distance 0: p = 1/20
        Assert.Equal(1.0 / 20, p.GetProperty("svcca").GetDouble(), 12);
        Assert.Equal(1.0 / 20, p.GetProperty("gulp").GetDouble(), 12);
        Assert.Equal(JsonValueKind.Null, j.GetProperty("permutation").GetProperty("p_pearson").ValueKind);
        var ci = j.GetProperty("bootstrap").GetProperty("measures_ci95").GetProperty("svcca");
        Assert.Equal(2, ci.GetArrayLength());
        Assert.True(ci[0].GetDouble() <= ci[1].GetDouble());
    }

    [Fact]
    public void UnknownMeasureIsOneLineErrorExit2()
    {
        var r = CliRunner.Run("compare", File("m1_X.npy"), File("m1_Y.npy"), "--measures", "mutual_knn,nope", "--json");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Stdout);
        Assert.StartsWith("simile: error: unknown measure 'nope'", r.Stderr);
        Assert.Contains("Fix:", r.Stderr);
    }

    [Fact]
    public void KTooLargeIsAUserError()
    {
        var r = CliRunner.Run("compare", File("m1_X.npy"), File("m1_Y.npy"), "--measures", "mutual_knn", "--k", "60", "--json");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--k at most 59", r.Stderr);
    }

    [Fact]
    public void MeasuresVerbListsTheRegistry()
    {
        var j = Json("measures", "--json");
        var names = j.GetProperty("measures").EnumerateArray().Select(e => e.GetProperty("name").GetString()!).ToList();
        Assert.Equal(MeasureRegistry.Names, names);
        foreach (var expected in new[] { "mutual_knn", "cknna", "svcca", "pwcca", "shape_metric", "permutation_metric", "gulp", "pearson", "cka" })
            Assert.Contains(expected, names);
        var table = CliRunner.Run("measures");
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("edit_distance_knn", table.Stdout);
    }
}
