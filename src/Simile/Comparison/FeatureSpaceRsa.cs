using Simile.Data;
using Simile.Engine;
using Simile.Similarity;

namespace Simile.Comparison;

/// <summary>
/// RSA between two models' n×d matrices in feature space (CKA: <see cref="Cka"/>): O(n·dA·dB) time, O(dA·dB) extra memory
/// (plus one normalised copy of each input), float64 throughout. No n×n or n(n−1)/2 array is ever built.
/// </summary>
/// <remarks>
/// Every supported dissimilarity is written as M_ij = α_i + α_j + c·u_i·u_j with transformed rows u_i:
/// <list type="bullet">
/// <item>cosine: u = x/|x|, α = ½, c = −1 (M = 1 − cosine similarity);</item>
/// <item>correlation: u = (x − mean(x))/|x − mean(x)|, α = ½, c = −1 (M = 1 − r);</item>
/// <item>sqeuclidean-per-feature: u = x − column mean (distances do not change), α = |u|²/P, c = −2/P.</item>
/// </list>
/// Summed over all (i, j): ΣM = 2nΣα + c|Uᵀ1|², and
/// Σ M^A M^B = 2n αA·αB + 2ΣαA ΣαB + 2cB (VᵀαA)·(Vᵀ1) + 2cA (UᵀαB)·(Uᵀ1) + cA cB ‖UᵀV‖_F²;
/// the upper triangle is half of (all − diagonal). For the cosine and correlation kinds the sums are taken in
/// similarity form (α = 0, c = 1), which cancels less, and converted (a = 1 − s) afterwards; Pearson is the
/// same either way. Plain euclidean distance (a square root) has no such form: use the rank route or the
/// explicit route for it.
/// </remarks>
public static class FeatureSpaceRsa
{
    /// <summary>Whether <paramref name="kind"/> has a feature-space form (all but plain euclidean).</summary>
    public static bool Supports(DissimilarityKind kind) => kind != DissimilarityKind.Euclidean;

    /// <summary>Upper-triangle sums of the two kind-<paramref name="kind"/> dissimilarity vectors of the rows of a and b.</summary>
    public static UpperTriangleSums Sums(Matrix a, Matrix b, DissimilarityKind kind,
        IReadOnlyList<string>? rowNames = null, MatrixSources? sources = null)
    {
        CheckPair(a, b);
        sources ??= MatrixSources.Default;
        var sa = RowModel.Create(a, kind, sources.A, rowNames);
        var sb = RowModel.Create(b, kind, sources.B, rowNames);
        return Combine(sa, sb, CrossAll(sa, sb), DiagonalProduct(sa.Diagonal, sb.Diagonal, null), kind);
    }

    /// <summary>Pearson r between the condensed dissimilarity vectors (equals Pearson of the similarities).</summary>
    public static double Pearson(Matrix a, Matrix b, DissimilarityKind kind, IReadOnlyList<string>? rowNames = null)
        => Sums(a, b, kind, rowNames).Pearson;

    /// <summary>
    /// The pair prepared for repeated Pearson evaluations under item permutations of b (the permutation test in
    /// Inference drives it): <see cref="Observed"/> is r for the identity, <see cref="PearsonUnder"/> r when b's items are
    /// relabelled by π (rows and columns of its dissimilarity matrix), through VᵀPU on the calling thread.
    /// </summary>
    public sealed class PermutablePair
    {
        private readonly RowModel _a, _b;
        private readonly DissimilarityKind _kind;
        public int Items => _a.N;
        public double Observed { get; }

        internal PermutablePair(Matrix a, Matrix b, DissimilarityKind kind, IReadOnlyList<string>? rowNames, MatrixSources? sources = null)
        {
            CheckPair(a, b);
            _kind = kind;
            sources ??= MatrixSources.Default;
            _a = RowModel.Create(a, kind, sources.A, rowNames);
            _b = RowModel.Create(b, kind, sources.B, rowNames);
            Observed = Combine(_a, _b, CrossAll(_a, _b), DiagonalProduct(_a.Diagonal, _b.Diagonal, null), kind).Pearson;
        }

        public double PearsonUnder(int[] perm)
        {
            var permuted = _b.Permuted(perm);
            double cross = CrossAll(_a, permuted, onThisThread: true);
            double diag = DiagonalProduct(_a.Diagonal, _b.Diagonal, perm);
            return Combine(_a, _b, cross, diag, _kind).Pearson;
        }
    }

    /// <summary>Prepares a and b for Pearson RSA under item permutations (see <see cref="PermutablePair"/>).</summary>
    public static PermutablePair Permutable(Matrix a, Matrix b, DissimilarityKind kind, IReadOnlyList<string>? rowNames = null,
        MatrixSources? sources = null)
        => new(a, b, kind, rowNames, sources);

    /// <summary>
    /// Both models in feature-space form, prepared once for many weighted sums (the item bootstrap at scale).
    /// </summary>
    public sealed class Prepared
    {
        private readonly RowModel _a, _b;
        private readonly DissimilarityKind _kind;
        public int N => _a.N;

        public Prepared(Matrix a, Matrix b, DissimilarityKind kind, IReadOnlyList<string>? rowNames = null, MatrixSources? sources = null)
        {
            CheckPair(a, b);
            _kind = kind;
            sources ??= MatrixSources.Default;
            _a = RowModel.Create(a, kind, sources.A, rowNames);
            _b = RowModel.Create(b, kind, sources.B, rowNames);
        }

        /// <summary>The unweighted upper-triangle sums (as <see cref="Sums"/>).</summary>
        public UpperTriangleSums Sums() => Combine(_a, _b, CrossAll(_a, _b), DiagonalProduct(_a.Diagonal, _b.Diagonal, null), _kind);

        /// <summary>
        /// Sums over the pairs i &lt; j weighted by w_i·w_j (w = item multiplicities of a bootstrap resample: pair (i, j)
        /// of distinct items occurs w_i·w_j times, pairs of an item with its own copy are not pairs). Pairs = Σ_{i&lt;j} w_i w_j.
        /// Cost: three products (dA², dB², dA·dB) over n rows, on the calling thread.
        /// </summary>
        public UpperTriangleSums WeightedSums(double[] w)
        {
            int n = N;
            if (w.Length != n) throw new ArgumentException("one weight per item", nameof(w));
            var sw = new double[n];
            double w1 = 0, w2 = 0;
            for (int i = 0; i < n; i++) { sw[i] = Math.Sqrt(w[i]); w1 += w[i]; w2 += w[i] * w[i]; }
            var ua = Scaled(_a, sw);
            var ub = Scaled(_b, sw);
            var ta = WeightedTerms(_a, w, w1);
            var tb = WeightedTerms(_b, w, w1);
            double aa = WeightedCross(_a, _b: _a, ua, ua, w, w1, ta, ta);
            double bb = WeightedCross(_b, _b, ub, ub, w, w1, tb, tb);
            double ab = WeightedCross(_a, _b, ua, ub, w, w1, ta, tb);
            double diagA = 0, diagB = 0, diagAA = 0, diagBB = 0, diagAB = 0;
            for (int i = 0; i < n; i++)
            {
                double q = w[i] * w[i], x = _a.Diagonal[i], y = _b.Diagonal[i];
                diagA += q * x; diagB += q * y; diagAA += q * x * x; diagBB += q * y * y; diagAB += q * x * y;
            }
            double pairs = 0.5 * (w1 * w1 - w2);
            double sa = 0.5 * (ta.SumAll - diagA), sb = 0.5 * (tb.SumAll - diagB);
            double saa = 0.5 * (aa - diagAA), sbb = 0.5 * (bb - diagBB), sab = 0.5 * (ab - diagAB);
            long p = (long)Math.Round(pairs);
            if (_kind is DissimilarityKind.Cosine or DissimilarityKind.Correlation)
                return new UpperTriangleSums(p, pairs - sa, pairs - sb, pairs - 2 * sa + saa, pairs - 2 * sb + sbb, pairs - sa - sb + sab);
            return new UpperTriangleSums(p, sa, sb, saa, sbb, sab);
        }

        private static double[] Scaled(RowModel x, double[] sw)
        {
            var u = new double[x.U.Length];
            int d = x.Dims;
            for (int i = 0; i < x.N; i++)
                System.Numerics.Tensors.TensorPrimitives.Multiply(new ReadOnlySpan<double>(x.U, i * d, d), sw[i], u.AsSpan(i * d, d));
            return u;
        }

        /// <summary>Per-model weighted terms: Σ w α, Uᵀw, Uᵀ(w∘α), and Σ_{i,j} w_i w_j M_ij.</summary>
        private sealed record Terms(double SumWAlpha, double[] UtW, double[]? UtWAlpha, double SumAll);

        private static Terms WeightedTerms(RowModel x, double[] w, double w1)
        {
            var utw = x.TransposeTimes(w);
            double swa = 0;
            double[]? utwa = null;
            if (x.Alpha is not null)
            {
                var wa = new double[x.N];
                for (int i = 0; i < x.N; i++) { wa[i] = w[i] * x.Alpha[i]; swa += wa[i]; }
                utwa = x.TransposeTimes(wa);
            }
            double all = 2.0 * w1 * swa + x.C * Dot(utw, utw);
            return new Terms(swa, utw, utwa, all);
        }

        /// <summary>Σ_{i,j} w_i w_j M^X_ij M^Y_ij (diagonal included), from √w-scaled rows.</summary>
        private static double WeightedCross(RowModel x, RowModel _b, double[] ux, double[] uy, double[] w, double w1, Terms tx, Terms ty)
        {
            var y = _b;
            double s = x.C * y.C * FrobeniusSquaredOfProduct(ux, x.Dims, uy, y.Dims, x.N, onThisThread: true);
            if (x.Alpha is null && y.Alpha is null) return s;
            double dot = 0;
            var ax = x.Alpha ?? new double[x.N];
            var ay = y.Alpha ?? new double[x.N];
            for (int i = 0; i < x.N; i++) dot += w[i] * ax[i] * ay[i];
            s += 2.0 * w1 * dot + 2.0 * tx.SumWAlpha * ty.SumWAlpha;
            if (x.Alpha is not null) s += 2 * y.C * Dot(y.TransposeTimes(Multiply(w, x.Alpha)), ty.UtW);
            if (y.Alpha is not null) s += 2 * x.C * Dot(x.TransposeTimes(Multiply(w, y.Alpha)), tx.UtW);
            return s;
        }

        private static double[] Multiply(double[] w, double[] alpha)
        {
            var r = new double[w.Length];
            for (int i = 0; i < w.Length; i++) r[i] = w[i] * alpha[i];
            return r;
        }
    }

    private static void CheckPair(Matrix a, Matrix b)
    {
        if (a.Rows != b.Rows)
            throw new SimileException($"the two matrices have {a.Rows} and {b.Rows} rows; RSA needs the same items in the same order",
                "give both models the same word list");
        if (a.Rows < 3)
            throw new SimileException($"only {a.Rows} items: a correlation over item pairs needs at least 3 items", "use a longer word list");
    }

    /// <summary>‖UᵀV‖_F² for U (n×du) and V (n×dv), row-major; the product is du×dv.</summary>
    internal static double FrobeniusSquaredOfProduct(double[] u, int du, double[] v, int dv, int n, bool onThisThread = false)
    {
        var p = new double[(long)du * dv];
        if (onThisThread) Gemm.MultiplyOnThisThread(u, du, v, dv, p, dv, du, dv, n, transposeA: true);
        else Gemm.Multiply(u, v, p, du, dv, n, transposeA: true);
        return System.Numerics.Tensors.TensorPrimitives.Dot(p, p);
    }

    /// <summary>Σ over all (i, j) of M^A_ij M^B_ij (diagonal included).</summary>
    private static double CrossAll(RowModel a, RowModel b, bool onThisThread = false)
    {
        int n = a.N;
        double s = a.C * b.C * FrobeniusSquaredOfProduct(a.U, a.Dims, b.U, b.Dims, n, onThisThread);
        if (a.Alpha is null && b.Alpha is null) return s;
        var alphaA = a.Alpha ?? new double[n];
        var alphaB = b.Alpha ?? new double[n];
        double dot = 0, sumA = 0, sumB = 0;
        for (int i = 0; i < n; i++) { dot += alphaA[i] * alphaB[i]; sumA += alphaA[i]; sumB += alphaB[i]; }
        s += 2.0 * n * dot + 2.0 * sumA * sumB;
        if (a.Alpha is not null) s += 2 * b.C * Dot(b.TransposeTimes(alphaA), b.ColumnSums);
        if (b.Alpha is not null) s += 2 * a.C * Dot(a.TransposeTimes(alphaB), a.ColumnSums);
        return s;
    }

    /// <summary>Σ_i diagA_i · diagB_{perm(i)} (perm null = identity).</summary>
    private static double DiagonalProduct(double[] diagA, double[] diagB, int[]? perm)
    {
        double s = 0;
        for (int i = 0; i < diagA.Length; i++) s += diagA[i] * diagB[perm is null ? i : perm[i]];
        return s;
    }

    private static double Dot(double[] x, double[] y) => System.Numerics.Tensors.TensorPrimitives.Dot<double>(x, y);

    private static UpperTriangleSums Combine(RowModel a, RowModel b, double crossAll, double crossDiagonal, DissimilarityKind kind)
    {
        long m = CondensedIndex.Length(a.N);
        double sa = 0.5 * (a.SumAll - a.SumDiagonal);
        double sb = 0.5 * (b.SumAll - b.SumDiagonal);
        double saa = 0.5 * (a.SquaresAll - a.SquaresDiagonal);
        double sbb = 0.5 * (b.SquaresAll - b.SquaresDiagonal);
        double sab = 0.5 * (crossAll - crossDiagonal);
        if (kind is DissimilarityKind.Cosine or DissimilarityKind.Correlation)
        {
            // Sums were taken over similarities s; the dissimilarity is 1 − s.
            double ma = m;
            return new UpperTriangleSums(m, ma - sa, ma - sb, ma - 2 * sa + saa, ma - 2 * sb + sbb, ma - sa - sb + sab);
        }
        return new UpperTriangleSums(m, sa, sb, saa, sbb, sab);
    }

    /// <summary>One model's rows in the M_ij = α_i + α_j + c·u_i·u_j form, with the sums that do not involve the other model.</summary>
    private sealed class RowModel
    {
        public int N, Dims;
        public double[] U = [];         // n×d, row-major
        public double[]? Alpha;         // n, null = all zero
        public double C;
        public double[] Diagonal = [];  // M_ii, n
        public double[] ColumnSums = [];// Uᵀ1, d
        public double SumAll, SumDiagonal, SquaresAll, SquaresDiagonal;

        public double[] TransposeTimes(double[] w)
        {
            var r = new double[Dims];   // Uᵀw, d
            for (int i = 0; i < N; i++)
            {
                var row = new ReadOnlySpan<double>(U, i * Dims, Dims);
                double wi = w[i];
                for (int c = 0; c < Dims; c++) r[c] += wi * row[c];
            }
            return r;
        }

        /// <summary>The same model with its items relabelled: row i of the result is row perm[i]. Only U and α are permuted.</summary>
        public RowModel Permuted(int[] perm)
        {
            var u = new double[U.Length];
            for (int i = 0; i < N; i++)
                Array.Copy(U, (long)perm[i] * Dims, u, (long)i * Dims, Dims);
            double[]? alpha = null;
            if (Alpha is not null)
            {
                alpha = new double[N];
                for (int i = 0; i < N; i++) alpha[i] = Alpha[perm[i]];
            }
            return new RowModel { N = N, Dims = Dims, U = u, Alpha = alpha, C = C, ColumnSums = ColumnSums };
        }

        public static RowModel Create(Matrix x, DissimilarityKind kind, string label, IReadOnlyList<string>? rowNames)
        {
            int n = x.Rows, d = x.Cols;
            if (!Supports(kind))
                throw new SimileException($"the {kind.Name()} dissimilarity has no feature-space form (it is a square root of a quadratic form)",
                    "use sqeuclidean-per-feature (the same ranks), or the rank measures of the whole-vocabulary route");
            // u: n×d unit rows (cosine), centred unit rows (correlation) or column-centred rows (sqeuclidean-per-feature)
            var rows = DissimilarityRows.Prepare(x, kind, rowNames, label);
            var u = rows.U.Values;
            double[]? alpha = null;
            double c = 1;
            if (kind == DissimilarityKind.SqEuclideanPerFeature)
            {
                // M_ij = α_i + α_j − (2/P)·u_i·u_j with α_i = |u_i|²/P
                alpha = MatrixRows.SquaredNorms(rows.U);
                for (int i = 0; i < n; i++) alpha[i] /= d;
                c = -2.0 / d;
            }

            var model = new RowModel { N = n, Dims = d, U = u, Alpha = alpha, C = c };
            model.ColumnSums = model.TransposeTimes(Enumerable.Repeat(1.0, n).ToArray());
            model.Diagonal = new double[n];
            for (int i = 0; i < n; i++)
            {
                var row = new ReadOnlySpan<double>(u, i * d, d);
                model.Diagonal[i] = (alpha is null ? 0 : 2 * alpha[i]) + c * System.Numerics.Tensors.TensorPrimitives.Dot(row, row);
            }
            double sumAlpha = alpha?.Sum() ?? 0;
            model.SumAll = 2.0 * n * sumAlpha + c * Dot(model.ColumnSums, model.ColumnSums);
            model.SumDiagonal = model.Diagonal.Sum();
            model.SquaresAll = CrossAll(model, model);
            model.SquaresDiagonal = DiagonalProduct(model.Diagonal, model.Diagonal, null);
            return model;
        }
    }
}
