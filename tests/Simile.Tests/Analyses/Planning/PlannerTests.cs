using Simile.Tests.Comparison;
using System.Text.Json;
using Simile.Analyses;
using Simile.Analyses.Planning;
using Simile.Comparison;
using Simile.Data;
using Simile.Inference;
using Simile.Similarity;
using Simile.Tests.Cli;
using Simile.Tests.Data;
using Simile.Reports;
using Xunit;

namespace Simile.Tests.Analyses.Planning;

/// <summary>The comparison planner: the scale routes against the explicit route, and the memory budget.</summary>
public class PlannerTests
{
    /// <summary>Independent random matrices (no shared structure), so permutation p-values fall anywhere in (0, 1].</summary>
    private static Matrix Noise(int n, int d, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var m = new Matrix(n, d);
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) m[i, j] = 0.5 + rng.NextGaussian();
        return m;
    }

    private static LabeledMatrix L(Matrix m, string path) => new(m, null, null, path);

    private static PairComparisonResult Run(LabeledMatrix a, LabeledMatrix b, DissimilarityKind kind, RoutePreference route,
        int permutations, int bootstrap, ulong seed)
        => PairComparison.Run(a, b, new PairComparisonOptions
        {
            Kind = kind, Route = route, Permutations = permutations, Bootstrap = bootstrap, Seed = seed,
        });

    public static IEnumerable<object[]> Cases() =>
    [
        [DissimilarityKind.Cosine, 60, 7, 5, false, 11UL],
        [DissimilarityKind.Cosine, 45, 12, 30, true, 3UL],
        [DissimilarityKind.Correlation, 52, 9, 4, false, 5UL],
        [DissimilarityKind.SqEuclideanPerFeature, 40, 6, 6, false, 8UL],
        [DissimilarityKind.SqEuclideanPerFeature, 38, 5, 9, true, 21UL],
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void ScaleRoutesEqualTheExplicitRoute(DissimilarityKind kind, int n, int da, int db, bool related, ulong seed)
    {
        Matrix x, y;
        if (related) (x, y) = ExplicitRoute.RandomPair(n, da, db, seed, 0.3);
        else { x = Noise(n, da, seed); y = Noise(n, db, seed + 1000); }
        var a = L(x, "a.csv");
        var b = L(y, "b.csv");
        const int permutations = 199, bootstrap = 99;
        var e = Run(a, b, kind, RoutePreference.Explicit, permutations, bootstrap, seed);
        var s = Run(a, b, kind, RoutePreference.Scale, permutations, bootstrap, seed);
        Assert.True(e.Plan!.ExplicitRdms);
        Assert.False(s.Plan!.ExplicitRdms);
        Assert.Equal(ComparisonPlan.RankRoute, s.Plan.Steps.First(st => st.What.Contains("spearman")).Route);

        double Rsa(PairComparisonResult r, RsaMeasure m) => r.Rsa!.Single(q => q.Measure == m).Value;
        Assert.Equal(e.Rsa!.Select(q => q.Measure), s.Rsa!.Select(q => q.Measure));
        foreach (var m in new[] { RsaMeasure.Pearson, RsaMeasure.Cosine })
            Assert.Equal(Rsa(e, m), Rsa(s, m), 1e-12);
        // Rank measures: float32 keys; with continuous random data no two distinct dissimilarities share a key here.
        foreach (var m in new[] { RsaMeasure.Spearman, RsaMeasure.KendallTauB, RsaMeasure.TauA, RsaMeasure.RhoA })
            Assert.Equal(Rsa(e, m), Rsa(s, m), 1e-7);
        Assert.Equal(e.Cka!.Linear, s.Cka!.Linear, 1e-12);
        Assert.Equal(e.Cka.LinearDebiased, s.Cka.LinearDebiased, 1e-12);
        Assert.Equal(e.Procrustes!.Angular, s.Procrustes!.Angular, 1e-12);

        // Same seed, same permutations, same convention: the same p-values.
        Assert.Equal(e.Permutation!.PPearson, s.Permutation!.PPearson);
        Assert.Equal(e.Permutation.PSpearman, s.Permutation.PSpearman);
        if (!related)   // the test is only informative when p is not at its floor
            Assert.True(e.Permutation.PPearson > 5.0 / (permutations + 1), $"p = {e.Permutation.PPearson}");
        Assert.Equal(e.Bootstrap!.PearsonLower, s.Bootstrap!.PearsonLower, 1e-12);
        Assert.Equal(e.Bootstrap.PearsonUpper, s.Bootstrap.PearsonUpper, 1e-12);

        // The JSON contract is the same object shape on both routes.
        using var je = JsonDocument.Parse(PairComparisonJson.Text(e));
        using var js = JsonDocument.Parse(PairComparisonJson.Text(s));
        Assert.Equal(je.RootElement.EnumerateObject().Select(p => p.Name), js.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void EuclideanAtScaleUsesBlockwiseSumsAndTheRankRoute()
    {
        var (x, y) = ExplicitRoute.RandomPair(33, 5, 8, 4, 0.2);
        var e = Run(L(x, "a"), L(y, "b"), DissimilarityKind.Euclidean, RoutePreference.Explicit, 0, 0, 0);
        var s = Run(L(x, "a"), L(y, "b"), DissimilarityKind.Euclidean, RoutePreference.Scale, 0, 0, 0);
        Assert.Equal(ComparisonPlan.BlockwiseRoute, s.Plan!.Steps[0].Route);
        for (int k = 0; k < e.Rsa!.Count; k++)
            Assert.Equal(e.Rsa[k].Value, s.Rsa![k].Value, e.Rsa[k].Measure is RsaMeasure.Pearson or RsaMeasure.Cosine ? 1e-12 : 1e-7);
    }

    [Fact]
    public void SpearmanPermutationsAtScaleMatchTheMantelTestOnTheExplicitRdms()
    {
        var x = Noise(70, 6, 1);
        var y = Noise(70, 3, 2);
        var da = Dissimilarity.Compute(x, DissimilarityKind.Cosine);
        var db = Dissimilarity.Compute(y, DissimilarityKind.Cosine);
        var explicitTest = PermutationTest.Run(da, db, [RsaMeasure.Spearman], 300, seed: 42)[0];
        var scale = RankPermutationTest.Spearman(x, y, DissimilarityKind.Cosine, 300, seed: 42);
        Assert.Equal(explicitTest.AtLeastAsExtreme, scale.AtLeastAsExtreme);
        Assert.Equal(explicitTest.PValue, scale.PValue);
        Assert.Equal(explicitTest.Observed, scale.Observed, 1e-12);
        Assert.InRange(scale.PValue, 0.02, 0.98);
    }

    [Fact]
    public void AutomaticChoice()
    {
        var all = PairMeasures.All;
        long budget = 16L << 30;
        // Small n: the explicit route (today's numbers, bit for bit).
        Assert.True(ComparisonPlanner.Plan(new(500, 384, 100, DissimilarityKind.Cosine, all, 1000, 1000, budget)).ExplicitRdms);
        // 20,000 × 384 vs × 100, Pearson only: feature space, well under 500 MB.
        var pearson = ComparisonPlanner.Plan(new(20_000, 384, 100, DissimilarityKind.Cosine,
            new HashSet<PairMeasure> { PairMeasure.Pearson }, 0, 0, budget));
        Assert.False(pearson.ExplicitRdms);
        Assert.Equal(ComparisonPlan.FeatureSpaceRoute, pearson.Steps.Single().Route);
        Assert.InRange(pearson.EstimatedBytes, 1, 500L << 20);
        // 60,000 items, Spearman with permutations: about 16 bytes per pair, refused under 16 GB.
        var spearman = ComparisonPlanner.Plan(new(60_000, 50, 30, DissimilarityKind.Cosine,
            new HashSet<PairMeasure> { PairMeasure.Spearman }, 100, 0, budget));
        Assert.False(spearman.Fits);
        var ex = Assert.Throws<SimileException>(() => spearman.ThrowIfOverBudget());
        Assert.Contains("above the 16 GB budget", ex.Message);
        Assert.Contains("compare at most", ex.Fix);
    }

    [Fact]
    public void MemorySizes()
    {
        Assert.Equal(2L << 30, MemoryBudget.Parse("2GB"));
        Assert.Equal(512L << 20, MemoryBudget.Parse("512mb"));
        Assert.Equal(3L << 29, MemoryBudget.Parse("1.5G"));
        Assert.Equal(1000, MemoryBudget.Parse("1000"));
        Assert.Throws<SimileException>(() => MemoryBudget.Parse("lots"));
        Assert.Throws<SimileException>(() => MemoryBudget.Parse("-1GB"));
        Assert.InRange(MemoryBudget.Available(), 1L << 20, long.MaxValue);
        Assert.True(MemoryBudget.Default() < MemoryBudget.Available());
    }

    /// <summary>Allocations are counted on the calling thread (other tests run in parallel); the routes allocate their
    /// large arrays there before any parallel work.</summary>
    [Fact]
    public void OverBudgetFailsInTheLibraryBeforeAllocating()
    {
        // 20,000 items: the rank route alone would need about 3 GB.
        var x = Noise(20_000, 3, 1);
        var y = Noise(20_000, 2, 2);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<SimileException>(() => PairComparison.Run(L(x, "a.npy"), L(y, "b.npy"), new PairComparisonOptions
        {
            Measures = PairMeasures.ParseList("pearson,spearman"), MemoryBudget = 200L << 20,
        }));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("above the 200 MB budget", e.Message);
        Assert.Contains("leave out the rank measures (--measures pearson)", e.Fix);
        Assert.InRange(allocated, 0, 20L << 20);
    }
}

[Collection(ConsoleCollection.Name)]
public class PlannerCliTests
{
    private static string Example(string name) => Path.Combine(TestPaths.RepoRoot, "examples", name);

    [Fact]
    public void OverBudgetCompareExitsTwoWithOneLineAndNoOutput()
    {
        using var dir = new TempFolder();
        var rng = new SeededRandom(9);
        int n = 20_000;
        var a = new float[n * 4];
        var b = new float[n * 3];
        for (int i = 0; i < a.Length; i++) a[i] = (float)rng.NextGaussian();
        for (int i = 0; i < b.Length; i++) b[i] = (float)rng.NextGaussian();
        NpyFile.Write(dir.File("a.npy"), a, n, 4);
        NpyFile.Write(dir.File("b.npy"), b, n, 3);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var r = CliRunner.Run("compare", dir.File("a.npy"), dir.File("b.npy"), "--measures", "spearman,kendall_tau_b",
            "--permutations", "10", "--memory", "100MB", "--json");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Stdout);
        string line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("simile: error: compare over 20,000 items needs about ", line);
        Assert.Contains("above the 100 MB budget", line);
        Assert.Contains("Fix: ", line);
        Assert.Contains("--memory ", line);
        Assert.InRange(allocated, 0, 40L << 20);   // the inputs (a few MB) and no more
    }

    [Theory]
    [InlineData("mutual_knn")]   // registry measures only: the plan has no stage, the inputs alone are over budget
    [InlineData("pearson")]
    public void OverBudgetWithoutRsaStagesIsOneLine(string measures)
    {
        var r = CliRunner.Run("compare", Example("model-a.csv"), Example("model-b.csv"), "--measures", measures, "--memory", "1KB", "--json");
        Assert.Equal(2, r.ExitCode);
        string line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("simile: error: compare over 34 items needs about ", line);
        Assert.Contains("above the 1 KB budget", line);
    }

    [Fact]
    public void VerbosePrintsThePlanOnStderrAndTheJsonStaysClean()
    {
        var r = CliRunner.Run("compare", Example("model-a.csv"), Example("model-b.csv"), "--json", "--verbose", "--route", "scale",
            "--measures", "pearson,spearman,cka");
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Contains("plan: 34 items (561 pairs)", r.Stderr);
        Assert.Contains("feature space", r.Stderr);
        Assert.Contains("rank route (float32 keys)", r.Stderr);
        Assert.Contains("budget", r.Stderr);
    }

    [Theory]
    [InlineData(DissimilarityKind.Cosine)]
    [InlineData(DissimilarityKind.Correlation)]
    [InlineData(DissimilarityKind.Euclidean)]
    [InlineData(DissimilarityKind.SqEuclideanPerFeature)]
    public void RdmRowBlocksEqualTheCondensedRoute(DissimilarityKind kind)
    {
        var (x, _) = ExplicitRoute.RandomPair(53, 7, 3, 17, 0.4);
        var expected = Dissimilarity.Compute(x, kind);
        int seen = 0;
        Dissimilarity.ForEachRowBlock(x, kind, 7, (i0, rows, block) =>
        {
            Assert.Equal(seen, i0);
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < 53; j++)
                    Assert.Equal(expected[i0 + r, j], block[r * 53 + j], 1e-12);
            seen += rows;
        });
        Assert.Equal(53, seen);
    }

    [Theory]
    [InlineData("rdm.csv", "float64")]
    [InlineData("rdm.tsv", "float32")]
    public void RdmTextSizeEstimateBoundsTheFile(string name, string dtype)
    {
        using var dir = new TempFolder();
        string outPath = dir.File(name);
        var r = CliRunner.Run("rdm", Example("model-a.csv"), "--rdm", "euclidean", "--dtype", dtype, "--out", outPath);
        Assert.True(r.ExitCode == 0, r.ToString());
        var input = MatrixFile.Read(Example("model-a.csv"));
        long estimate = RdmExport.OutputBytes(34, outPath, dtype == "float32" ? NpyDType.Float32 : NpyDType.Float64, input.RowNames);
        long actual = new FileInfo(outPath).Length;
        Assert.InRange(actual, estimate / 3, estimate);   // an upper bound, not a wild one
        var back = MatrixFile.Read(outPath);
        var expected = Dissimilarity.Compute(input.Values, DissimilarityKind.Euclidean);
        if (dtype == "float32") Assert.Equal((float)expected[2, 9], (float)back.Values[2, 9]);   // shortest text of the float32
        else Assert.Equal(expected[2, 9], back.Values[2, 9]);
    }

    [Fact]
    public void BadMemoryAndRouteOptionsAreOneLineErrors()
    {
        var r = CliRunner.Run("compare", Example("model-a.csv"), Example("model-b.csv"), "--memory", "lots");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("simile: error: --memory 'lots' is not a memory size. Fix: give a size such as --memory 2GB", r.Stderr);
        r = CliRunner.Run("compare", Example("model-a.csv"), Example("model-b.csv"), "--route", "fast");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("use --route auto, explicit or scale", r.Stderr);
        r = CliRunner.Run("rdm", Example("model-a.csv"), "--out", "x.npy", "--dtype", "int8");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("use --dtype float64 or float32", r.Stderr);
    }

    [Fact]
    public void RdmFloat32NpyIsStreamedAndAtomic()
    {
        using var dir = new TempFolder();
        string outPath = dir.File("rdm.npy");
        var r = CliRunner.Run("rdm", Example("model-a.csv"), "--dtype", "float32", "--out", outPath, "--verbose");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("streamed", r.Stderr);
        Assert.Equal(["rdm.npy"], dir.Files());
        var arr = NpyFile.Read(outPath);
        Assert.Equal(NpyDType.Float32, arr.DType);
        Assert.Equal([34, 34], arr.Shape);
        var input = MatrixFile.Read(Example("model-a.csv"));
        var expected = Dissimilarity.Compute(input.Values, DissimilarityKind.Cosine);
        for (int i = 0; i < 34; i++)
            for (int j = 0; j < 34; j++)
                Assert.Equal((float)expected[i, j], arr.Float32![i * 34 + j]);
        Assert.Equal(RdmExport.OutputBytes(34, outPath, NpyDType.Float32, null), new FileInfo(outPath).Length);

        var bad = CliRunner.Run("rdm", Example("model-a.csv"), "--out", dir.File("x.npy"), "--memory", "10KB");
        Assert.Equal(2, bad.ExitCode);
        Assert.StartsWith("simile: error: rdm over 34 items needs about ", bad.Stderr);
        Assert.Equal(["rdm.npy"], dir.Files());
    }
}

/// <summary>rsa (word lists) and layers check their explicit plans against the budget before building matrices.</summary>
public class AnalysisBudgetTests
{
    [Fact]
    public void SeedAnalysisAndLayerAnalysisRefuseOverBudgetBeforeAllocating()
    {
        int n = 3000;
        var words = Enumerable.Range(0, n).Select(i => $"w{i}").ToList();
        var wl = new WordList(words, words.Select(_ => (string?)null).ToList());
        var (x, y) = ExplicitRoute.RandomPair(n, 4, 3, 2, 0.5);
        var models = new List<(ModelSummary, VectorSet)>
        {
            (new ModelSummary("a", n, 4, "test", "static"), new VectorSet(words, x, "a")),
            (new ModelSummary("b", n, 3, "test", "static"), new VectorSet(words, y, "b")),
        };
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<SimileException>(() => SeedAnalysis.Run(models, wl,
            new SeedAnalysisOptions { Permutations = 100, BootstrapResamples = 0, MemoryBudget = 64L << 20 }));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 8L << 20);
        Assert.StartsWith("rsa over 3,000 items needs about ", e.Message);
        Assert.Contains("above the 64 MB budget", e.Message);
        Assert.Contains("use at most ", e.Fix);

        var stacks = new[] { Simile.Analyses.Layers.RepresentationStack.FromMatrices("m", ["token", "0", "1"], [x, x, x], words) };
        before = GC.GetAllocatedBytesForCurrentThread();
        e = Assert.Throws<SimileException>(() => Simile.Analyses.Layers.LayerAnalysis.Run(stacks, wl,
            new Simile.Analyses.Layers.LayerAnalysisOptions { Permutations = 10, Bootstrap = 0, MemoryBudget = 64L << 20 }));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 8L << 20);
        Assert.StartsWith("layers over 3,000 items needs about ", e.Message);

        // The same analyses within budget run (3 matrices of 4.5 M pairs would need ~110 MB; 40 words need nothing).
        var small = models.Select(m => (m.Item1, new VectorSet(words.Take(40).ToList(), m.Item2.Vectors.SelectRows(Enumerable.Range(0, 40).ToArray()), "s"))).ToList();
        var r = SeedAnalysis.Run(small, new WordList(words.Take(40).ToList(), words.Take(40).Select(_ => (string?)null).ToList()),
            new SeedAnalysisOptions { Permutations = 10, BootstrapResamples = 10, MemoryBudget = 64L << 20 });
        Assert.Single(r.Pairs);
    }
}
