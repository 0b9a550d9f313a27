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
        long memoryBudget = LargeScaleRankRsa.DefaultMemoryBudget, IProgress<double>? progress = null, IReadOnlyList<string>? rowNames = null,
        MatrixSources? sources = null)
    {
        Permutations.CheckCount(permutations);
        var pair = LargeScaleRankRsa.PrepareSpearman(a, b, kind, memoryBudget,
            FractionProgress.Part(progress, 0, 0.2), rowNames, sources);
        int atLeast = 0;
        // Each statistic already runs on every core (rows in parallel chunks), so permutations run one after another.
        Permutations.Run(pair.Items, permutations, seed, () => new int[1],
            (_, perm, hits) => { if (pair.ProductUnder(perm) >= pair.ObservedProduct) hits[0]++; },
            hits => atLeast += hits[0],
            blockSize: 1, parallel: new ParallelOptions { MaxDegreeOfParallelism = 1 }, progress: FractionProgress.Part(progress, 0.2, 1.0));
        return new PermutationResult(RsaMeasure.Spearman, permutations, seed, pair.Spearman,
            Permutations.PValue(atLeast, permutations, pair.Spearman), atLeast);
    }
}
