using Simile.Data;
using Simile.Similarity;

namespace Simile.Comparison.Measures;

/// <summary>
/// Every measure Simile computes, by canonical name: direction, invariances, identity value, cost/limit, the reference
/// implementation it reproduces and the known divergences between peers. <see cref="Compute"/> evaluates any of them.
/// </summary>
public static class MeasureRegistry
{
    private const Invariance Rot = Invariance.Rotation, Sc = Invariance.IsotropicScaling, Lin = Invariance.InvertibleLinear,
        Perm = Invariance.Permutation, Tr = Invariance.Translation;
    private const string Any = "any n; feature-space products, cost n·d²";
    private const string Knn = "any n; blocked GEMM with a running top-k per row: time n²·d, memory O(n·k + 64 MB block)";
    private static readonly string Quadratic = $"n ≤ {ResiMeasures.QuadraticLimit:N0}: holds n×n float64 matrices";
    private const int Unlimited = int.MaxValue;

    private const string Platonic = "Huh et al. 2024, The Platonic Representation Hypothesis; minyoungg/platonic-rep metrics.py AlignmentMetrics";
    private const string PlatonicDivergence = "neighbours by RAW inner product on the rows as given (cosine only if rows are unit length; platonic-rep's measure_alignment.py L2-normalises first — do so yourself to match its pipeline); ties: torch.argsort order is implementation-defined, Simile takes the lower index";
    private const string Resi = "Klabunde et al. 2024, ReSi benchmark; mklabunde/resi repsim.measures";
    private const string ResiKnn = "cosine neighbours; ReSi drops the first neighbour assuming it is the item itself (with duplicated rows the duplicate can be dropped instead); Simile excludes the item explicitly, ties to the lower index";

    private static MeasureInfo Rsa(RsaMeasure m) => new(
        m.Name(), "rsa", "--rdm (cosine)", MeasureDirection.Similarity, Rot | Sc | Perm, 1.0, true,
        Quadratic + " (compare's rsa block has its own large-scale routes)", ResiMeasures.QuadraticLimit,
        "Kriegeskorte et al. 2008 (RSA); Nili et al. 2014 (rsatoolbox) for tau_a/rho_a",
        "with --rdm cosine; other RDMs change the invariances (correlation: also per-row translation)",
        inputs =>
        {
            var (a, b) = inputs.Rdms();
            return RsaMeasures.Compute(m, a.Condensed, b.Condensed);
        });

    /// <summary>All measures, in listing order.</summary>
    public static IReadOnlyList<MeasureInfo> All { get; } = Build();

    private static IReadOnlyList<MeasureInfo> Build()
    {
        var list = new List<MeasureInfo>();
        foreach (var m in Enum.GetValues<RsaMeasure>()) list.Add(Rsa(m));
        list.Add(new("cka", "kernel", "", MeasureDirection.Similarity, Rot | Sc | Tr | Perm, 1.0, true, Any, Unlimited,
            "Kornblith et al. 2019, linear CKA; google-research representation_similarity (= ReSi CKA = cos of netrep LinearCKA)",
            "platonic-rep cka adds 1e-6 to the denominator and does not centre features inside its pipeline's l2 step; compare's JSON also gives linear_debiased",
            i => Cka.Linear(i.X, i.Y)));
        list.Add(new("procrustes", "shape", "", MeasureDirection.Distance, Rot | Sc | Tr | Perm, 0.0, true, Any, Unlimited,
            "Williams et al. 2021, angular Procrustes shape metric; netrep LinearMetric(alpha=1, angular) = shape_metric at its defaults",
            "ReSi orthogonal_angular_shape_metric does not centre",
            i => Procrustes.AngularDistance(i.X, i.Y)));
        list.Add(new("direct", "direct", "", MeasureDirection.Similarity, Sc, 1.0, true, "any n; needs equal widths", Unlimited,
            "mean per-item Pearson correlation of the two vectors of an item", "",
            i => DirectCorrelation.Compute(i.X, i.Y).Mean));

        // platonic-rep kNN set
        list.Add(new("mutual_knn", "knn", "--k (10)", MeasureDirection.Similarity, Rot | Sc | Perm, 1.0, true, Knn, Unlimited,
            Platonic + " mutual_knn", PlatonicDivergence + "; the peer sums in float32 (values ~1e-8 off the exact fraction); ReSi jaccard_knn uses |∩|/|∪| and cosine",
            i => { var (a, b) = i.InnerProductNeighbours("mutual_knn"); return KnnMeasures.MutualKnn(a, b); }));
        list.Add(new("cycle_knn", "knn", "--k (10)", MeasureDirection.Similarity, Rot | Sc | Perm, null, false, Knn, Unlimited,
            Platonic + " cycle_knn: i counts when it is an X-neighbour of one of its Y-neighbours", PlatonicDivergence + "; asymmetric, and measure_alignment.py calls compute_score(y, x) (arguments swapped)",
            i => { var (a, b) = i.InnerProductNeighbours("cycle_knn"); return KnnMeasures.CycleKnn(a, b); }));
        list.Add(new("lcs_knn", "knn", "--k (10)", MeasureDirection.Similarity, Rot | Sc | Perm, 10.0, true, Knn, Unlimited,
            Platonic + " lcs_knn: mean longest common subsequence of the ordered lists (0..k, not divided by k)", PlatonicDivergence + "; order-sensitive, hence tie-sensitive; identity value is k",
            i => { var (a, b) = i.InnerProductNeighbours("lcs_knn"); return KnnMeasures.LcsKnn(a, b); }));
        list.Add(new("edit_distance_knn", "knn", "--k (10)", MeasureDirection.Similarity, Rot | Sc | Perm, 1.0, true, Knn, Unlimited,
            Platonic + " edit_distance_knn: 1 − mean Levenshtein(ordered lists)/k", PlatonicDivergence + "; order-sensitive",
            i => { var (a, b) = i.InnerProductNeighbours("edit_distance_knn"); return KnnMeasures.EditDistanceKnn(a, b); }));
        list.Add(new("cknna", "knn", "--k (10, ≥ 2)", MeasureDirection.Similarity, Rot | Perm, 1.0, false, Knn, Unlimited,
            Platonic + " cknna(unbiased=True): HSIC_u of kNN-masked inner-product kernels / (sqrt(..) + 1e-6)", PlatonicDivergence + "; the +1e-6 makes it slightly scale-dependent; nearly symmetric (~1e-3)",
            i => { var (a, b) = i.InnerProductNeighbours("cknna"); return KnnMeasures.Cknna(a, b); }));
        // ReSi kNN set
        list.Add(new("jaccard_knn", "knn", "--k (10)", MeasureDirection.Similarity, Rot | Sc | Perm, 1.0, true, Knn, Unlimited,
            Resi + " JaccardSimilarity", ResiKnn,
            i => { var (a, b) = i.CosineNeighbours("jaccard_knn"); return KnnMeasures.Jaccard(a, b); }));
        list.Add(new("rank_similarity", "knn", "--k (10)", MeasureDirection.Similarity, Rot | Sc | Perm, 1.0, true, Knn, Unlimited,
            Resi + " RankSimilarity", ResiKnn,
            i => { var (a, b) = i.CosineNeighbours("rank_similarity"); return KnnMeasures.RankSimilarity(a, b); }));
        list.Add(new("second_order_cosine", "knn", "--k (10)", MeasureDirection.Similarity, Rot | Sc | Perm, 1.0, true, Knn, Unlimited,
            Resi + " SecondOrderCosineSimilarity (cosine of the vectors of cosine DISTANCES to the union of both lists)", ResiKnn,
            i => { var (a, b) = i.CosineNeighbours("second_order_cosine"); var (ux, uy) = i.UnitRows(); return KnnMeasures.SecondOrderCosine(a, b, ux, uy); }));
        // kernels
        list.Add(new("cka_rbf", "kernel", "--rbf-threshold (0.5)", MeasureDirection.Similarity, Rot | Sc | Tr | Perm, 1.0, true, Quadratic, ResiMeasures.QuadraticLimit,
            "Kornblith et al. 2019, RBF CKA; google-research representation_similarity Demo.ipynb (gram_rbf, cka)",
            "σ² = threshold² × median of all n² squared distances (diagonal zeros included); platonic-rep cka(kernel='rbf') uses an absolute σ = 1 (≈ 1 for any pair on raw data)",
            i => ResiMeasures.CkaRbf(i.X, i.Y, i.Parameters.RbfThreshold, debiased: false)));
        list.Add(new("cka_rbf_debiased", "kernel", "--rbf-threshold (0.5)", MeasureDirection.Similarity, Rot | Sc | Tr | Perm, 1.0, true, Quadratic, ResiMeasures.QuadraticLimit,
            "Kornblith et al. 2019 debiased CKA (U-centred Grams, Székely & Rizzo 2014) with the RBF kernel; google-research Demo.ipynb cka(debiased=True)",
            "platonic-rep unbiased_cka adds 1e-6 to the unnormalised denominator",
            i => ResiMeasures.CkaRbf(i.X, i.Y, i.Parameters.RbfThreshold, debiased: true)));
        // CCA family
        list.Add(new("cca_r2", "cca", "", MeasureDirection.Similarity, Rot | Sc | Lin | Perm, 1.0, true, Any, Unlimited,
            "Kornblith et al. 2019 R²_CCA; google-research Demo.ipynb cca(): ‖QxᵀQy‖²_F / min(dX, dY) on RAW (uncentred) features",
            "divides by the smaller width, not the rank; uncentred (so not translation-invariant); rank-deficient inputs: Simile uses the numerical column space (the notebook's QR pads it with arbitrary directions)",
            i => CcaMeasures.MeanSquaredCca(i.X, i.Y)));
        list.Add(new("svcca", "cca", "", MeasureDirection.Similarity, Rot | Sc | Tr | Perm, 1.0, true, Any, Unlimited,
            "Raghu et al. 2017 SVCCA as intended: top PCs holding 99 % of each side's variance, then the mean canonical correlation",
            "ReSi's copy keeps ONE component (threshold bug: |corr(PC1, PC1)|); platonic-rep standardises columns and uses a randomised top-10 SVD + iterative CCA (RNG-dependent)",
            i => CcaMeasures.Svcca(i.X, i.Y)));
        list.Add(new("pwcca", "cca", "", MeasureDirection.Similarity, Sc, 1.0, false, Any, Unlimited,
            "Morcos et al. 2018 projection-weighted CCA; ReSi PWCCA (google svcca pwcca.py, epsilon 0)",
            "defined only for width(X) ≤ width(Y) < n (the original fails otherwise — IndexError when X is wider, AssertionError when n ≤ width(X), LinAlgError when n ≤ width(Y): null with a note); the neuron means are added back onto the directions and the weights use raw neurons (quirks of the original), so the value depends on the signs of the canonical directions, which the peer takes from LAPACK gesdd and Simile from its eigensolver: expect agreement only to ~1e-4 (random data) .. ~1e-3 (token embeddings with large means, e.g. 600 words minilm vs arctic-xs: Simile 0.91324, peer 0.91428, other sign choices 0.9137–0.9146); invariant to invertible maps of Y only",
            i => CcaMeasures.Pwcca(i.X, i.Y)));
        // shape metrics
        list.Add(new("shape_metric", "shape", "--alpha (1), --score (angular)", MeasureDirection.Distance, Rot | Sc | Tr | Perm, 0.0, true, Any, Unlimited,
            "Williams et al. 2021 generalized shape metrics; ahwillia/netrep LinearMetric(alpha, center_columns, zero_pad, score_method)",
            "alpha = 0 is invariant to invertible linear maps (CCA-like); euclidean score is not scale-invariant; netrep's variance-preserving rescale counts the zero-padded columns (λ = 1e-7); alpha=1 euclidean = ReSi ProcrustesSizeAndShapeDistance, alpha=1 angular = ReSi OrthogonalAngularShapeMetricCentered",
            i => ShapeMeasures.LinearMetric(i.X, i.Y, i.Parameters.Alpha, i.Parameters.Score)));
        list.Add(new("permutation_metric", "shape", "--score (angular)", MeasureDirection.Distance, Sc | Tr | Perm, 0.0, true, Any, Unlimited,
            "Williams et al. 2021; ahwillia/netrep PermutationMetric (centred, zero-padded, linear_sum_assignment)",
            "ReSi PermutationProcrustes does not centre (m1: 45.24 vs 44.81); euclidean score is not scale-invariant",
            i => ShapeMeasures.PermutationMetric(i.X, i.Y, i.Parameters.Score)));
        // ReSi set
        list.Add(new("rsm_norm_difference", "resi", "", MeasureDirection.Distance, Rot | Tr | Perm, 0.0, true, Quadratic, ResiMeasures.QuadraticLimit,
            Resi + " RSMNormDifference", "np.linalg.norm(D_X − D_Y, ord=2) on square Euclidean distance matrices = the SPECTRAL norm (not Frobenius, which the code comment suggests)",
            i => ResiMeasures.RsmNormDifference(i.X, i.Y)));
        list.Add(new("aligned_cosine", "resi", "", MeasureDirection.Similarity, Rot | Sc | Perm, 1.0, true, Any, Unlimited,
            Resi + " AlignedCosineSimilarity", "no centring; all-zero rows are skipped",
            i => ResiMeasures.AlignedCosine(i.X, i.Y)));
        list.Add(new("hard_correlation_match", "resi", "", MeasureDirection.Similarity, Sc | Tr | Perm, 1.0, true, Any, Unlimited,
            Resi + " HardCorrelationMatch", "signed correlations; a constant feature has correlation 0 with every feature (as the peer: 1 − sklearn cosine distance of a zero vector)",
            i => ResiMeasures.HardCorrelationMatch(i.X, i.Y)));
        list.Add(new("soft_correlation_match", "resi", "", MeasureDirection.Similarity, Sc | Tr | Perm, 1.0, true, Any, Unlimited,
            Resi + " SoftCorrelationMatch", "signed correlations; a constant feature has correlation 0 with every feature (as the peer)",
            i => ResiMeasures.SoftCorrelationMatch(i.X, i.Y)));
        list.Add(new("linear_regression", "resi", "", MeasureDirection.Similarity, Rot | Sc | Tr | Perm, 1.0, false, Any, Unlimited,
            Resi + " LinearRegression: R² of predicting the FIRST matrix from the SECOND", "asymmetric; with n ≤ d (YᵀY singular) Simile uses the pseudo-inverse (value 1) where ReSi's sqrtm returns ~1 − 1e-8",
            i => ResiMeasures.LinearRegression(i.X, i.Y)));
        list.Add(new("distance_correlation", "resi", "", MeasureDirection.Similarity, Rot | Sc | Tr | Perm, 1.0, true, Quadratic, ResiMeasures.QuadraticLimit,
            Resi + " DistanceCorrelation (Székely et al. 2007, biased V-statistic)", "",
            i => ResiMeasures.DistanceCorrelation(i.X, i.Y)));
        list.Add(new("eigenspace_overlap", "resi", "", MeasureDirection.Similarity, Rot | Sc | Lin | Perm, 1.0, true, Any, Unlimited,
            Resi + " EigenspaceOverlapScore", "raw (uncentred) column spaces; divided by the larger WIDTH, not the rank",
            i => CcaMeasures.EigenspaceOverlap(i.X, i.Y)));
        list.Add(new("magnitude_difference", "resi", "", MeasureDirection.Distance, Rot | Perm, 0.0, true, Any, Unlimited,
            Resi + " MagnitudeDifference", "absolute difference, no normalisation (ReSi's *_nrmse variants are 0.5 whenever the values differ)",
            i => ResiMeasures.MagnitudeDifference(i.X, i.Y)));
        list.Add(new("concentricity_difference", "resi", "", MeasureDirection.Distance, Rot | Sc | Perm, 0.0, true, Any, Unlimited,
            Resi + " ConcentricityDifference", "an all-zero row (or an all-zero mean row) counts as cosine 0, as sklearn's cosine in the peer",
            i => ResiMeasures.ConcentricityDifference(i.X, i.Y)));
        list.Add(new("uniformity_difference", "resi", "", MeasureDirection.Distance, Rot | Tr | Perm, 0.0, true,
            "any n; streams GEMM blocks of squared distances: time n²·d, memory O(n + 64 MB block)", Unlimited,
            Resi + " UniformityDifference (Wang & Isola 2020 uniformity)", "ReSi does not normalise rows to the sphere as Wang & Isola do (raw data: U ≈ log(1/n), differences ≈ 0)",
            i => ResiMeasures.UniformityDifference(i.X, i.Y)));
        list.Add(new("gulp", "resi", "", MeasureDirection.Distance, Rot | Sc | Tr | Lin | Perm, 0.0, true, Any, Unlimited,
            "Boix-Adserà et al. 2022 GULP; " + Resi + " Gulp(lmbda=0)", "a SQUARED distance; needs width ≤ n on both sides (null with a note otherwise); eigenvalues inverted when above the Gram's rounding level λ_max·max(n, d)·ε (the peer inverts everything > 0, so an exactly-zero eigenvalue from a constant or duplicated feature counts or not depending on the sign of its rounding; LAPACK rounds it either way: on tests/reference/measures-extra x8 it counts it and reports one rank more; Simile treats it as 0, i.e. the exact-arithmetic rank_x + rank_y − 2·Σρ²); on ill-conditioned inputs (σ_min/σ_max ≲ 1e-7, e.g. LayerNorm'd hidden states) the inverse of the near-null eigenvalue is rounding noise in the peer and in Simile alike and the two differ at ~1e-4 (minilm layer 3 vs token, 600 words: Simile 203.158, peer 203.202, exact-arithmetic rank_x + rank_y − 2·Σρ² 203.229)",
            i => ResiMeasures.Gulp(i.X, i.Y)));
        return list;
    }

    private static readonly Dictionary<string, MeasureInfo> ByName = All.ToDictionary(m => m.Name, StringComparer.Ordinal);

    public static IReadOnlyList<string> Names { get; } = All.Select(m => m.Name).ToList();

    /// <summary>The measures whose values live in their own JSON blocks of <c>compare</c> (rsa, cka, procrustes, direct_correlation).</summary>
    public static readonly IReadOnlySet<string> Legacy = new HashSet<string>(
        ["pearson", "spearman", "kendall_tau_b", "tau_a", "rho_a", "cosine", "cka", "procrustes", "direct"], StringComparer.Ordinal);

    public static string Normalise(string name) => name.Trim().ToLowerInvariant().Replace('-', '_');

    public static bool TryGet(string name, out MeasureInfo info) => ByName.TryGetValue(Normalise(name), out info!);

    public static MeasureInfo Get(string name)
    {
        if (TryGet(name, out var info)) return info;
        throw new SimileException($"unknown measure '{name}'", $"use one of {string.Join(",", Names)} (see 'simile measures')");
    }

    /// <summary>f(X, Y) for a registered measure (checks shapes and finiteness; SimileException on user errors).</summary>
    public static double Compute(string name, Matrix x, Matrix y, MeasureParameters? parameters = null)
        => Compute(Get(name), new MeasureInputs(x, y, parameters));

    public static double Compute(MeasureInfo measure, MeasureInputs inputs)
    {
        MatrixChecks.SameItems(inputs.X, inputs.Y, measure.Name);
        if (inputs.X.Rows > measure.MaxItems)
            throw new SimileException(
                $"{measure.Name} is limited to {measure.MaxItems:N0} items (got {inputs.X.Rows:N0}): {measure.Scale}",
                $"use a sample of at most {measure.MaxItems:N0} items, or a measure that scales to any n (mutual_knn, cknna, cka, cca_r2, svcca, shape_metric, ...; see 'simile measures')");
        return measure.Compute(inputs);
    }
}
