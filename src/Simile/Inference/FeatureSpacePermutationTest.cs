using Simile.Inference;
using Simile.Comparison;
using Simile.Data;
using Simile.Similarity;

namespace Simile.Inference;

/// <summary>
/// Mantel permutation test of the Pearson RSA in feature space, for item counts where no n×n matrix fits: the item labels
/// of b are permuted (rows and columns of its dissimilarity matrix) and r is recomputed through VᵀPU per permutation
/// (<see cref="FeatureSpaceRsa.PermutablePair"/>). The permutations, ties and p follow <see cref="Permutations"/>, so the
/// p-value equals the explicit route's <see cref="PermutationTest"/> for the same seed.
/// </summary>
public static class FeatureSpacePermutationTest
{
    public static PermutationResult Pearson(Matrix a, Matrix b, DissimilarityKind kind,
        int permutations, ulong seed, IProgress<double>? progress = null, IReadOnlyList<string>? rowNames = null, MatrixSources? sources = null)
    {
        Permutations.CheckCount(permutations);
        var pair = FeatureSpaceRsa.Permutable(a, b, kind, rowNames, sources);
        int atLeast = 0;
        // One permutation per work item, each product on its own thread: no synchronisation inside the GEMM.
        Permutations.Run(pair.Items, permutations, seed,
            () => new int[1],
            (_, perm, count) => { if (Permutations.AtLeast(pair.PearsonUnder(perm), pair.Observed)) count[0]++; },
            count => atLeast += count[0],
            blockSize: 1, parallel: new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, progress: progress);
        return new PermutationResult(RsaMeasure.Pearson, permutations, seed, pair.Observed,
            Permutations.PValue(atLeast, permutations, pair.Observed), atLeast);
    }
}
