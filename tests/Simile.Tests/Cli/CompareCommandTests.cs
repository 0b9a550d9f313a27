using System.Text.Json;
using Simile.Tests.Data;
using Xunit;

namespace Simile.Tests.Cli;

[Collection(ConsoleCollection.Name)]
public class CompareCommandTests
{
    private static string Case(string name) => Path.Combine(TestPaths.Reference, "cases", name);
    private static string Example(string name) => Path.Combine(TestPaths.RepoRoot, "examples", name);

    private static readonly Lazy<JsonElement> Expected = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Reference, "expected.json"))).RootElement);

    private static double Ref(string pair, string key, string? sub = null)
    {
        var e = Expected.Value.GetProperty(pair).GetProperty(key);
        return sub is null ? e.GetDouble() : e.GetProperty(sub).GetDouble();
    }

    private static string[] Keys(JsonElement o) => o.EnumerateObject().Select(p => p.Name).ToArray();

    /// <summary>Runs with --json, checks the run is clean and stdout is exactly one JSON object.</summary>
    private static JsonElement RunJson(params string[] args)
    {
        var r = CliRunner.Run(["compare", .. args, "--json"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("", r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);   // throws on anything but a single JSON value
        Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
        return doc.RootElement.Clone();
    }

    [Fact]
    public void JsonHasExactlyTheContractKeysAndReferenceValues()
    {
        var j = RunJson(Case("c2.csv"), Case("c3.csv"));
        Assert.Equal(["items", "features", "rdm", "rsa", "cka", "procrustes", "direct_correlation", "permutation", "bootstrap"], Keys(j));
        Assert.Equal(34, j.GetProperty("items").GetInt32());
        Assert.Equal([64, 48], j.GetProperty("features").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("cosine", j.GetProperty("rdm").GetString());

        var rsa = j.GetProperty("rsa");
        Assert.Equal(["pearson", "spearman", "kendall_tau_b", "tau_a", "rho_a", "cosine"], Keys(rsa));
        Assert.Equal(Ref("c2-c3", "seed_rsa_cosine_sim_pearson_r"), rsa.GetProperty("pearson").GetDouble(), 1e-9);
        Assert.Equal(Ref("c2-c3", "seed_rsa_cosine_sim_spearman_rho"), rsa.GetProperty("spearman").GetDouble(), 1e-9);
        Assert.Equal(Ref("c2-c3", "seed_rsa_cosine_sim_kendall_tau_b"), rsa.GetProperty("kendall_tau_b").GetDouble(), 1e-9);
        Assert.Equal(Ref("c2-c3", "rsatoolbox_compare_cosine_distance_rdms", "tau-a"), rsa.GetProperty("tau_a").GetDouble(), 1e-9);
        Assert.Equal(Ref("c2-c3", "rsatoolbox_compare_cosine_distance_rdms", "rho-a"), rsa.GetProperty("rho_a").GetDouble(), 1e-9);
        Assert.Equal(Ref("c2-c3", "rsatoolbox_compare_cosine_distance_rdms", "cosine"), rsa.GetProperty("cosine").GetDouble(), 1e-9);

        var cka = j.GetProperty("cka");
        Assert.Equal(["linear", "linear_debiased"], Keys(cka));
        Assert.Equal(Ref("c2-c3", "numpy_formula_linear_cka"), cka.GetProperty("linear").GetDouble(), 1e-9);
        Assert.Equal(Ref("c2-c3", "numpy_formula_debiased_linear_cka_song2012"), cka.GetProperty("linear_debiased").GetDouble(), 1e-9);
        var procrustes = j.GetProperty("procrustes");
        Assert.Equal(["angular"], Keys(procrustes));
        Assert.Equal(Ref("c2-c3", "netrep_LinearMetric_alpha1_angular"), procrustes.GetProperty("angular").GetDouble(), 1e-9);

        Assert.Equal(JsonValueKind.Null, j.GetProperty("direct_correlation").ValueKind);   // widths 64 vs 48
        Assert.Equal(JsonValueKind.Null, j.GetProperty("permutation").ValueKind);
        Assert.Equal(JsonValueKind.Null, j.GetProperty("bootstrap").ValueKind);
    }

    [Theory]
    [InlineData("correlation", "rsatoolbox_compare_correlation_rdms")]
    [InlineData("sqeuclidean-per-feature", "rsatoolbox_compare_euclidean_rdms")]
    public void OtherRdmKindsMatchRsatoolbox(string kind, string key)
    {
        var rsa = RunJson(Case("c2.csv"), Case("c3.csv"), "--rdm", kind, "--measures", "pearson,spearman,kendall_tau_b,tau_a,rho_a,cosine").GetProperty("rsa");
        Assert.Equal(Ref("c2-c3", key, "corr"), rsa.GetProperty("pearson").GetDouble(), 1e-9);
        Assert.Equal(Ref("c2-c3", key, "spearman"), rsa.GetProperty("spearman").GetDouble(), 1e-9);
        Assert.Equal(Ref("c2-c3", key, "tau-b"), rsa.GetProperty("kendall_tau_b").GetDouble(), 1e-9);
        Assert.Equal(Ref("c2-c3", key, "tau-a"), rsa.GetProperty("tau_a").GetDouble(), 1e-9);
        Assert.Equal(Ref("c2-c3", key, "rho-a"), rsa.GetProperty("rho_a").GetDouble(), 1e-9);
        Assert.Equal(Ref("c2-c3", key, "cosine"), rsa.GetProperty("cosine").GetDouble(), 1e-9);
    }

    [Fact]
    public void MeasuresNotAskedAreOmittedOrNull()
    {
        var j = RunJson(Case("c2.csv"), Case("c3.csv"), "--measures", "spearman,cka");
        Assert.Equal(["spearman"], Keys(j.GetProperty("rsa")));
        Assert.Equal(JsonValueKind.Object, j.GetProperty("cka").ValueKind);
        Assert.Equal(JsonValueKind.Null, j.GetProperty("procrustes").ValueKind);
        Assert.Equal(JsonValueKind.Null, j.GetProperty("direct_correlation").ValueKind);

        j = RunJson(Case("c2.csv"), Case("c3.csv"), "--measures", "procrustes");
        Assert.Equal(JsonValueKind.Null, j.GetProperty("rsa").ValueKind);
        Assert.Equal(JsonValueKind.Null, j.GetProperty("cka").ValueKind);
        Assert.Equal(9, Keys(j).Length);
    }

    [Fact]
    public void DirectCorrelationWhenWidthsAgree()
    {
        var j = RunJson(Case("c2.csv"), Case("c2.csv"), "--measures", "direct,pearson");
        var d = j.GetProperty("direct_correlation");
        Assert.Equal(["mean", "per_item"], Keys(d));
        Assert.Equal(1.0, d.GetProperty("mean").GetDouble(), 1e-12);
        Assert.Equal(34, d.GetProperty("per_item").GetArrayLength());
        Assert.Equal(1.0, j.GetProperty("rsa").GetProperty("pearson").GetDouble(), 1e-12);
    }

    [Fact]
    public void PermutationAndBootstrapBlocksAreSeededAndRepeatable()
    {
        string[] args = [Example("model-a.csv"), Example("model-b.csv"), "--permutations", "99", "--bootstrap", "40", "--seed", "7"];
        var j = RunJson(args);
        var p = j.GetProperty("permutation");
        Assert.Equal(["n", "seed", "p_pearson", "p_spearman"], Keys(p));
        Assert.Equal(99, p.GetProperty("n").GetInt32());
        Assert.Equal(7UL, p.GetProperty("seed").GetUInt64());
        // model-b is a noisy projection of model-a: no permutation beats the observed RSA, p = 1/(99+1).
        Assert.Equal(0.01, p.GetProperty("p_pearson").GetDouble(), 1e-12);
        Assert.InRange(p.GetProperty("p_spearman").GetDouble(), 0.01, 0.05);
        var b = j.GetProperty("bootstrap");
        Assert.Equal(["n", "seed", "pearson_ci95"], Keys(b));
        var ci = b.GetProperty("pearson_ci95").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(2, ci.Length);
        double r = j.GetProperty("rsa").GetProperty("pearson").GetDouble();
        Assert.True(ci[0] <= ci[1] && ci[0] < r + 0.05 && ci[1] > r - 0.05, $"ci {ci[0]}..{ci[1]}, r {r}");
        Assert.Equal(j.GetRawText(), RunJson(args).GetRawText());
    }

    [Fact]
    public void ReorderedNamedItemsAreAligned()
    {
        using var dir = new TempFolder();
        var lines = File.ReadAllLines(Example("model-b.csv"));
        string shuffled = dir.Write("b.csv", string.Join("\n", [lines[0], .. lines.Skip(1).Reverse()]) + "\n");
        var aligned = RunJson(Example("model-a.csv"), shuffled);
        var original = RunJson(Example("model-a.csv"), Example("model-b.csv"));
        Assert.Equal(original.GetRawText(), aligned.GetRawText());
    }

    [Fact]
    public void TableOutputIsReadable()
    {
        var r = CliRunner.Run("compare", Case("c2.csv"), Case("c3.csv"));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("RSA pearson", r.Stdout);
        Assert.Contains("0.979613", r.Stdout);
        Assert.Contains("CKA linear", r.Stdout);
        Assert.Contains("widths differ", r.Stdout);
    }

    public static TheoryData<string[], string> BadRuns()
    {
        string c1 = Case("c1.csv"), c2 = Case("c2.csv");
        return new()
        {
            { ["compare", "/nonexistent/a.csv", c2], "file not found: '/nonexistent/a.csv'" },
            { ["compare", c1, c2], "has 12 items (rows) but" },
            { ["compare", c2, c2, "--rdm", "manhattan"], "unknown dissimilarity kind 'manhattan'" },
            { ["compare", c2, c2, "--measures", "pearson,bogus"], "unknown measure 'bogus'" },
            { ["compare", c2, c2, "--permutations", "-5"], "--permutations -5 is outside its range 0–1,000,000" },
            { ["compare", c2, c2, "--header", "maybe"], "--header 'maybe' is not a mode" },
            { ["compare", c2], "" },
        };
    }

    [Theory]
    [MemberData(nameof(BadRuns))]
    public void UserErrorsAreOneStderrLineAndExitCode2(string[] args, string expected)
    {
        var r = CliRunner.Run(args);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Equal("", r.Stdout);
        var lines = r.Stderr.TrimEnd('\n').Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("simile: error: ", lines[0]);
        Assert.Contains("Fix: ", lines[0]);
        Assert.Contains(expected, lines[0]);
    }

    [Theory]
    [InlineData("ragged.csv", "a,1,2\nb,3\nc,4,5\n", "line 2: row has 2")]
    [InlineData("text.csv", "a,1,2\nb,3,oops\nc,4,5\n", "line 2, column 3: non-numeric cell 'oops'")]
    [InlineData("nan.csv", "a,1,2\nb,3,nan\nc,4,5\n", "line 2, column 3: cell 'nan' is NaN")]
    [InlineData("two.csv", "a,1,2\nb,3,4\n", "comparisons need at least 3")]
    [InlineData("empty.csv", "", "file is empty")]
    [InlineData("bad.npy", "not numpy at all", "bad magic")]
    [InlineData("zero.csv", "a,1,2\nb,0,0\nc,3,4\n", "('b')")]                 // cosine undefined for an all-zero row
    public void BadInputFilesNameFileAndPlace(string name, string content, string expected)
    {
        using var dir = new TempFolder();
        string p = dir.Write(name, content);
        var r = CliRunner.Run("compare", p, p, "--json");
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Equal("", r.Stdout);
        Assert.Single(r.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains(p, r.Stderr);
        Assert.Contains(expected, r.Stderr);
        Assert.Equal([name], dir.Files());
    }
}
