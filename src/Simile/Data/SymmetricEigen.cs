using System.Numerics;
using System.Numerics.Tensors;

namespace Simile.Data;

/// <summary>Eigen-decomposition of a real symmetric n×n matrix.</summary>
/// <param name="N">Order of the matrix.</param>
/// <param name="Values">The n eigenvalues, ascending.</param>
/// <param name="Vectors">Row-major n×n; column k (elements [i*n + k]) is the unit eigenvector of <c>Values[k]</c>.
/// Null when only eigenvalues were requested.</param>
public sealed record SymmetricEigenDecomposition(int N, double[] Values, double[]? Vectors)
{
    /// <summary>Component i of eigenvector k.</summary>
    public double Vector(int i, int k) => Vectors![i * N + k];
}

/// <summary>
/// Symmetric eigensolver: Householder reduction to tridiagonal form, then the implicit QL algorithm with
/// Wilkinson-style shifts (the classic tred2/tql2 pair, Wilkinson &amp; Reinsch). O(n³), float64, stable;
/// the accuracy is that of a backward-stable method (eigenvalues within ~n·ε·‖A‖).
/// Used for nuclear norms (Procrustes) and anywhere a small symmetric matrix needs its spectrum.
/// </summary>
public static class SymmetricEigen
{
    /// <summary>
    /// Eigenvalues (ascending) and orthonormal eigenvectors of the symmetric matrix <paramref name="a"/> (row-major
    /// n×n; only the lower triangle, i ≥ j, is read; <paramref name="a"/> is not modified).
    /// </summary>
    public static SymmetricEigenDecomposition Decompose(double[] a, int n) => Run(a, n, wantVectors: true);

    /// <summary>Eigenvalues only (ascending): skips accumulating the transformations, roughly 3× cheaper.</summary>
    public static double[] EigenvaluesOnly(double[] a, int n) => Run(a, n, wantVectors: false).Values;

    private static SymmetricEigenDecomposition Run(double[] a, int n, bool wantVectors)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n));
        if (a.LongLength < (long)n * n) throw new ArgumentException($"a has {a.LongLength} values, expected {n}x{n}", nameof(a));
        if (n == 0) return new SymmetricEigenDecomposition(0, [], wantVectors ? [] : null);
        for (long i = 0; i < (long)n * n; i++)
            if (!double.IsFinite(a[i]))
                throw new ArgumentException($"matrix element ({i / n}, {i % n}) is {a[i]}; the eigensolver needs finite values", nameof(a));

        // u: working copy stored transposed, u[c*n + r] = V[r][c], so that the column walks of the classic algorithm
        // (V[k][j] over k) are contiguous rows of u. u starts as Aᵀ, i.e. V = A with its lower triangle read.
        var u = new double[n * n];
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
                u[c * n + r] = a[r * n + c];
        var d = new double[n];
        var e = new double[n];
        Tridiagonalise(u, d, e, n, wantVectors);

        // QL rotates whole eigenvector columns of V, i.e. rows of u (row k of w = eigenvector k).
        double[]? w = wantVectors ? u : null;
        ImplicitQl(d, e, w, n);

        // Sort ascending (selection sort on values, swapping vector rows along) — O(n²), negligible.
        for (int i = 0; i < n - 1; i++)
        {
            int k = i;
            double p = d[i];
            for (int j = i + 1; j < n; j++)
                if (d[j] < p) { k = j; p = d[j]; }
            if (k != i)
            {
                d[k] = d[i];
                d[i] = p;
                if (w is not null)
                {
                    var ri = w.AsSpan(i * n, n);
                    var rk = w.AsSpan(k * n, n);
                    for (int t = 0; t < n; t++) (ri[t], rk[t]) = (rk[t], ri[t]);
                }
            }
        }

        double[]? vectors = null;
        if (w is not null)
        {
            vectors = new double[n * n];
            for (int k = 0; k < n; k++)
                for (int i = 0; i < n; i++)
                    vectors[i * n + k] = w[k * n + i];
        }
        return new SymmetricEigenDecomposition(n, d, vectors);
    }

    /// <summary>
    /// Householder reduction of the symmetric matrix in <paramref name="v"/> (lower triangle read) to tridiagonal
    /// form: on return d = diagonal, e[1..n-1] = subdiagonal (e[0] = 0) and, when <paramref name="accumulate"/>,
    /// v = the orthogonal transformation Q with A = Q T Qᵀ.
    /// </summary>
    private static void Tridiagonalise(double[] u, double[] d, double[] e, int n, bool accumulate)
    {
        // Notation: V[r][c] is u[c*n + r]; "column j of V" is the contiguous row j of u.
        for (int j = 0; j < n; j++) d[j] = u[j * n + n - 1];

        for (int i = n - 1; i > 0; i--)
        {
            // d[0..i) holds row i of the current matrix (left of the diagonal).
            double h = 0.0;
            double scale = TensorPrimitives.SumOfMagnitudes<double>(d.AsSpan(0, i));
            if (scale == 0.0)
            {
                e[i] = d[i - 1];
                for (int j = 0; j < i; j++)
                {
                    d[j] = u[j * n + i - 1];
                    u[j * n + i] = 0.0;
                    u[i * n + j] = 0.0;
                }
            }
            else
            {
                // Householder vector (in d), scaled to avoid under/overflow.
                for (int k = 0; k < i; k++)
                {
                    d[k] /= scale;
                    h += d[k] * d[k];
                }
                double f = d[i - 1];
                double g = Math.Sqrt(h);
                if (f > 0) g = -g;
                e[i] = scale * g;
                h -= f * g;
                d[i - 1] = f - g;
                Array.Clear(e, 0, i);

                // p = A·d/h (into e), using the lower triangle of A (columns of V = rows of u).
                for (int j = 0; j < i; j++)
                {
                    f = d[j];
                    u[i * n + j] = f;                                   // V[j][i] = f
                    g = e[j] + u[j * n + j] * f;
                    int len = i - 1 - j;
                    if (len > 0)
                    {
                        var col = new ReadOnlySpan<double>(u, j * n + j + 1, len); // V[j+1..i-1][j]
                        var dk = new ReadOnlySpan<double>(d, j + 1, len);
                        var ek = new Span<double>(e, j + 1, len);
                        g += TensorPrimitives.Dot(col, dk);
                        TensorPrimitives.MultiplyAdd(col, f, ek, ek);
                    }
                    e[j] = g;
                }
                f = 0.0;
                for (int j = 0; j < i; j++)
                {
                    e[j] /= h;
                    f += e[j] * d[j];
                }
                double hh = f / (h + h);
                for (int j = 0; j < i; j++) e[j] -= hh * d[j];

                // A ← A − d·eᵀ − e·dᵀ on the lower triangle.
                for (int j = 0; j < i; j++)
                {
                    f = d[j];
                    g = e[j];
                    var col = new Span<double>(u, j * n + j, i - j);       // V[j..i-1][j]
                    TensorPrimitives.MultiplyAdd(new ReadOnlySpan<double>(e, j, i - j), -f, col, col);
                    TensorPrimitives.MultiplyAdd(new ReadOnlySpan<double>(d, j, i - j), -g, col, col);
                    d[j] = u[j * n + i - 1];
                    u[j * n + i] = 0.0;
                }
            }
            d[i] = h;
        }

        if (!accumulate)
        {
            for (int j = 0; j < n; j++) d[j] = u[j * n + j];
            e[0] = 0.0;
            return;
        }

        // Accumulate the Householder transformations.
        for (int i = 0; i < n - 1; i++)
        {
            u[i * n + n - 1] = u[i * n + i];                            // V[n-1][i] = V[i][i]
            u[i * n + i] = 1.0;
            double h = d[i + 1];
            var vi1 = new Span<double>(u, (i + 1) * n, i + 1);          // V[0..i][i+1]
            if (h != 0.0)
            {
                for (int k = 0; k <= i; k++) d[k] = vi1[k] / h;
                var dk = new ReadOnlySpan<double>(d, 0, i + 1);
                for (int j = 0; j <= i; j++)
                {
                    var vj = new Span<double>(u, j * n, i + 1);         // V[0..i][j]
                    double g = TensorPrimitives.Dot<double>(vi1, vj);
                    TensorPrimitives.MultiplyAdd(dk, -g, vj, vj);
                }
            }
            vi1.Clear();
        }
        for (int j = 0; j < n; j++)
        {
            d[j] = u[j * n + n - 1];
            u[j * n + n - 1] = 0.0;
        }
        u[(n - 1) * n + n - 1] = 1.0;
        e[0] = 0.0;
    }

    /// <summary>
    /// Implicit QL iterations on the tridiagonal (d, e); d becomes the eigenvalues (unsorted) and, when
    /// <paramref name="w"/> is given, its rows (eigenvector k = row k) are rotated along.
    /// </summary>
    private static void ImplicitQl(double[] d, double[] e, double[]? w, int n)
    {
        for (int i = 1; i < n; i++) e[i - 1] = e[i];
        e[n - 1] = 0.0;

        double f = 0.0, tst1 = 0.0;
        const double eps = 2.220446049250313e-16; // 2^-52
        int maxIterations = 60 * Math.Max(n, 1);
        for (int l = 0; l < n; l++)
        {
            // Find a small subdiagonal element.
            tst1 = Math.Max(tst1, Math.Abs(d[l]) + Math.Abs(e[l]));
            int m = l;
            while (m < n - 1 && Math.Abs(e[m]) > eps * tst1) m++;

            if (m > l)
            {
                int iter = 0;
                do
                {
                    if (++iter > maxIterations)
                        throw new InvalidOperationException("symmetric eigensolver did not converge");

                    // Shift from the leading 2×2 block.
                    double g = d[l];
                    double p = (d[l + 1] - g) / (2.0 * e[l]);
                    double r = Hypot(p, 1.0);
                    if (p < 0) r = -r;
                    d[l] = e[l] / (p + r);
                    d[l + 1] = e[l] * (p + r);
                    double dl1 = d[l + 1];
                    double h = g - d[l];
                    for (int i = l + 2; i < n; i++) d[i] -= h;
                    f += h;

                    // Implicit QL sweep from m up to l.
                    p = d[m];
                    double c = 1.0, c2 = c, c3 = c;
                    double el1 = e[l + 1];
                    double s = 0.0, s2 = 0.0;
                    for (int i = m - 1; i >= l; i--)
                    {
                        c3 = c2;
                        c2 = c;
                        s2 = s;
                        g = c * e[i];
                        h = c * p;
                        r = Hypot(p, e[i]);
                        e[i + 1] = s * r;
                        s = e[i] / r;
                        c = p / r;
                        p = c * d[i] - s * g;
                        d[i + 1] = h + s * (c * g + s * d[i]);

                        if (w is not null) Rotate(w.AsSpan(i * n, n), w.AsSpan((i + 1) * n, n), c, s);
                    }
                    p = -s * s2 * c3 * el1 * e[l] / dl1;
                    e[l] = s * p;
                    d[l] = c * p;
                } while (Math.Abs(e[l]) > eps * tst1);
            }
            d[l] += f;
            e[l] = 0.0;
        }
    }

    /// <summary>(x, y) ← (c·x − s·y, s·x + c·y) elementwise: one Givens rotation of two eigenvectors.</summary>
    private static void Rotate(Span<double> x, Span<double> y, double c, double s)
    {
        int n = x.Length, k = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            var vc = new Vector<double>(c);
            var vs = new Vector<double>(s);
            for (; k <= n - Vector<double>.Count; k += Vector<double>.Count)
            {
                var xv = new Vector<double>(x.Slice(k));
                var yv = new Vector<double>(y.Slice(k));
                (vs * xv + vc * yv).CopyTo(y.Slice(k));
                (vc * xv - vs * yv).CopyTo(x.Slice(k));
            }
        }
        for (; k < n; k++)
        {
            double t = y[k];
            y[k] = s * x[k] + c * t;
            x[k] = c * x[k] - s * t;
        }
    }

    private static double Hypot(double a, double b)
    {
        a = Math.Abs(a);
        b = Math.Abs(b);
        if (a < b) (a, b) = (b, a);
        if (a == 0.0) return 0.0;
        double r = b / a;
        return a * Math.Sqrt(1.0 + r * r);
    }
}
