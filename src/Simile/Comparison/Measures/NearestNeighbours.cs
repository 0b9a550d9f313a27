using System.Numerics.Tensors;
using Simile.Data;
using Simile.Engine;

namespace Simile.Comparison.Measures;

/// <summary>
/// Exact top-k neighbour search through the blocked GEMM: a block of rows against all items at a time (S_block =
/// X_block·Xᵀ, at most ~64 MB), then a running top-k per row, so memory is O(n·(d + k) + block) and no n×n matrix is
/// held. Cost n²·d multiply-adds, screened in float32 with a proven error bound and decided in float64 (see
/// <see cref="Screened"/>), so the lists are those of exact float64 scores. Identical rows give bit-identical scores, so
/// duplicated items tie exactly and the lower index wins.
/// </summary>
public static class NearestNeighbours
{
    /// <summary>Bytes of the similarity block held at once.</summary>
    public const long BlockBytes = 64L << 20;

    /// <summary>Neighbours by raw inner product xᵢ·xⱼ.</summary>
    public static NeighbourLists ByInnerProduct(Matrix x, int k) => Search(x, k);

    /// <summary>Neighbours by cosine similarity (rows scaled to unit length; all-zero rows stay zero, as sklearn's normalize).</summary>
    public static NeighbourLists ByCosine(Matrix x, int k) => Search(UnitRows(x), k);

    public static Matrix UnitRows(Matrix x)
    {
        var u = x.Clone();
        for (int i = 0; i < x.Rows; i++)
        {
            var r = u.Row(i);
            double norm = Math.Sqrt(TensorPrimitives.Dot<double>(r, r));
            if (norm > 0) TensorPrimitives.Divide(r, norm, r);
        }
        return u;
    }

    public static void CheckK(int n, int k, string measure)
    {
        if (k < 1)
            throw new SimileException($"{measure}: --k is {k}", "give a neighbour count k of at least 1 (default 10)");
        if (k > n - 1)
            throw new SimileException($"{measure}: k = {k} neighbours but only {n} items ({n - 1} neighbours each)",
                $"give --k at most {n - 1}");
    }

    private static NeighbourLists Search(Matrix x, int k)
    {
        int n = x.Rows, d = x.Cols;
        CheckK(n, k, "nearest neighbours");
        var norms = new double[n];
        double maxNorm = 0, maxAbs = 0;
        for (int i = 0; i < n; i++)
        {
            var r = x.RowReadOnly(i);
            norms[i] = Math.Sqrt(TensorPrimitives.Dot(r, r));
            maxNorm = Math.Max(maxNorm, norms[i]);
            maxAbs = Math.Max(maxAbs, TensorPrimitives.MaxMagnitude(r));
        }
        // float32 screening is exact only within float32's range (with headroom for the products)
        return maxAbs < 1e15 && maxNorm < 1e15 ? Screened(x, k, norms, maxNorm) : Direct(x, k);
    }

    /// <summary>The float64 GEMM route (inputs beyond float32's range).</summary>
    private static NeighbourLists Direct(Matrix x, int k)
    {
        int n = x.Rows, d = x.Cols;
        var index = new int[(long)n * k];
        var score = new double[(long)n * k];
        int block = (int)Math.Clamp(BlockBytes / 8 / Math.Max(1, n), 1, n);
        var s = new double[(long)block * n];
        for (int r0 = 0; r0 < n; r0 += block)
        {
            int rows = Math.Min(block, n - r0);
            Gemm.Multiply(x.Values.AsSpan(r0 * d, rows * d), d, x.Values, d, s, n, rows, n, d, transposeB: true);
            Parallel.For(0, rows, r =>
            {
                int i = r0 + r;
                SelectTop(s.AsSpan(r * n, n), i, index.AsSpan(i * k, k), score.AsSpan(i * k, k));
            });
        }
        return new NeighbourLists(n, k, index, score);
    }

    /// <summary>Rows per block of the symmetric screening pass (a block pair's float32 scores: 16 MB). Results do not depend on it (tests shrink it).</summary>
    internal static int SymmetricBlock { get; set; } = 2048;

    /// <summary>
    /// Screen in float32, decide in float64. S32 = X32·X32ᵀ is computed for the block pairs (I, J), J ≥ I only (the upper
    /// half: half the GEMM work), each block serving the rows of I and, transposed, the rows of J. Every row keeps the
    /// float32 scores that may still matter: with t its running k-th largest and Δᵢ = (d+3)·u·1.01·‖xᵢ‖·max‖xⱼ‖
    /// (u = 2⁻²⁴) a bound on the float32 error of any score of the row (input rounding plus a d-term dot product in any
    /// order), an entry below t − 2Δᵢ can never be a true neighbour (k items have true score ≥ t − Δᵢ, so the true k-th
    /// score is ≥ t − Δᵢ and every true neighbour has s32 ≥ t − 2Δᵢ; t only grows). At the end the survivors are re-scored
    /// in float64 and the exact top-k (ties to the lower index) is taken from them. Identical rows give identical float64
    /// scores, so duplicated items tie exactly. Memory: the float32 copy, one block pair, and the survivors (≈ k per row).
    /// </summary>
    private static NeighbourLists Screened(Matrix x, int k, double[] norms, double maxNorm)
    {
        int n = x.Rows, d = x.Cols;
        var xf = new float[(long)n * d];
        for (long e = 0; e < xf.LongLength; e++) xf[e] = (float)x.Values[e];
        double gamma = (d + 3) * Math.Pow(2, -24) * 1.01;
        var slack = new double[n];
        for (int i = 0; i < n; i++) slack[i] = 2 * gamma * norms[i] * maxNorm;
        var rows = new Survivors[n];
        for (int i = 0; i < n; i++) rows[i] = new Survivors(k, slack[i]);

        int b = Math.Min(SymmetricBlock, n);
        var s = new float[(long)b * b];
        var t = new float[(long)b * b];
        for (int i0 = 0; i0 < n; i0 += b)
        {
            int bi = Math.Min(b, n - i0);
            for (int j0 = i0; j0 < n; j0 += b)
            {
                int bj = Math.Min(b, n - j0);
                Gemm.Multiply(xf.AsSpan(i0 * d, bi * d), d, xf.AsSpan(j0 * d, bj * d), d, s, bj, bi, bj, d, transposeB: true);
                bool diagonal = i0 == j0;
                Parallel.For(0, bi, r => rows[i0 + r].Scan(s.AsSpan(r * bj, bj), j0, diagonal ? r : -1));
                if (diagonal) continue;
                // the same block, transposed, for the rows of J
                Parallel.For(0, bj, c =>
                {
                    for (int r = 0; r < bi; r++) t[(long)c * bi + r] = s[(long)r * bj + c];
                });
                Parallel.For(0, bj, c => rows[j0 + c].Scan(t.AsSpan(c * bi, bi), i0, -1));
            }
        }

        var index = new int[(long)n * k];
        var score = new double[(long)n * k];
        Parallel.For(0, n, i =>
        {
            var cand = rows[i].Final();                 // column indices, increasing
            var xi = x.RowReadOnly(i);
            var idx = index.AsSpan(i * k, k);
            var val = score.AsSpan(i * k, k);
            int f = 0;
            foreach (int j in cand)                     // increasing index: equal scores keep the lower index
            {
                double v = TensorPrimitives.Dot(xi, x.RowReadOnly(j));
                if (f == k && !(v > val[k - 1])) continue;
                int pos = f == k ? k - 1 : f;
                while (pos > 0 && val[pos - 1] < v) { if (pos < k) { val[pos] = val[pos - 1]; idx[pos] = idx[pos - 1]; } pos--; }
                val[pos] = v; idx[pos] = j;
                if (f < k) f++;
            }
            rows[i] = null!;
        });
        return new NeighbourLists(n, k, index, score);
    }

    /// <summary>One row's float32 scores that can still belong to its top k (see <see cref="Screened"/>).</summary>
    private sealed class Survivors(int k, double slack)
    {
        private float[] _v = new float[Math.Max(4 * k, 32)];
        private int[] _j = new int[Math.Max(4 * k, 32)];
        private int _count;
        private double _line = double.NegativeInfinity;   // t − 2Δ for the running k-th largest t
        private float[]? _scratch;

        public void Offer(float v, int j)
        {
            if (v < _line) return;
            if (_count == _v.Length) Prune();
            _v[_count] = v; _j[_count] = j; _count++;
        }

        /// <summary>Offers scores[c] as column first + c (skipping column <paramref name="skip"/>): SIMD compare against the line, scalar only where some score passes.</summary>
        public void Scan(ReadOnlySpan<float> scores, int first, int skip)
        {
            int w = System.Numerics.Vector<float>.Count, c = 0;
            var lf = new System.Numerics.Vector<float>(LineAsFloat());
            for (; c + w <= scores.Length; c += w)
            {
                var v = new System.Numerics.Vector<float>(scores.Slice(c, w));
                if (!System.Numerics.Vector.GreaterThanOrEqualAny(v, lf)) continue;
                for (int e = c; e < c + w; e++)
                    if (e != skip) Offer(scores[e], first + e);
                lf = new System.Numerics.Vector<float>(LineAsFloat());
            }
            for (; c < scores.Length; c++)
                if (c != skip) Offer(scores[c], first + c);
        }

        /// <summary>The line rounded down to float32 (so the SIMD pre-filter never rejects a score Offer would keep).</summary>
        private float LineAsFloat()
        {
            if (double.IsNegativeInfinity(_line)) return float.NegativeInfinity;
            float f = (float)_line;
            return f > _line ? MathF.BitDecrement(f) : f;
        }

        private void Prune()
        {
            if (_count >= k)
            {
                _scratch ??= new float[_v.Length];
                if (_scratch.Length < _count) _scratch = new float[_v.Length];
                Array.Copy(_v, _scratch, _count);
                Array.Sort(_scratch, 0, _count);
                double kth = _scratch[_count - k];
                _line = Math.Max(_line, kth - slack);
                int w = 0;
                for (int e = 0; e < _count; e++)
                    if (_v[e] >= _line) { _v[w] = _v[e]; _j[w] = _j[e]; w++; }
                _count = w;
            }
            if (_count > _v.Length / 2)
            {
                Array.Resize(ref _v, _v.Length * 2);
                Array.Resize(ref _j, _j.Length * 2);
            }
        }

        /// <summary>The candidates after a last prune, as increasing column indices.</summary>
        public int[] Final()
        {
            Prune();
            var c = _j.AsSpan(0, _count).ToArray();
            Array.Sort(c);
            return c;
        }
    }

    /// <summary>
    /// Fills idx/val with the k largest entries of row (excluding column <paramref name="self"/>), descending; among
    /// equal values the lower column comes first. Insertion into a sorted buffer: columns are visited in increasing
    /// order, so a later column never displaces an equal earlier one.
    /// </summary>
    internal static void SelectTop(ReadOnlySpan<double> row, int self, Span<int> idx, Span<double> val)
    {
        int k = idx.Length, filled = 0;
        for (int j = 0; j < row.Length; j++)
        {
            if (j == self) continue;
            double v = row[j];
            if (filled == k && !(v > val[k - 1])) continue;
            int pos = filled == k ? k - 1 : filled;
            // shift down entries with a smaller value (strictly): equal values stay ahead
            while (pos > 0 && val[pos - 1] < v)
            {
                if (pos < k) { val[pos] = val[pos - 1]; idx[pos] = idx[pos - 1]; }
                pos--;
            }
            val[pos] = v; idx[pos] = j;
            if (filled < k) filled++;
        }
    }
}
