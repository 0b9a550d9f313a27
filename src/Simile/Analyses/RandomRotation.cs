using System.Numerics.Tensors;
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
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static Matrix Orthogonal(int d, ulong seed)
    {
        if (d < 1) throw new ArgumentOutOfRangeException(nameof(d));
        var random = new SeededRandom(seed);
        // Columns of a Gaussian matrix, stored column-major as rows of g: g[c] is column c (length d).
        var g = new double[d][];
        for (int c = 0; c < d; c++)
        {
            g[c] = new double[d];
            for (int r = 0; r < d; r++) g[c][r] = random.NextGaussian();
        }
        // Modified Gram-Schmidt, twice ("twice is enough") for orthogonality to round-off. The norms are R's
        // diagonal, positive by construction, so no sign correction is needed.
        for (int c = 0; c < d; c++)
        {
            var col = g[c];
            for (int pass = 0; pass < 2; pass++)
                for (int p = 0; p < c; p++)
                {
                    double dot = TensorPrimitives.Dot<double>(g[p], col);
                    TensorPrimitives.MultiplyAdd<double>(g[p], -dot, col, col);   // col -= dot · g[p]
                }
            double norm = TensorPrimitives.Norm<double>(col);
            if (norm < 1e-12) throw new InvalidOperationException("degenerate Gaussian draw (probability zero)");
            TensorPrimitives.Divide<double>(col, norm, col);
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
}
