using Simile.Similarity;

namespace Simile.Inference;

internal static class Inputs
{
    public static void CheckPair(DissimilarityMatrix a, DissimilarityMatrix b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.N != b.N)
            throw new SimileException($"the two dissimilarity matrices cover different numbers of items ({a.N} and {b.N})",
                "compare matrices over the same items (same word list, same order)");
        if (a.N < 3)
            throw new SimileException($"inference needs at least 3 items, got {a.N}", "give at least 3 words/items");
    }
}
