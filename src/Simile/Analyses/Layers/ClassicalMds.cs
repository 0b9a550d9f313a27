using Simile.Data;
using Simile.Similarity;

namespace Simile.Analyses.Layers;

/// <summary>
/// A low-dimensional embedding from classical MDS: Coordinates is n × Dimensions, row-major. ExplainedFraction is the
/// kept positive eigenvalues over trace(B) = the sum of all eigenvalues (the usual share for Euclidean distances; with
/// non-Euclidean distances B has negative eigenvalues too and the share can exceed 1).
/// </summary>
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

        var (values, vectors, trace) = TopEigenpairs(b, n, dimensions);
        var coords = new double[n * dimensions];
        for (int c = 0; c < dimensions; c++)
        {
            double lambda = values[c];
            double scale = Math.Sqrt(Math.Max(lambda, 0));
            // Sign convention: the largest-magnitude component of each axis is positive (stable pictures).
            int arg = 0;
            for (int i = 1; i < n; i++) if (Math.Abs(vectors[i * dimensions + c]) > Math.Abs(vectors[arg * dimensions + c])) arg = i;
            double sign = vectors[arg * dimensions + c] < 0 ? -1 : 1;
            for (int i = 0; i < n; i++) coords[i * dimensions + c] = sign * scale * vectors[i * dimensions + c];
        }
        double explained = trace > 0 ? values.Where(v => v > 0).Sum() / trace : double.NaN;
        return new MdsResult(n, dimensions, coords, values, explained);
    }

    /// <summary>Above this size the top eigenpairs come from subspace iteration instead of a full decomposition.</summary>
    internal const int FullDecompositionUpTo = 400;

    /// <summary>
    /// The <paramref name="k"/> largest (algebraic) eigenvalues of the symmetric n×n <paramref name="b"/>, their unit
    /// eigenvectors (n×k row-major), and the trace of <paramref name="b"/> (the sum of all its eigenvalues). Small matrices: full decomposition. Large ones: block subspace iteration with Rayleigh–Ritz
    /// on a block of k + 6 vectors (deterministic start), falling back to the full decomposition if it has not converged.
    /// </summary>
    internal static (double[] Values, double[] Vectors, double Trace) TopEigenpairs(double[] b, int n, int k, int? fullUpTo = null)
    {
        if (n > (fullUpTo ?? FullDecompositionUpTo))
        {
            var iterated = SubspaceIteration(b, n, k);
            if (iterated is not null) return iterated.Value;
        }
        var eig = SymmetricEigen.Decompose(b, n);
        var values = new double[k];
        var vectors = new double[n * k];
        for (int c = 0; c < k; c++)
        {
            int col = n - 1 - c; // ascending order → largest last
            values[c] = eig.Values[col];
            for (int i = 0; i < n; i++) vectors[i * k + c] = eig.Vector(i, col);
        }
        double trace = 0;
        for (int i = 0; i < n; i++) trace += b[(long)i * n + i];
        return (values, vectors, trace);
    }

    private static (double[] Values, double[] Vectors, double Trace)? SubspaceIteration(double[] b, int n, int k)
    {
        int p = Math.Min(n, k + 6);
        var q = new double[(long)n * p]; // n×p
        var rng = new Simile.Inference.SeededRandom(0x4D44535EED); // a fixed start: not a statistical draw
        for (long i = 0; i < q.LongLength; i++) q[i] = rng.NextGaussian();
        Orthonormalize(q, n, p);
        var z = new double[(long)n * p];
        var t = new double[p * p];
        double[] ritzValues = new double[p];
        for (int iter = 0; iter < 3000; iter++)
        {
            Engine.Gemm.Multiply(b, q, z, n, p, n);                                  // Z = B·Q
            Engine.Gemm.Multiply(q, z, t, p, p, n, transposeA: true);               // T = QᵀBQ
            var small = SymmetricEigen.Decompose(t, p);
            // Ritz vectors Q·W and B·Q·W (= Z·W); order by value descending.
            var w = new double[p * p];
            for (int i = 0; i < p; i++) for (int j = 0; j < p; j++) w[i * p + j] = small.Vector(i, p - 1 - j);
            var qNew = new double[(long)n * p];
            var bq = new double[(long)n * p];
            Engine.Gemm.Multiply(q, w, qNew, n, p, p);
            Engine.Gemm.Multiply(z, w, bq, n, p, p);
            for (int j = 0; j < p; j++) ritzValues[j] = small.Values[p - 1 - j];
            bool converged = true;
            double scale = Math.Max(Math.Abs(ritzValues[0]), 1e-300);
            for (int j = 0; j < k && converged; j++)
            {
                double res = 0;
                for (int i = 0; i < n; i++) { double d = bq[(long)i * p + j] - ritzValues[j] * qNew[(long)i * p + j]; res += d * d; }
                if (Math.Sqrt(res) > 1e-10 * scale) converged = false;
            }
            if (converged)
            {
                double trace = 0;
                for (int i = 0; i < n; i++) trace += b[(long)i * n + i];
                var vectors = new double[n * k];
                for (int i = 0; i < n; i++) for (int j = 0; j < k; j++) vectors[i * k + j] = qNew[(long)i * p + j];
                return (ritzValues.Take(k).ToArray(), vectors, trace);
            }
            // Next block: B·(Ritz vectors), orthonormalised.
            Array.Copy(bq, q, q.LongLength);
            Orthonormalize(q, n, p);
        }
        return null;
    }

    /// <summary>Modified Gram–Schmidt on the p columns of the n×p row-major matrix.</summary>
    private static void Orthonormalize(double[] q, int n, int p)
    {
        for (int j = 0; j < p; j++)
        {
            for (int pass = 0; pass < 2; pass++)
                for (int l = 0; l < j; l++)
                {
                    double dot = 0;
                    for (int i = 0; i < n; i++) dot += q[(long)i * p + j] * q[(long)i * p + l];
                    for (int i = 0; i < n; i++) q[(long)i * p + j] -= dot * q[(long)i * p + l];
                }
            double norm = 0;
            for (int i = 0; i < n; i++) norm += q[(long)i * p + j] * q[(long)i * p + j];
            norm = Math.Sqrt(norm);
            if (norm == 0) { q[(long)(j % n) * p + j] = 1; continue; }
            for (int i = 0; i < n; i++) q[(long)i * p + j] /= norm;
        }
    }

    /// <summary>MDS of a representation's cosine distances (1 − cosine similarity).</summary>
    public static MdsResult OfCosineDistances(Matrix x, int dimensions = 2, IReadOnlyList<string>? words = null)
    {
        var sim = LayerMath.CosineSimilarityCondensed(x, words);
        for (int i = 0; i < sim.Length; i++) sim[i] = Math.Max(0.0, 1.0 - sim[i]);
        return Embed(sim, x.Rows, dimensions);
    }
}
