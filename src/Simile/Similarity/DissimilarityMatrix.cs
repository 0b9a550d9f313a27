namespace Simile.Similarity;

/// <summary>
/// A symmetric n×n dissimilarity matrix with zero diagonal, stored as its condensed upper triangle
/// (<see cref="CondensedIndex"/> order) in float64.
/// </summary>
public sealed class DissimilarityMatrix
{
    public int N { get; }
    public DissimilarityKind Kind { get; }
    /// <summary>Length n(n-1)/2, scipy pdist order.</summary>
    public double[] Condensed { get; }

    public DissimilarityMatrix(int n, DissimilarityKind kind, double[] condensed)
    {
        if (condensed.LongLength != CondensedIndex.Length(n))
            throw new ArgumentException($"condensed vector has {condensed.LongLength} values, expected {CondensedIndex.Length(n)} for n={n}");
        N = n; Kind = kind; Condensed = condensed;
    }

    public double this[int i, int j] => i == j ? 0.0 : Condensed[CondensedIndex.Of(N, i, j)];

    /// <summary>The full square matrix (scipy squareform).</summary>
    public double[,] ToSquare()
    {
        var s = new double[N, N];
        long k = 0;
        for (int i = 0; i < N; i++)
            for (int j = i + 1; j < N; j++, k++)
            {
                s[i, j] = Condensed[k];
                s[j, i] = Condensed[k];
            }
        return s;
    }
}
