namespace Simile.Engine;

/// <summary>
/// The one matrix-multiply kernel, for float32 (transformer forward pass) and float64 (similarity matrices,
/// feature-space sums). Row-major throughout:
/// <c>C[m×n] = op(A)[m×k] · op(B)[k×n] + beta·C</c>, where op(A) = A (stored m×k, row stride lda) or Aᵀ
/// (A stored k×m, row stride lda), and likewise for B; C has row stride ldc.
/// </summary>
public static partial class Gemm
{
    /// <summary>C = op(A)·op(B) + beta·C with dense strides (lda/ldb/ldc = the stored row lengths).</summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k,
        bool transposeA = false, bool transposeB = false, float beta = 0f)
        => Multiply(a, transposeA ? m : k, b, transposeB ? k : n, c, n, m, n, k, transposeA, transposeB, beta);

    /// <inheritdoc cref="Multiply(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, bool, bool, float)"/>
    public static void Multiply(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> c, int m, int n, int k,
        bool transposeA = false, bool transposeB = false, double beta = 0.0)
        => Multiply(a, transposeA ? m : k, b, transposeB ? k : n, c, n, m, n, k, transposeA, transposeB, beta);

    /// <summary>Strided form: lda, ldb, ldc are the row strides of A, B and C as stored.</summary>
    public static void Multiply(ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc,
        int m, int n, int k, bool transposeA = false, bool transposeB = false, float beta = 0f)
    {
        // Plain reference loop; replaced by the blocked SIMD kernel.
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float s = 0;
                for (int p = 0; p < k; p++)
                    s += (transposeA ? a[p * lda + i] : a[i * lda + p]) * (transposeB ? b[j * ldb + p] : b[p * ldb + j]);
                c[i * ldc + j] = beta == 0f ? s : s + beta * c[i * ldc + j];
            }
    }

    /// <inheritdoc cref="Multiply(ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, Span{float}, int, int, int, int, bool, bool, float)"/>
    public static void Multiply(ReadOnlySpan<double> a, int lda, ReadOnlySpan<double> b, int ldb, Span<double> c, int ldc,
        int m, int n, int k, bool transposeA = false, bool transposeB = false, double beta = 0.0)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += (transposeA ? a[p * lda + i] : a[i * lda + p]) * (transposeB ? b[j * ldb + p] : b[p * ldb + j]);
                c[i * ldc + j] = beta == 0.0 ? s : s + beta * c[i * ldc + j];
            }
    }
}
