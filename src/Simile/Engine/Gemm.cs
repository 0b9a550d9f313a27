namespace Simile.Engine;

/// <summary>
/// The one matrix-multiply kernel, for float32 (transformer forward pass) and float64 (similarity matrices,
/// feature-space sums). Row-major throughout:
/// <c>C[m×n] = op(A)[m×k] · op(B)[k×n] + beta·C</c>, where op(A) = A (stored m×k, row stride lda) or Aᵀ
/// (A stored k×m, row stride lda), and likewise for B; C has row stride ldc.
/// </summary>
/// <remarks>
/// Cache-blocked and packed (BLIS loop order), SIMD micro-kernel (Vector512 or Vector256 with FMA),
/// multi-threaded over tiles of C for large products. Every element of C is computed by the same sequence of
/// operations (a fused multiply-add chain per block of 256 along k, added to C) whatever the thread count, the
/// shape of the call or the element's position: results are bit-identical for any <see cref="MaxThreads"/>, and
/// identical input rows give identical outputs (exact ties stay ties).
/// When beta is 0, C is overwritten (NaN/garbage in C is ignored), as in BLAS.
/// </remarks>
public static partial class Gemm
{
    /// <summary>The inner dimension is summed in blocks of this many terms, each block's fused multiply-add chain added
    /// to C: a product split along k at multiples of it, the parts after the first added with beta = 1, gives the same
    /// bits as the whole product.</summary>
    public const int InnerBlock = 256;

    /// <summary>Upper bound on worker threads (default: all processors). 1 forces a single-threaded run.</summary>
    public static int MaxThreads { get; set; } = Environment.ProcessorCount;

    /// <summary>Micro-kernel in use on this machine, e.g. "Vector512 8x32 (float)"; for benchmarks and reports.</summary>
    public static string KernelDescription<T>() where T : unmanaged, System.Numerics.INumber<T>
        => GemmKernel<T>.Description;

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
        => GemmKernel<float>.Run(a, lda, b, ldb, c, ldc, m, n, k, transposeA, transposeB, beta);

    /// <inheritdoc cref="Multiply(ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, Span{float}, int, int, int, int, bool, bool, float)"/>
    public static void Multiply(ReadOnlySpan<double> a, int lda, ReadOnlySpan<double> b, int ldb, Span<double> c, int ldc,
        int m, int n, int k, bool transposeA = false, bool transposeB = false, double beta = 0.0)
        => GemmKernel<double>.Run(a, lda, b, ldb, c, ldc, m, n, k, transposeA, transposeB, beta);

    /// <summary>The strided float64 product on the calling thread only (for callers that parallelise over many products).</summary>
    internal static void MultiplyOnThisThread(ReadOnlySpan<double> a, int lda, ReadOnlySpan<double> b, int ldb, Span<double> c, int ldc,
        int m, int n, int k, bool transposeA = false, bool transposeB = false, double beta = 0.0)
        => GemmKernel<double>.Run(a, lda, b, ldb, c, ldc, m, n, k, transposeA, transposeB, beta, maxThreads: 1);
}
