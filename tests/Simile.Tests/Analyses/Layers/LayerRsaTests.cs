using Simile.Analyses.Layers;
using Simile.Data;
using Xunit;
using static Simile.Tests.Analyses.Layers.LayerTestData;

namespace Simile.Tests.Analyses.Layers;

public class LayerRsaTests
{
    private static RepresentationStack Stack(string name, int n, int[] dims, ulong seed)
    {
        // Layers share structure: one base configuration mapped to each width, plus growing noise.
        var words = Enumerable.Range(0, n).Select(i => "w" + i).ToArray();
        var baseM = Random(n, 8, seed);
        var mats = new List<Matrix>();
        for (int r = 0; r < dims.Length; r++)
        {
            var proj = Random(8, dims[r], seed + 100 + (ulong)r);
            var noise = Random(n, dims[r], seed + 200 + (ulong)r);
            var m = new Matrix(n, dims[r]);
            for (int i = 0; i < n; i++)
                for (int f = 0; f < dims[r]; f++)
                {
                    double s = 0;
                    for (int k = 0; k < 8; k++) s += baseM[i, k] * proj[k, f];
                    m[i, f] = s + (0.5 + r) * noise[i, f];
                }
            mats.Add(m);
        }
        return RepresentationStack.FromMatrices(name, dims.Select((_, r) => r == 0 ? "token" : (r - 1).ToString()).ToArray(), mats, words);
    }

    [Fact]
    public void AcrossGridMatchesTheSeedRecipeReference()
    {
        // c2-c3 seed recipe: Pearson of the cosine-similarity upper triangles (scipy), 1e-9.
        var c2 = ReadCase("c2"); var c3 = ReadCase("c3");
        var words = Enumerable.Range(0, c2.Rows).Select(i => "w" + i).ToArray();
        var a = RepresentationStack.FromMatrices("c2", ["token"], [c2], words);
        var b = RepresentationStack.FromMatrices("c3", ["token"], [c3], words);
        var grid = LayerRsa.Across(a, b, permutations: 0);
        double want = Expected("c2-c3", "seed_rsa_cosine_sim_pearson_r").GetDouble();
        Assert.Equal(want, grid[0, 0], 9);
        Assert.True(double.IsNaN(grid.MaxPValue));
    }

    /// <summary>Off-diagonal cells (both triangles) against the naive loops: cosine similarities by definition, Pearson by definition.</summary>
    [Fact]
    public void GridCellsEqualTheNaiveOracle()
    {
        var s = Stack("m", 12, [5, 7, 3], 8);
        var grid = LayerRsa.Within(s, permutations: 0);
        var sims = s.Sets.Select(v => NaiveReference.CosineSimilarityUpper(v.Vectors)).ToArray();
        Assert.Equal(NaiveReference.Pearson(sims[0], sims[1]), grid[0, 1], 12);
        Assert.Equal(NaiveReference.Pearson(sims[2], sims[1]), grid[2, 1], 12);
    }

    [Fact]
    public void CosineSimilarityMatchesScipy()
    {
        var c2 = ReadCase("c2");
        var want = Expected("c2", "scipy_cosine_similarity_triu").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var got = LayerMath.CosineSimilarityCondensed(c2);
        Assert.Equal(want.Length, got.Length);
        for (int k = 0; k < got.Length; k++) Assert.Equal(want[k], got[k], 9);
    }

    [Fact]
    public void WithinGridEqualsNaivePearsonOfCosineSimilarities()
    {
        var s = Stack("m", 9, [5, 6, 7, 4], 3);
        var grid = LayerRsa.Within(s, permutations: 0);
        var sims = s.Sets.Select(v => CosineCondensed(v.Vectors)).ToArray();
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 4; c++)
                Assert.Equal(r == c ? 1.0 : NaiveReference.Pearson(sims[r], sims[c]), grid[r, c], 12);
        // Best pair: the largest off-diagonal value, upper triangle.
        double best = double.NegativeInfinity; (int, int) at = (0, 0);
        for (int r = 0; r < 4; r++) for (int c = r + 1; c < 4; c++) if (grid[r, c] > best) { best = grid[r, c]; at = (r, c); }
        Assert.Equal(at, (grid.BestRow, grid.BestColumn));
        Assert.Equal(best, grid.BestValue);
    }

    [Theory]
    [InlineData(5)]   // two SIMD vectors of columns, the second partly padded
    [InlineData(9)]   // three vectors: one column block without a partner
    public void ManyRepresentationsFillEveryCell(int reps)
    {
        var s = Stack("m", 7, Enumerable.Range(0, reps).Select(r => 3 + r % 3).ToArray(), 21);
        var grid = LayerRsa.Within(s, permutations: 10, seed: 2);
        var sims = s.Sets.Select(v => CosineCondensed(v.Vectors)).ToArray();
        for (int r = 0; r < reps; r++)
            for (int c = 0; c < reps; c++)
                Assert.Equal(r == c ? 1.0 : NaiveReference.Pearson(sims[r], sims[c]), grid[r, c], 12);
    }

    [Theory]
    [InlineData(true, 3, 11)]
    [InlineData(false, 3, 11)]
    [InlineData(false, 9, 2)]
    [InlineData(true, 9, 17)]
    public void PermutedKernelEqualsTheNaiveSumInBothSimdWidths(bool wide, int ra, int rb)
    {
        const int n = 9;
        int m = n * (n - 1) / 2;
        var rowZ = Enumerable.Range(0, ra).Select(r => Random(1, m, (ulong)(10 + r)).Values).ToArray();
        var colZ = Enumerable.Range(0, rb).Select(c => Random(1, m, (ulong)(50 + c)).Values).ToArray();
        var kernel = new PermutedGridKernel(rowZ, colZ, n, wide);
        var perm = Permutation(n, 3, 0);
        var grid = new double[ra * rb];
        kernel.Compute(perm, grid, kernel.NewAccumulator());
        for (int r = 0; r < ra; r++)
            for (int c = 0; c < rb; c++)
            {
                double want = 0; int k = 0;
                for (int i = 0; i < n; i++)
                    for (int j = i + 1; j < n; j++, k++)
                        want += rowZ[r][k] * colZ[c][(int)Simile.Similarity.CondensedIndex.Of(n, perm[i], perm[j])];
                Assert.Equal(want, grid[r * rb + c], 12);
            }
    }

    [Fact]
    public void MaxCalibratedPValueEqualsANaivePermutationOfTheWholeGrid()
    {
        var a = Stack("a", 8, [4, 5, 3], 11);
        var b = Stack("b", 8, [6, 2], 11); // same underlying items as a, other widths and noise
        const int perms = 60; const ulong seed = 42;
        var grid = LayerRsa.Across(a, b, perms, seed);

        var simA = a.Sets.Select(v => CosineCondensed(v.Vectors)).ToArray();
        var observed = new double[3, 2];
        for (int r = 0; r < 3; r++) for (int c = 0; c < 2; c++)
            {
                observed[r, c] = NaiveReference.Pearson(simA[r], CosineCondensed(b.Sets[c].Vectors));
                Assert.Equal(observed[r, c], grid[r, c], 12);
            }
        double best = observed.Cast<double>().Max();
        int kMax = 0; var cellK = new int[3, 2];
        for (int p = 0; p < perms; p++)
        {
            var perm = Permutation(8, seed, p);
            double mx = double.NegativeInfinity;
            for (int c = 0; c < 2; c++)
            {
                var simB = CosineCondensed(b.Sets[c].Vectors, perm);
                for (int r = 0; r < 3; r++)
                {
                    double v = NaiveReference.Pearson(simA[r], simB);
                    mx = Math.Max(mx, v);
                    if (v >= observed[r, c] - 1e-12) cellK[r, c]++;
                }
            }
            if (mx >= best - 1e-12) kMax++;
        }
        Assert.Equal((kMax + 1.0) / (perms + 1.0), grid.MaxPValue, 12);
        for (int r = 0; r < 3; r++) for (int c = 0; c < 2; c++)
                Assert.Equal((cellK[r, c] + 1.0) / (perms + 1.0), grid.CellPValues[r * 2 + c], 12);
        // Seeded and deterministic; another seed gives another null.
        Assert.Equal(grid.MaxPValue, LayerRsa.Across(a, b, perms, seed).MaxPValue);
        Assert.True(grid.MaxPValue < 0.2); // the stacks share structure
    }

    [Fact]
    public void UnrelatedModelsGetLargeMaxPValues()
    {
        var a = Stack("a", 12, [4, 4], 1);
        var b = Stack("b", 12, [4, 4], 999);
        var grid = LayerRsa.Across(a, b, 200, 7);
        Assert.True(grid.MaxPValue > 0.05, $"p = {grid.MaxPValue}");
        // The max-adjusted p of every cell is at least its uncorrected p.
        for (int i = 0; i < 4; i++) Assert.True(grid.MaxAdjustedPValues[i] >= grid.CellPValues[i]);
    }

    [Fact]
    public void DifferentWordListsAreRefused()
    {
        var a = RepresentationStack.FromMatrices("a", ["token"], [Random(3, 2, 1)], ["x", "y", "z"]);
        var b = RepresentationStack.FromMatrices("b", ["token"], [Random(3, 2, 1)], ["x", "z", "y"]);
        var e = Assert.Throws<SimileException>(() => LayerRsa.Across(a, b, 0));
        Assert.Contains("word 2", e.Message);
    }
}
