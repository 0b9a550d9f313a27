using Simile.Data;
using Simile.Engine;
using Simile.Inference;

namespace Simile.Analyses;

/// <summary>
/// Random orthogonal matrices for the rotation control: QR of a d×d standard Gaussian matrix, with Q's columns
/// signed so that R has a positive diagonal, which makes Q Haar-distributed (uniform over the orthogonal group).
/// </summary>
public static class RandomRotation
{
    /// <summary>A d×d orthogonal matrix drawn from the seed (row-major).</summary>
    public static Matrix Orthogonal(int d, ulong seed)
    {
        if (d < 1) throw new ArgumentOutOfRangeException(nameof(d));
        var random = new SeededRandom(seed);
        // Columns of a Gaussian matrix, stored column-major as rows of g: g[c] is column c (length d).
        var g = new double[d][];
        for (int c = 0; c < d; c++)
        {
            g[c] = new double[d];
            for (int r = 0; r < d; r++) g[c][r] = Gaussian(random);
        }
        // Modified Gram-Schmidt, twice ("twice is enough") for orthogonality to round-off. The norms are R's
        // diagonal, positive by construction, so no sign correction is needed.
        for (int c = 0; c < d; c++)
        {
            var col = g[c];
            for (int pass = 0; pass < 2; pass++)
                for (int p = 0; p < c; p++)
                {
                    double dot = System.Numerics.Tensors.TensorPrimitives.Dot<double>(g[p], col);
                    for (int r = 0; r < d; r++) col[r] -= dot * g[p][r];
                }
            double norm = System.Numerics.Tensors.TensorPrimitives.Norm<double>(col);
            if (norm < 1e-12) throw new InvalidOperationException("degenerate Gaussian draw (probability zero)");
            for (int r = 0; r < d; r++) col[r] /= norm;
        }
        var q = new Matrix(d, d);
        for (int c = 0; c < d; c++)
            for (int r = 0; r < d; r++) q[r, c] = g[c][r];
        return q;
    }

    /// <summary>X·Q: every row (n × d) rotated by the d × d matrix Q.</summary>
    public static Matrix Apply(Matrix x, Matrix q)
    {
        if (q.Rows != x.Cols || q.Cols != x.Cols) throw new ArgumentException($"rotation is {q.Rows}×{q.Cols}, vectors have {x.Cols} dims");
        var y = new Matrix(x.Rows, x.Cols);
        Gemm.Multiply(x.Values, q.Values, y.Values, x.Rows, x.Cols, x.Cols);
        return y;
    }

    /// <summary>Standard normal draw by Box–Muller (one of the pair; simple and exact).</summary>
    private static double Gaussian(SeededRandom random)
    {
        double u1 = 1.0 - random.NextDouble();   // (0, 1]
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
