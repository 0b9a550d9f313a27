using Simile.Analyses.Planning;
using Simile.Comparison;
using Simile.Comparison.Measures;
using Simile.Data;
using Simile.Inference;
using Simile.Similarity;

namespace Simile.Analyses;

/// <summary>
/// Compares two items × features matrices of the same items (the <c>compare</c> verb): second-order RSA
/// between their within-model dissimilarity matrices, linear CKA (plain and debiased), angular Procrustes
/// distance, per-item direct correlation (equal widths only), and optionally a seeded permutation test
/// and bootstrap interval.
/// <para>Items: both matrices need the same number of rows (at least 3). When both have item names they must
/// name the same items; if the order differs, B's rows are reordered to A's order (a note says so).</para>
/// </summary>
public static class PairComparison
{
    public const int MinimumItems = 3;

    public static PairComparisonResult Run(LabeledMatrix a, LabeledMatrix b, PairComparisonOptions? options = null)
    {
        options ??= new PairComparisonOptions();
        if (options.Permutations < 0)
            throw new SimileException($"--permutations is {options.Permutations}", "give 0 (no test) or a positive count such as 1000");
        if (options.Bootstrap < 0)
            throw new SimileException($"--bootstrap is {options.Bootstrap}", "give 0 (no interval) or a positive count such as 1000");
        var notes = new List<string>();
        (a, b) = AlignItems(a, b, notes);
        var plan = Plan(a, b, options);
        plan.ThrowIfOverBudget();
        var result = plan.ExplicitRdms ? RunExplicit(a, b, options, notes) : RunAtScale(a, b, options, notes, plan);
        return result with { Plan = plan };
    }

    /// <summary>The plan for comparing a and b under <paramref name="options"/> (routes and memory; nothing is computed).</summary>
    public static ComparisonPlan Plan(LabeledMatrix a, LabeledMatrix b, PairComparisonOptions options)
        => ComparisonPlanner.Plan(new ComparisonRequest(a.Rows, a.Cols, b.Cols, options.Kind, options.Measures,
            options.Permutations, options.Bootstrap, options.MemoryBudget ?? Planning.MemoryBudget.Default(), options.Route));

    private static List<RsaMeasure> RsaAsked(PairComparisonOptions options)
        => options.Measures.Select(m => m.AsRsa()).Where(r => r is not null).Select(r => r!.Value).OrderBy(r => r).ToList();

    /// <summary>Whether the RSA permutation/bootstrap blocks run: not when only registry measures were asked (they carry their own).</summary>
    private static bool RdmInferenceAsked(PairComparisonOptions options)
        => options.Measures.Count > 0 || options.RegistryMeasures.Count == 0;

    /// <summary>
    /// The permutation and bootstrap blocks of either route: null when not asked, NaN values when only registry measures
    /// were asked (they carry their own), otherwise <paramref name="permutation"/>() → (p Pearson, p Spearman) and
    /// <paramref name="bootstrap"/>() → the Pearson interval.
    /// </summary>
    private static (PermutationSummary?, BootstrapSummary?) RdmInference(PairComparisonOptions options,
        Func<(double Pearson, double Spearman)> permutation, Func<BootstrapInterval> bootstrap)
    {
        bool asked = RdmInferenceAsked(options);
        PermutationSummary? p = null;
        if (options.Permutations > 0)
        {
            var (pearson, spearman) = asked ? permutation() : (double.NaN, double.NaN);
            p = new PermutationSummary(options.Permutations, options.Seed, pearson, spearman);
        }
        BootstrapSummary? b = null;
        if (options.Bootstrap > 0)
        {
            var ci = asked ? bootstrap() : null;
            b = new BootstrapSummary(options.Bootstrap, options.Seed, ci?.Lower ?? double.NaN, ci?.Upper ?? double.NaN);
        }
        return (p, b);
    }

    /// <summary>The explicit route: both condensed float64 dissimilarity vectors, explicit measures and inference.</summary>
    private static PairComparisonResult RunExplicit(LabeledMatrix a, LabeledMatrix b, PairComparisonOptions options, List<string> notes)
    {
        int n = a.Rows;
        var measures = options.Measures;
        var progress = options.Progress;

        var rsaAsked = RsaAsked(options);
        bool needRdms = rsaAsked.Count > 0 || (RdmInferenceAsked(options) && (options.Permutations > 0 || options.Bootstrap > 0));
        DissimilarityMatrix? ra = null, rb = null;
        if (needRdms)
        {
            progress?.Report(new StageProgress("dissimilarities", 0));
            ra = ComputeRdm(a, options.Kind, a.RowNames);
            rb = ComputeRdm(b, options.Kind, b.RowNames ?? a.RowNames);
        }

        List<RsaScore>? rsa = null;
        if (rsaAsked.Count > 0)
            rsa = rsaAsked.Select(m => new RsaScore(m, RsaMeasures.Compute(m, ra!.Condensed, rb!.Condensed))).ToList();

        var (cka, procrustes, direct) = MatrixMeasures(a, b, options, notes);

        var registry = MeasureBlock.Run(a, b, options, notes);

        var (permutation, bootstrap) = RdmInference(options,
            () =>
            {
                var results = PermutationTest.Run(ra!, rb!, [RsaMeasure.Pearson, RsaMeasure.Spearman], options.Permutations, options.Seed,
                    FractionProgress.Of(progress, "permutations"));
                double P(RsaMeasure m) => results.First(r => r.Measure == m).PValue;
                return (P(RsaMeasure.Pearson), P(RsaMeasure.Spearman));
            },
            () => Inference.Bootstrap.Run(ra!, rb!, RsaMeasure.Pearson, options.Bootstrap, options.Seed, 0.95, FractionProgress.Of(progress, "bootstrap")));

        return new PairComparisonResult(n, a.Cols, b.Cols, options.Kind, rsa, cka, procrustes, direct,
            permutation, bootstrap, a.RowNames ?? b.RowNames, notes)
        {
            Measures = registry.Values, MeasurePermutations = registry.Permutations, MeasureBootstraps = registry.Bootstraps,
        };
    }

    /// <summary>
    /// The scale routes (no n×n array): Pearson/cosine in feature space (blockwise for plain euclidean), rank measures
    /// from float32 keys, the permutation test through X̃ᵀPỸ (Pearson) and a gather of ranks (Spearman), the bootstrap
    /// from weighted feature-space sums. Same JSON contract, same seeds, same p convention as the explicit route.
    /// </summary>
    private static PairComparisonResult RunAtScale(LabeledMatrix a, LabeledMatrix b, PairComparisonOptions options, List<string> notes,
        ComparisonPlan plan)
    {
        int n = a.Rows;
        var kind = options.Kind;
        var progress = options.Progress;
        var names = a.RowNames ?? b.RowNames;
        var sources = MatrixSources.Files(a.Path, b.Path);   // a problem with a row names the file it came from
        long budget = plan.Request.Budget;
        var rsaAsked = RsaAsked(options);
        var values = new Dictionary<RsaMeasure, double>();
        var linear = rsaAsked.Where(m => m is RsaMeasure.Pearson or RsaMeasure.Cosine).ToList();
        if (linear.Count > 0)
        {
            progress?.Report(new StageProgress("rsa", 0));
            var sums = FeatureSpaceRsa.Supports(kind)
                ? FeatureSpaceRsa.Sums(a.Values, b.Values, kind, names, sources)
                : WholeVocabularyRsa.BlockwiseSums(a.Values, b.Values, kind, names, sources).Sums;
            values[RsaMeasure.Pearson] = sums.Pearson;
            values[RsaMeasure.Cosine] = sums.Cosine;
        }
        var rank = rsaAsked.Where(LargeScaleRankRsa.RankMeasures.Contains).ToList();
        if (rank.Count > 0)
        {
            var stage = FractionProgress.Of(progress, "rank measures");
            var r = LargeScaleRankRsa.Compute(a.Values, b.Values, kind, rank, budget, stage, names, sources);
            foreach (var kv in r.Values) values[kv.Key] = kv.Value;
        }
        List<RsaScore>? rsa = rsaAsked.Count > 0 ? rsaAsked.Select(m => new RsaScore(m, values[m])).ToList() : null;

        var (cka, procrustes, direct) = MatrixMeasures(a, b, options, notes);

        var registry = MeasureBlock.Run(a, b, options, notes);

        var (permutation, bootstrap) = RdmInference(options,
            () => (FeatureSpacePermutationTest.Pearson(a.Values, b.Values, kind, options.Permutations, options.Seed,
                       FractionProgress.Of(progress, "permutations (pearson)"), names, sources).PValue,
                   RankPermutationTest.Spearman(a.Values, b.Values, kind, options.Permutations, options.Seed, budget,
                       FractionProgress.Of(progress, "permutations (spearman)"), names, sources).PValue),
            () => FeatureSpaceBootstrap.Pearson(a.Values, b.Values, kind, options.Bootstrap, options.Seed, 0.95,
                FractionProgress.Of(progress, "bootstrap"), names, sources));

        return new PairComparisonResult(n, a.Cols, b.Cols, kind, rsa, cka, procrustes, direct,
            permutation, bootstrap, a.RowNames ?? b.RowNames, notes)
        {
            Measures = registry.Values, MeasurePermutations = registry.Permutations, MeasureBootstraps = registry.Bootstraps,
        };
    }

    /// <summary>CKA, Procrustes and direct correlation (feature space on every route).</summary>
    private static (CkaScores?, ProcrustesScores?, DirectCorrelationResult?) MatrixMeasures(LabeledMatrix a, LabeledMatrix b,
        PairComparisonOptions options, List<string> notes)
    {
        var measures = options.Measures;
        var progress = options.Progress;
        CkaScores? cka = null;
        if (measures.Contains(PairMeasure.Cka))
        {
            progress?.Report(new StageProgress("cka", 0));
            var (linear, debiased) = Cka.LinearAndDebiased(a.Values, b.Values);
            cka = new CkaScores(linear, debiased);
        }

        ProcrustesScores? procrustes = null;
        if (measures.Contains(PairMeasure.Procrustes))
        {
            progress?.Report(new StageProgress("procrustes", 0));
            procrustes = new ProcrustesScores(Simile.Comparison.Procrustes.AngularDistance(a.Values, b.Values));
        }

        DirectCorrelationResult? direct = null;
        if (measures.Contains(PairMeasure.Direct))
        {
            if (a.Cols == b.Cols) direct = DirectCorrelation.Compute(a.Values, b.Values);
            else notes.Add($"direct correlation skipped: widths differ ({a.Cols} vs {b.Cols} features)");
        }
        return (cka, procrustes, direct);
    }

    /// <summary>
    /// <see cref="Dissimilarity.Compute"/> on a file's matrix; a problem with one of its rows (all-zero row for
    /// cosine, constant row for correlation) is reported with the file's path in front.
    /// </summary>
    public static DissimilarityMatrix ComputeRdm(LabeledMatrix m, DissimilarityKind kind, IReadOnlyList<string>? rowNames = null)
    {
        try
        {
            return Dissimilarity.Compute(m.Values, kind, rowNames ?? m.RowNames);
        }
        catch (SimileException e)   // Dissimilarity.Compute does not know the file: its messages never name it
        {
            throw new SimileException($"{m.Path}: {e.Message}", e.Fix, e);
        }
    }


    /// <summary>Checks counts and, when both sides are named, that they name the same items (reordering B to A's order).</summary>
    internal static (LabeledMatrix A, LabeledMatrix B) AlignItems(LabeledMatrix a, LabeledMatrix b, List<string> notes)
    {
        if (a.Rows != b.Rows)
            throw new SimileException(
                $"'{a.Path}' has {a.Rows} items (rows) but '{b.Path}' has {b.Rows}",
                "give both files one row per item, for the same items");
        if (a.Rows < MinimumItems)
            throw new SimileException($"'{a.Path}' has {a.Rows} item{(a.Rows == 1 ? "" : "s")}; comparisons need at least {MinimumItems}",
                $"give at least {MinimumItems} items (rows)");
        if (a.Cols < 1 || b.Cols < 1)
            throw new SimileException($"'{(a.Cols < 1 ? a.Path : b.Path)}' has no feature columns", "give at least one value per item");
        if (a.RowNames is null || b.RowNames is null) return (a, b);
        if (a.RowNames.SequenceEqual(b.RowNames, StringComparer.Ordinal)) return (a, b);

        var indexInB = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < b.RowNames.Count; i++) indexInB[b.RowNames[i]] = i;
        var order = new int[a.Rows];
        for (int i = 0; i < a.Rows; i++)
        {
            if (!indexInB.TryGetValue(a.RowNames[i], out order[i]))
            {
                var onlyB = b.RowNames.Except(a.RowNames, StringComparer.Ordinal).Take(3).Select(s => $"'{s}'");
                throw new SimileException(
                    $"item '{a.RowNames[i]}' ({a.DescribeRow(i)} of '{a.Path}') is not in '{b.Path}' (which has {string.Join(", ", onlyB)} instead)",
                    "compare matrices of the same items: both files need the same item names");
            }
        }
        notes.Add($"rows of '{b.Path}' reordered to the item order of '{a.Path}'");
        var reordered = new LabeledMatrix(b.Values.SelectRows(order), a.RowNames, b.ColumnNames, b.Path);
        return (a, reordered);
    }
}
