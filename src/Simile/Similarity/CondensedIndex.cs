namespace Simile.Similarity;

/// <summary>
/// The one place the condensed-triangle convention lives: the strict upper triangle of an n×n symmetric
/// matrix, row-major, pairs (0,1),(0,2),…,(0,n-1),(1,2),…,(n-2,n-1) — scipy <c>pdist</c>/<c>squareform</c> order,
/// the order rsatoolbox uses for its RDM vectors.
/// </summary>
public static class CondensedIndex
{
    /// <summary>Number of pairs, n(n-1)/2.</summary>
    public static long Length(int n) => (long)n * (n - 1) / 2;

    /// <summary>Index of pair (i, j) for i &lt; j: n*i - i*(i+1)/2 + (j-i-1). Order of i, j does not matter; i ≠ j.</summary>
    public static long Of(int n, int i, int j)
    {
        if (i == j) throw new ArgumentException("the diagonal has no condensed index");
        if (i > j) (i, j) = (j, i);
        return (long)n * i - (long)i * (i + 1) / 2 + (j - i - 1);
    }

    /// <summary>Index of the first pair of row i, i.e. (i, i+1).</summary>
    public static long RowStart(int n, int i) => (long)n * i - (long)i * (i + 1) / 2;

    /// <summary>The pair (i, j), i &lt; j, stored at condensed index k.</summary>
    public static (int I, int J) PairAt(int n, long k)
    {
        if (k < 0 || k >= Length(n)) throw new ArgumentOutOfRangeException(nameof(k));
        // Solve RowStart(i) <= k < RowStart(i+1) with the closed form, then correct round-off.
        double b = 2.0 * n - 1;
        int i = (int)Math.Floor((b - Math.Sqrt(b * b - 8.0 * k)) / 2);
        if (i < 0) i = 0;
        while (i > 0 && RowStart(n, i) > k) i--;
        while (i < n - 2 && RowStart(n, i + 1) <= k) i++;
        int j = (int)(k - RowStart(n, i)) + i + 1;
        return (i, j);
    }
}
