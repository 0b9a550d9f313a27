using Simile.Comparison;
using Simile.Data;
using Simile.Similarity;

namespace Simile.Inference;

/// <summary>
/// Mantel permutation test of Spearman RSA at scale (no n×n matrix, no re-sort): the ranks are computed once
/// (<see cref="LargeScaleRankRsa.PrepareSpearman"/>) and each permutation is a gather of b's ranks whose statistic
/// Σ r_a·r_b(π) is an exact integer. Permutations and p follow <see cref="Permutations"/>, so for the same seed k equals the
/// explicit route's <see cref="PermutationTest"/> (up to the documented float32-key ties).
/// </summary>
public static class RankPermutationTest
{
    public static PermutationResult Spearman(Matrix a, Matrix b, DissimilarityKind kind, int permutations, ulong seed,
        long memoryBudget = LargeScaleRankRsa.DefaultMemoryBudget, IProgress<double>? progress = null, IReadOnlyList<string>? rowNames = null)
    {
        Permutations.CheckCount(permutations);
        var pair = LargeScaleRankRsa.PrepareSpearman(a, b, kind, memoryBudget,
            FractionProgress.Part(progress, 0, 0.2), rowNames);
        int atLeast = 0;
        var perm = new int[pair.Items];
        // Each statistic already runs on every core (rows in parallel chunks), so permutations run one after another.
        for (int p = 0; p < permutations; p++)
        {
            Permutations.Fill(seed, p, perm);
            if (pair.ProductUnder(perm) >= pair.ObservedProduct) atLeast++;
            progress?.Report(0.2 + 0.8 * (p + 1) / permutations);
        }
        return new PermutationResult(RsaMeasure.Spearman, permutations, seed, pair.Spearman,
            Permutations.PValue(atLeast, permutations, pair.Spearman), atLeast);
    }
}
