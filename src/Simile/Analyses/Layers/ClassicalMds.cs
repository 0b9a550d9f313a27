using Simile.Data;
using Simile.Similarity;

namespace Simile.Analyses.Layers;

/// <summary>A low-dimensional embedding from classical MDS: Coordinates is n × Dimensions, row-major.</summary>
public sealed record MdsResult(int N, int Dimensions, double[] Coordinates, double[] Eigenvalues, double ExplainedFraction)
{
    public double X(int i) => Coordinates[i * Dimensions];
    public double Y(int i) => Coordinates[i * Dimensions + 1];
}

/// <summary>
/// Classical (Torgerson) MDS: B = −½ J D⁽²⁾ J with J = I − 11ᵀ/n, coordinates = top eigenvectors × √eigenvalue.
/// For Euclidean distances it recovers the configuration up to rotation, reflection and translation.
/// </summary>
public static class ClassicalMds
{
    /// <summary>Embeds the condensed distances (pdist order, length n(n−1)/2) in <paramref name="dimensions"/> dimensions.</summary>
    public static MdsResult Embed(ReadOnlySpan<double> condensedDistances, int n, int dimensions = 2)
    {
        if (condensedDistances.Length != CondensedIndex.Length(n))
            throw new ArgumentException($"expected {CondensedIndex.Length(n)} distances for n={n}");
        if (dimensions < 1 || dimensions > n) throw new ArgumentOutOfRangeException(nameof(dimensions));
        // b = −½ D∘D (n×n), then double-centre.
        var b = new double[(long)n * n];
        long k = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++, k++)
            {
                double v = -0.5 * condensedDistances[(int)k] * condensedDistances[(int)k];
                b[(long)i * n + j] = v; b[(long)j * n + i] = v;
            }
        var rowMean = new double[n];
        double grand = 0;
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int j = 0; j < n; j++) s += b[(long)i * n + j];
            rowMean[i] = s / n; grand += s;
        }
        grand /= (double)n * n;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) b[(long)i * n + j] += grand - rowMean[i] - rowMean[j];

        var eig = SymmetricEigen.Decompose(b, n);
        var coords = new double[n * dimensions];
        var values = new double[dimensions];
        double positive = eig.Values.Where(v => v > 0).Sum();
        for (int c = 0; c < dimensions; c++)
        {
            int col = n - 1 - c; // ascending order → largest last
            double lambda = eig.Values[col];
            values[c] = lambda;
            double scale = Math.Sqrt(Math.Max(lambda, 0));
            // Sign convention: the largest-magnitude component of each axis is positive (stable pictures).
            int arg = 0;
            for (int i = 1; i < n; i++) if (Math.Abs(eig.Vector(i, col)) > Math.Abs(eig.Vector(arg, col))) arg = i;
            double sign = eig.Vector(arg, col) < 0 ? -1 : 1;
            for (int i = 0; i < n; i++) coords[i * dimensions + c] = sign * scale * eig.Vector(i, col);
        }
        double explained = positive > 0 ? values.Where(v => v > 0).Sum() / positive : double.NaN;
        return new MdsResult(n, dimensions, coords, values, explained);
    }

    /// <summary>MDS of a representation's cosine distances (1 − cosine similarity).</summary>
    public static MdsResult OfCosineDistances(Matrix x, int dimensions = 2, IReadOnlyList<string>? words = null)
    {
        var sim = LayerMath.CosineSimilarityCondensed(x, words);
        for (int i = 0; i < sim.Length; i++) sim[i] = Math.Max(0.0, 1.0 - sim[i]);
        return Embed(sim, x.Rows, dimensions);
    }
}
