using Simile.Tests.Similarity;
using Simile.Comparison;
using Simile.Data;
using Simile.Inference;
using Simile.Similarity;
using Xunit;

namespace Simile.Tests.Comparison;

public class MatrixMeasureTests
{
    private static Matrix C2 => ReferenceData.Case("c2");
    private static Matrix C3 => ReferenceData.Case("c3");

    [Fact]
    public void LinearCkaMatchesNetrepAndFormula()
    {
        double cka = Cka.Linear(C2, C3);
        ReferenceData.Close(ReferenceData.Scalar("c2-c3", "numpy_formula_linear_cka"), cka);
        ReferenceData.Close(ReferenceData.Scalar("c2-c3", "netrep_LinearCKA_cos_of_angular_equals_linear_cka"), cka);
        ReferenceData.Close(ReferenceData.Scalar("c2-c3", "netrep_LinearCKA_angular_arccos"), Math.Acos(cka));
        // rsatoolbox cosine_cov on 'euclidean' RDMs is the same number
        ReferenceData.Close(ReferenceData.Scalar("c2-c3", "rsatoolbox_compare_euclidean_rdms", "cosine_cov"), cka);
    }

    [Fact]
    public void DebiasedCkaMatchesBothReferenceRoutes()
    {
        double d = Cka.LinearDebiased(C2, C3);
        ReferenceData.Close(ReferenceData.Scalar("c2-c3", "numpy_formula_debiased_linear_cka_song2012"), d);
        ReferenceData.Close(ReferenceData.Scalar("c2-c3", "numpy_formula_debiased_linear_cka_kornblith_center_gram_unbiased"), d);
        // and the explicit n×n routes written out here agree with the n²-free formula
        ReferenceData.Close(SongExplicit(C2, C3), d, 1e-12);
        ReferenceData.Close(KornblithCenterGramUnbiased(C2, C3), d, 1e-12);
    }

    [Fact]
    public void ProcrustesMatchesNetrep()
    {
        ReferenceData.Close(ReferenceData.Scalar("c2-c3", "netrep_LinearMetric_alpha1_angular"), Procrustes.AngularDistance(C2, C3));
        ReferenceData.Close(ReferenceData.Scalar("c2-c3", "numpy_formula_procrustes_angular"), Procrustes.AngularDistance(C2, C3));
        ReferenceData.Close(ReferenceData.Scalar("c2-c3", "netrep_LinearMetric_alpha1_euclidean"), Procrustes.EuclideanDistance(C2, C3));
        ReferenceData.Close(ReferenceData.Scalar("c2-c3", "numpy_formula_procrustes_nuclear_norm_XcT_Yc"), Procrustes.NuclearNorm(C2, C3));
        double cos = Math.Cos(Procrustes.AngularDistance(C2, C3));
        ReferenceData.Close(ReferenceData.Scalar("c2-c3", "scipy_spatial_procrustes_disparity_zero_padded"), 1 - cos * cos, 1e-8);
    }

    [Fact]
    public void ProcrustesCrossChecksWithBuresAndUnitFrobenius()
    {
        double angle = Procrustes.AngularDistance(C2, C3);
        ReferenceData.Close(ReferenceData.Scalar("c2-c3", "numpy_formula_procrustes_euclidean_unit_frobenius"), Math.Sqrt(2 - 2 * Math.Cos(angle)));
        // rsatoolbox 'bures' on 'euclidean' RDMs is cos(angle); its sqrtm route is only good to ~1e-9.
        ReferenceData.Close(ReferenceData.Scalar("c2-c3", "rsatoolbox_compare_euclidean_rdms", "bures"), Math.Cos(angle), 1e-8);
        // 'bures_metric' = tr A + tr B − 2‖XcᵀYc‖_*/sqrt(Px·Py) with G = XcXcᵀ/P (the RDM's 1/P)
        double nx2 = Center(C2).Values.Sum(v => v * v);
        double ny2 = Center(C3).Values.Sum(v => v * v);
        double metric = nx2 / 64 + ny2 / 48 - 2 * Procrustes.NuclearNorm(C2, C3) / Math.Sqrt(64.0 * 48);
        ReferenceData.Close(ReferenceData.Scalar("c2-c3", "rsatoolbox_compare_euclidean_rdms", "bures_metric"), metric, 1e-7);
    }

    [Fact]
    public void DescriptorLabelRdmsOfClusterMeansMatchRsatoolbox()
    {
        // rsatoolbox averages rows per label and sorts the conditions alphabetically: fruit, furniture, space.
        var labels = ReferenceData.C2Labels();
        var order = labels.Distinct().OrderBy(l => l, StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "fruit", "furniture", "space" }, order);
        var x = C2;
        var means = new Matrix(order.Length, x.Cols);
        for (int c = 0; c < order.Length; c++)
        {
            var rows = Enumerable.Range(0, x.Rows).Where(i => labels[i] == order[c]).ToArray();
            foreach (int i in rows) for (int j = 0; j < x.Cols; j++) means[c, j] += x[i, j];
            for (int j = 0; j < x.Cols; j++) means[c, j] /= rows.Length;
        }
        ReferenceData.Close(ReferenceData.Vector("c2", "rsatoolbox_rdm_euclidean_descriptor_label"),
            Dissimilarity.Compute(means, DissimilarityKind.SqEuclideanPerFeature).Condensed);
        ReferenceData.Close(ReferenceData.Vector("c2", "rsatoolbox_rdm_correlation_descriptor_label"),
            Dissimilarity.Compute(means, DissimilarityKind.Correlation).Condensed);
    }

    [Fact]
    public void ProcrustesNuclearNormMatchesJacobiReferenceOnEveryRoute()
    {
        // n=10 < 30, 25 and n=9 < 30 take the QR route; (40, 8, 12) and (15, 15, 15) the direct route. The oracle is an
        // independent cyclic-Jacobi eigen-decomposition of MᵀM written in the tests (NaiveReference).
        var rng = new SeededRandom(4);
        foreach (var (n, dx, dy) in new[] { (10, 30, 25), (40, 8, 12), (15, 15, 15), (9, 4, 30) })
        {
            var x = Random(rng, n, dx);
            var y = Random(rng, n, dy);
            double reference = NaiveReference.ProcrustesNuclearNorm(x, y);
            double viaApi = Procrustes.NuclearNorm(x, y);
            Assert.Equal(reference, viaApi, 1e-9 * reference);
            Assert.Equal(reference, Procrustes.NuclearNorm(y, x), 1e-9 * reference);
        }
    }

    [Fact]
    public void NuclearNormOfKnownSingularValues()
    {
        // M = U diag(5, 2, 1e-7) Vᵀ with orthogonal U (3×3), V (3×3) from the eigensolver.
        var rng = new SeededRandom(6);
        var u = SymmetricEigen.Decompose(Sym(rng, 3), 3).Vectors!;
        var v = SymmetricEigen.Decompose(Sym(rng, 3), 3).Vectors!;
        double[] s = [5, 2, 1e-7];
        var m = new double[9];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 3; k++) m[i * 3 + j] += u[i * 3 + k] * s[k] * v[j * 3 + k];
        Assert.Equal(7.0000001, Procrustes.NuclearNormOf(m, 3, 3), 1e-13);
    }

    [Fact]
    public void RotatedScaledCopyHasZeroProcrustesAngleAndFullCka()
    {
        var rng = new SeededRandom(7);
        var x = Random(rng, 30, 12);
        var q = RandomOrthogonal(rng, 12);
        var y = Multiply(x, q, 12);
        for (int k = 0; k < y.Values.Length; k++) y.Values[k] = 3.5 * y.Values[k] + 2.0; // scale + shift
        Assert.True(Procrustes.AngularDistance(x, y) < 1e-7);
        Assert.Equal(1.0, Cka.Linear(x, y), 1e-12);
        Assert.Equal(1.0, Cka.LinearDebiased(x, y), 1e-12);
        // a different matrix is far away
        var z = Random(rng, 30, 12);
        Assert.True(Procrustes.AngularDistance(x, z) > 0.3);
        Assert.True(Cka.Linear(x, z) < 0.9);
    }

    [Fact]
    public void CkaInvariantToOrthogonalTransformAndIsotropicScaling()
    {
        var rng = new SeededRandom(9);
        var x = Random(rng, 25, 10);
        var y = Random(rng, 25, 6);
        for (int i = 0; i < 25; i++) for (int j = 0; j < 6; j++) y[i, j] += x[i, j]; // related
        var y2 = Multiply(y, RandomOrthogonal(rng, 6), 6);
        for (int k = 0; k < y2.Values.Length; k++) y2.Values[k] *= 0.01;
        Assert.Equal(Cka.Linear(x, y), Cka.Linear(x, y2), 1e-12);
        Assert.Equal(Cka.LinearDebiased(x, y), Cka.LinearDebiased(x, y2), 1e-12);
        Assert.Equal(Procrustes.AngularDistance(x, y), Procrustes.AngularDistance(x, y2), 1e-9);
        // not invariant to a non-isotropic scaling
        var y3 = y.Clone();
        for (int i = 0; i < 25; i++) y3[i, 0] *= 10;
        Assert.NotEqual(Cka.Linear(x, y), Cka.Linear(x, y3), 1e-3);
    }

    [Fact]
    public void CkaRoutesAgree()
    {
        // Feature route (n large vs d) and Gram route (n small vs d) must give the same CKA as the explicit formula.
        var rng = new SeededRandom(10);
        foreach (var (n, dx, dy) in new[] { (60, 5, 4), (6, 40, 30) })
        {
            var x = Random(rng, n, dx);
            var y = Random(rng, n, dy);
            for (int i = 0; i < n; i++) for (int j = 0; j < Math.Min(dx, dy); j++) y[i, j] += x[i, j];
            Assert.Equal(CkaExplicit(x, y), Cka.Linear(x, y), 1e-12);
            Assert.Equal(SongExplicit(x, y), Cka.LinearDebiased(x, y), 1e-12);
        }
    }

    [Fact]
    public void RsaSurvivesRotationButDirectCorrelationDoesNot()
    {
        var rng = new SeededRandom(13);
        var x = Random(rng, 40, 20);
        var y = Multiply(x, RandomOrthogonal(rng, 20), 20);
        var a = Dissimilarity.Compute(x, DissimilarityKind.Euclidean).Condensed;
        var b = Dissimilarity.Compute(y, DissimilarityKind.Euclidean).Condensed;
        Assert.Equal(1.0, RsaMeasures.Pearson(a, b), 1e-12);
        Assert.Equal(1.0, RsaMeasures.Spearman(a, b), 1e-12);
        var self = DirectCorrelation.Compute(x, x);
        Assert.Equal(1.0, self.Mean, 1e-12);
        var rotated = DirectCorrelation.Compute(x, y);
        Assert.True(Math.Abs(rotated.Mean) < 0.1, $"direct correlation after rotation {rotated.Mean}");
        Assert.Equal(40, rotated.PerItem.Length);
    }

    [Fact]
    public void ShapeErrorsAreUserErrors()
    {
        var x = Random(new SeededRandom(1), 10, 4);
        var y = Random(new SeededRandom(2), 9, 4);
        Assert.Contains("different numbers of items", Assert.Throws<SimileException>(() => Cka.Linear(x, y)).Message);
        Assert.Throws<SimileException>(() => Cka.LinearDebiased(x, y));
        Assert.Throws<SimileException>(() => Procrustes.AngularDistance(x, y));
        Assert.Throws<SimileException>(() => Procrustes.EuclideanDistance(x, y));
        Assert.Throws<SimileException>(() => DirectCorrelation.Compute(x, y));
        var wide = Random(new SeededRandom(3), 10, 5);
        Assert.Contains("same width", Assert.Throws<SimileException>(() => DirectCorrelation.Compute(x, wide)).Message);
        var bad = x.Clone();
        bad[3, 2] = double.NaN;
        Assert.Contains("row 4, column 3", Assert.Throws<SimileException>(() => Cka.Linear(x, bad)).Message);
    }

    // ---- helpers and explicit n×n oracles ----

    private static Matrix Random(SeededRandom rng, int n, int d)
    {
        var m = new Matrix(n, d);
        for (int k = 0; k < m.Values.Length; k++) m.Values[k] = rng.NextGaussian();
        return m;
    }

    private static double[] Sym(SeededRandom rng, int n)
    {
        var a = new double[n * n];
        for (int i = 0; i < n; i++) for (int j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.NextGaussian();
        return a;
    }

    private static double[] RandomOrthogonal(SeededRandom rng, int d) => SymmetricEigen.Decompose(Sym(rng, d), d).Vectors!;

    private static Matrix Multiply(Matrix x, double[] q, int d)
    {
        var y = new Matrix(x.Rows, d);
        for (int i = 0; i < x.Rows; i++) for (int j = 0; j < d; j++) for (int k = 0; k < x.Cols; k++) y[i, j] += x[i, k] * q[k * d + j];
        return y;
    }

    private static Matrix Center(Matrix x)
    {
        var c = x.Clone();
        for (int j = 0; j < x.Cols; j++)
        {
            double m = 0;
            for (int i = 0; i < x.Rows; i++) m += x[i, j];
            m /= x.Rows;
            for (int i = 0; i < x.Rows; i++) c[i, j] -= m;
        }
        return c;
    }

    private static double[,] GramOf(Matrix x)
    {
        var c = Center(x);
        int n = x.Rows;
        var k = new double[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) for (int f = 0; f < x.Cols; f++) k[i, j] += c[i, f] * c[j, f];
        return k;
    }

    private static double CkaExplicit(Matrix x, Matrix y)
    {
        var k = GramOf(x); var l = GramOf(y);
        double kl = 0, kk = 0, ll = 0;
        foreach (var (a, b) in Pairs(k, l)) { kl += a * b; kk += a * a; ll += b * b; }
        return kl / Math.Sqrt(kk * ll);
    }

    private static IEnumerable<(double, double)> Pairs(double[,] a, double[,] b)
    {
        for (int i = 0; i < a.GetLength(0); i++) for (int j = 0; j < a.GetLength(1); j++) yield return (a[i, j], b[i, j]);
    }

    private static double HsicSong(double[,] k0, double[,] l0)
    {
        int n = k0.GetLength(0);
        var k = (double[,])k0.Clone(); var l = (double[,])l0.Clone();
        for (int i = 0; i < n; i++) { k[i, i] = 0; l[i, i] = 0; }
        double trKL = 0, sumK = 0, sumL = 0, oneKL1 = 0;
        var k1 = new double[n]; var l1 = new double[n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                trKL += k[i, j] * l[j, i]; sumK += k[i, j]; sumL += l[i, j];
                k1[i] += k[i, j]; l1[j] += l[i, j];
            }
        for (int i = 0; i < n; i++) oneKL1 += k1[i] * l1[i];
        return (trKL + sumK * sumL / ((n - 1.0) * (n - 2.0)) - 2.0 / (n - 2.0) * oneKL1) / (n * (n - 3.0));
    }

    private static double SongExplicit(Matrix x, Matrix y)
    {
        var k = GramOf(x); var l = GramOf(y);
        return HsicSong(k, l) / Math.Sqrt(HsicSong(k, k) * HsicSong(l, l));
    }

    private static double[,] CenterGramUnbiased(double[,] g0)
    {
        int n = g0.GetLength(0);
        var g = (double[,])g0.Clone();
        for (int i = 0; i < n; i++) g[i, i] = 0;
        var means = new double[n];
        double total = 0;
        for (int j = 0; j < n; j++) { for (int i = 0; i < n; i++) means[j] += g[i, j]; means[j] /= n - 2.0; total += means[j]; }
        double shift = total / (2.0 * (n - 1.0));
        for (int j = 0; j < n; j++) means[j] -= shift;
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) g[i, j] -= means[i] + means[j];
        for (int i = 0; i < n; i++) g[i, i] = 0;
        return g;
    }

    private static double KornblithCenterGramUnbiased(Matrix x, Matrix y)
    {
        var k = CenterGramUnbiased(GramOf(x)); var l = CenterGramUnbiased(GramOf(y));
        double kl = 0, kk = 0, ll = 0;
        foreach (var (a, b) in Pairs(k, l)) { kl += a * b; kk += a * a; ll += b * b; }
        return kl / Math.Sqrt(kk * ll);
    }
}
