namespace Simile.Engine;

/// <summary>
/// The one matrix-multiply kernel (SIMD, cache-blocked, multi-threaded), for float32 (transformer forward
/// pass) and float64 (similarity matrices, feature-space sums). Row-major throughout.
/// C[m×n] = op(A)[m×k] · op(B)[k×n] + beta·C, where op(A) = A (stored m×k) or Aᵀ (stored k×m), and likewise B.
/// </summary>
public static partial class Gemm
{
    // Implemented in Gemm.Kernel.cs (engine).
}
