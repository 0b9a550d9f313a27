namespace Simile.Similarity;

/// <summary>
/// Within-model (dis)similarity kinds. Exact formulas (one place: <see cref="Dissimilarity"/>):
/// <list type="bullet">
/// <item><c>cosine</c>: 1 − x·y/(|x||y|) (scipy <c>pdist(X,'cosine')</c>); undefined for an all-zero row.</item>
/// <item><c>correlation</c>: 1 − Pearson r between rows (rsatoolbox 'correlation', scipy 'correlation'); undefined for a constant row.</item>
/// <item><c>euclidean</c>: |x − y| (scipy 'euclidean').</item>
/// <item><c>sqeuclidean-per-feature</c>: |x − y|²/d (what rsatoolbox calls 'euclidean').</item>
/// </list>
/// </summary>
public enum DissimilarityKind
{
    Cosine,
    Correlation,
    Euclidean,
    SqEuclideanPerFeature,
}
