using System.Text;
using System.Text.Json;
using Simile.Analyses.Planning;
using Simile.Comparison;
using Simile.Comparison.Measures;
using Simile.Data;
using Simile.Inference;
using Simile.Similarity;

namespace Simile.Analyses;

/// <summary>What <c>simile compare</c> can compute, by CLI/JSON name.</summary>
public enum PairMeasure { Pearson, Spearman, KendallTauB, TauA, RhoA, Cosine, Cka, Procrustes, Direct }

public static class PairMeasures
{
    /// <summary>CLI names, in <see cref="PairMeasure"/> order: the six RSA measures, then cka, procrustes, direct.</summary>
    public static readonly IReadOnlyList<string> Names =
        ["pearson", "spearman", "kendall_tau_b", "tau_a", "rho_a", "cosine", "cka", "procrustes", "direct"];

    public static readonly IReadOnlySet<PairMeasure> All = Enum.GetValues<PairMeasure>().ToHashSet();

    public static string Name(this PairMeasure m) => Names[(int)m];

    /// <summary>The RSA measure behind a pair measure, or null for cka/procrustes/direct.</summary>
    public static RsaMeasure? AsRsa(this PairMeasure m) => m <= PairMeasure.Cosine ? (RsaMeasure)(int)m : null;

    /// <summary>Parses a comma-separated list ("pearson,cka"); "all" or an empty list means every measure.</summary>
    public static IReadOnlySet<PairMeasure> ParseList(string? list)
    {
        if (string.IsNullOrWhiteSpace(list)) return All;
        var set = new HashSet<PairMeasure>();
        foreach (string raw in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string name = raw.ToLowerInvariant().Replace('-', '_');
            if (name == "all") { set.UnionWith(All); continue; }
            int i = Names.ToList().IndexOf(name);
            if (i < 0)
                throw new SimileException($"unknown measure '{raw}' in --measures",
                    $"use a comma-separated list of {string.Join(",", Names)} (or 'all')");
            set.Add((PairMeasure)i);
        }
        if (set.Count == 0)
            throw new SimileException("--measures lists no measure", $"name at least one of {string.Join(",", Names)}");
        return set;
    }

    /// <summary>
    /// Parses --measures into the measures with their own JSON blocks (rsa, cka, procrustes, direct) and the other
    /// registered measures (the "measures" block), in the order given. Empty or "all": every measure with its own block.
    /// </summary>
    public static (IReadOnlySet<PairMeasure> Blocks, IReadOnlyList<string> Registry) ParseRequest(string? list)
    {
        if (string.IsNullOrWhiteSpace(list)) return (All, []);
        var blocks = new HashSet<PairMeasure>();
        var registry = new List<string>();
        foreach (string raw in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string name = MeasureRegistry.Normalise(raw);
            if (name == "all") { blocks.UnionWith(All); continue; }
            int i = Names.ToList().IndexOf(name);
            if (i >= 0) { blocks.Add((PairMeasure)i); continue; }
            if (!MeasureRegistry.TryGet(name, out var info))
                throw new SimileException($"unknown measure '{raw}' in --measures",
                    $"use a comma-separated list of registered names (see 'simile measures'), e.g. {string.Join(",", Names)},mutual_knn,cknna,svcca");
            if (!registry.Contains(info.Name)) registry.Add(info.Name);
        }
        if (blocks.Count == 0 && registry.Count == 0)
            throw new SimileException("--measures lists no measure", "name at least one measure (see 'simile measures')");
        return (blocks, registry);
    }
}

/// <summary>Options of a two-matrix comparison. Seed 0 is the documented default; the same seed gives the same p and interval.</summary>
public sealed record PairComparisonOptions
{
    /// <summary>Within-model dissimilarity used for the RSA measures and the inference.</summary>
    public DissimilarityKind Kind { get; init; } = DissimilarityKind.Cosine;
    public IReadOnlySet<PairMeasure> Measures { get; init; } = PairMeasures.All;
    /// <summary>Item permutations for the Mantel test of Pearson and Spearman (0 = no test).</summary>
    public int Permutations { get; init; }
    /// <summary>Bootstrap resamples of items for a 95% interval of Pearson (0 = none).</summary>
    public int Bootstrap { get; init; }
    public ulong Seed { get; init; }
    /// <summary>Registered measures for the "measures" block (canonical names; those with their own block go in <see cref="Measures"/>).</summary>
    public IReadOnlyList<string> RegistryMeasures { get; init; } = [];
    /// <summary>--k, --alpha, --score, --rbf-threshold for the registry measures (the RDM kind is <see cref="Kind"/>).</summary>
    public MeasureParameters MeasureParameters { get; init; } = new();
    /// <summary>Receives (stage, fraction done) while the slow parts run.</summary>
    public IProgress<StageProgress>? Progress { get; init; }
    /// <summary>Bytes the comparison may use (null: <see cref="MemoryBudget.Default"/>); over it, <see cref="PairComparison.Run"/>
    /// throws before allocating.</summary>
    public long? MemoryBudget { get; init; }
    /// <summary>Explicit condensed vectors, the n²-free routes, or the planner's choice (<see cref="ComparisonPlanner"/>).</summary>
    public RoutePreference Route { get; init; } = RoutePreference.Auto;
}

public sealed record RsaScore(RsaMeasure Measure, double Value);
public sealed record CkaScores(double Linear, double LinearDebiased);
public sealed record ProcrustesScores(double Angular);
public sealed record PermutationSummary(int N, ulong Seed, double PPearson, double PSpearman);
public sealed record BootstrapSummary(int N, ulong Seed, double PearsonLower, double PearsonUpper);

/// <summary>
/// Everything <c>simile compare</c> reports; <see cref="ToJson"/> writes exactly the JSON contract:
/// <c>{"items", "features": [dA, dB], "rdm", "rsa": {asked measures only} | null, "cka": {"linear", "linear_debiased"} | null,
/// "procrustes": {"angular"} | null, "direct_correlation": {"mean", "per_item"} | null,
/// "permutation": {"n", "seed", "p_pearson", "p_spearman"} | null, "bootstrap": {"n", "seed", "pearson_ci95": [lo, hi]} | null}</c>.
/// When --measures names registry measures, "measures": {name: value} comes after "direct_correlation", and the permutation and
/// bootstrap blocks gain "p_measures": {name: p} and "measures_ci95": {name: [lo, hi]} (p_pearson etc. are null when no
/// measure of their own block was asked).
/// A block is null when it was not asked for (direct_correlation also when the widths differ); NaN is written as null.
/// </summary>
public sealed record PairComparisonResult(
    int Items,
    int FeaturesA,
    int FeaturesB,
    DissimilarityKind Rdm,
    IReadOnlyList<RsaScore>? Rsa,
    CkaScores? Cka,
    ProcrustesScores? Procrustes,
    DirectCorrelationResult? DirectCorrelation,
    PermutationSummary? Permutation,
    BootstrapSummary? Bootstrap,
    IReadOnlyList<string>? ItemNames,
    IReadOnlyList<string> Notes)
{
    /// <summary>Registry measures asked with --measures (value NaN when undefined for these inputs; a note says why); null when none.</summary>
    public IReadOnlyList<(string Name, double Value)>? Measures { get; init; }
    /// <summary>Permutation p-values of the registry measures (same permutations as the RSA test).</summary>
    public IReadOnlyList<MeasurePermutationResult>? MeasurePermutations { get; init; }
    /// <summary>Bootstrap intervals of the registry measures (same resamples as the RSA bootstrap).</summary>
    public IReadOnlyList<MeasureBootstrapInterval>? MeasureBootstraps { get; init; }
    /// <summary>The plan the result was computed by (routes per measure, memory estimate).</summary>
    public ComparisonPlan? Plan { get; init; }

    public string ToJson(bool indented = true) => JsonOutput.Text(WriteJson, indented);

    public void WriteJson(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteNumber("items", Items);
        w.WriteStartArray("features");
        w.WriteNumberValue(FeaturesA);
        w.WriteNumberValue(FeaturesB);
        w.WriteEndArray();
        w.WriteString("rdm", Rdm.Name());

        if (Rsa is null) w.WriteNull("rsa");
        else
        {
            w.WriteStartObject("rsa");
            foreach (var s in Rsa) JsonOutput.Number(w, s.Measure.Name(), s.Value);
            w.WriteEndObject();
        }

        if (Cka is null) w.WriteNull("cka");
        else
        {
            w.WriteStartObject("cka");
            JsonOutput.Number(w, "linear", Cka.Linear);
            JsonOutput.Number(w, "linear_debiased", Cka.LinearDebiased);
            w.WriteEndObject();
        }

        if (Procrustes is null) w.WriteNull("procrustes");
        else
        {
            w.WriteStartObject("procrustes");
            JsonOutput.Number(w, "angular", Procrustes.Angular);
            w.WriteEndObject();
        }

        if (DirectCorrelation is null) w.WriteNull("direct_correlation");
        else
        {
            w.WriteStartObject("direct_correlation");
            JsonOutput.Number(w, "mean", DirectCorrelation.Mean);
            w.WriteStartArray("per_item");
            foreach (double v in DirectCorrelation.PerItem) JsonOutput.Value(w, v);
            w.WriteEndArray();
            w.WriteEndObject();
        }

        if (Measures is not null) // only when --measures names a registry measure: the object is unchanged otherwise
        {
            w.WriteStartObject("measures");
            foreach (var (name, value) in Measures) JsonOutput.Number(w, name, value);
            w.WriteEndObject();
        }

        if (Permutation is null) w.WriteNull("permutation");
        else
        {
            w.WriteStartObject("permutation");
            w.WriteNumber("n", Permutation.N);
            w.WriteNumber("seed", Permutation.Seed);
            JsonOutput.Number(w, "p_pearson", Permutation.PPearson);
            JsonOutput.Number(w, "p_spearman", Permutation.PSpearman);
            if (MeasurePermutations is not null)
            {
                w.WriteStartObject("p_measures");
                foreach (var p in MeasurePermutations) JsonOutput.Number(w, p.Measure, p.PValue);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }

        if (Bootstrap is null) w.WriteNull("bootstrap");
        else
        {
            w.WriteStartObject("bootstrap");
            w.WriteNumber("n", Bootstrap.N);
            w.WriteNumber("seed", Bootstrap.Seed);
            w.WriteStartArray("pearson_ci95");
            JsonOutput.Value(w, Bootstrap.PearsonLower);
            JsonOutput.Value(w, Bootstrap.PearsonUpper);
            w.WriteEndArray();
            if (MeasureBootstraps is not null)
            {
                w.WriteStartObject("measures_ci95");
                foreach (var b in MeasureBootstraps)
                {
                    w.WriteStartArray(b.Measure);
                    JsonOutput.Value(w, b.Lower);
                    JsonOutput.Value(w, b.Upper);
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }
}

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
    private static bool RdmInference(PairComparisonOptions options)
        => options.Measures.Count > 0 || options.RegistryMeasures.Count == 0;

    /// <summary>The explicit route: both condensed float64 dissimilarity vectors, explicit measures and inference.</summary>
    private static PairComparisonResult RunExplicit(LabeledMatrix a, LabeledMatrix b, PairComparisonOptions options, List<string> notes)
    {
        int n = a.Rows;
        var measures = options.Measures;
        var progress = options.Progress;

        var rsaAsked = RsaAsked(options);
        bool rdmInference = RdmInference(options);
        bool needRdms = rsaAsked.Count > 0 || (rdmInference && (options.Permutations > 0 || options.Bootstrap > 0));
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

        PermutationSummary? permutation = null;
        if (options.Permutations > 0 && !rdmInference)
            permutation = new PermutationSummary(options.Permutations, options.Seed, double.NaN, double.NaN);
        else if (options.Permutations > 0)
        {
            var stage = FractionProgress.Of(progress, "permutations");
            var results = PermutationTest.Run(ra!, rb!, [RsaMeasure.Pearson, RsaMeasure.Spearman], options.Permutations, options.Seed, stage);
            double P(RsaMeasure m) => results.First(r => r.Measure == m).PValue;
            permutation = new PermutationSummary(options.Permutations, options.Seed, P(RsaMeasure.Pearson), P(RsaMeasure.Spearman));
        }

        BootstrapSummary? bootstrap = null;
        if (options.Bootstrap > 0 && !rdmInference)
            bootstrap = new BootstrapSummary(options.Bootstrap, options.Seed, double.NaN, double.NaN);
        else if (options.Bootstrap > 0)
        {
            var stage = FractionProgress.Of(progress, "bootstrap");
            var ci = Inference.Bootstrap.Run(ra!, rb!, RsaMeasure.Pearson, options.Bootstrap, options.Seed, 0.95, stage);
            bootstrap = new BootstrapSummary(options.Bootstrap, options.Seed, ci.Lower, ci.Upper);
        }

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
        long budget = plan.Request.Budget;
        var rsaAsked = RsaAsked(options);
        var values = new Dictionary<RsaMeasure, double>();
        var linear = rsaAsked.Where(m => m is RsaMeasure.Pearson or RsaMeasure.Cosine).ToList();
        if (linear.Count > 0)
        {
            progress?.Report(new StageProgress("rsa", 0));
            var sums = WithPaths(a, b, () => FeatureSpaceRsa.Supports(kind)
                ? FeatureSpaceRsa.Sums(a.Values, b.Values, kind, names)
                : WholeVocabularyRsa.BlockwiseSums(a.Values, b.Values, kind, names).Sums);
            values[RsaMeasure.Pearson] = sums.Pearson;
            values[RsaMeasure.Cosine] = sums.Cosine;
        }
        var rank = rsaAsked.Where(LargeScaleRankRsa.RankMeasures.Contains).ToList();
        if (rank.Count > 0)
        {
            var stage = FractionProgress.Of(progress, "rank measures");
            var r = WithPaths(a, b, () => LargeScaleRankRsa.Compute(a.Values, b.Values, kind, rank, budget, stage, names));
            foreach (var kv in r.Values) values[kv.Key] = kv.Value;
        }
        List<RsaScore>? rsa = rsaAsked.Count > 0 ? rsaAsked.Select(m => new RsaScore(m, values[m])).ToList() : null;

        var (cka, procrustes, direct) = MatrixMeasures(a, b, options, notes);

        var registry = MeasureBlock.Run(a, b, options, notes);
        bool rdmInference = RdmInference(options);

        PermutationSummary? permutation = null;
        if (options.Permutations > 0 && !rdmInference)
            permutation = new PermutationSummary(options.Permutations, options.Seed, double.NaN, double.NaN);
        else if (options.Permutations > 0)
        {
            var stage = FractionProgress.Of(progress, "permutations (pearson)");
            var pearson = WithPaths(a, b, () => FeatureSpacePermutationTest.Pearson(a.Values, b.Values, kind, options.Permutations, options.Seed, stage, names));
            stage = FractionProgress.Of(progress, "permutations (spearman)");
            var spearman = WithPaths(a, b, () => RankPermutationTest.Spearman(a.Values, b.Values, kind, options.Permutations, options.Seed, budget, stage, names));
            permutation = new PermutationSummary(options.Permutations, options.Seed, pearson.PValue, spearman.PValue);
        }

        BootstrapSummary? bootstrap = null;
        if (options.Bootstrap > 0 && !rdmInference)
            bootstrap = new BootstrapSummary(options.Bootstrap, options.Seed, double.NaN, double.NaN);
        else if (options.Bootstrap > 0)
        {
            var stage = FractionProgress.Of(progress, "bootstrap");
            var ci = WithPaths(a, b, () => FeatureSpaceBootstrap.Pearson(a.Values, b.Values, kind, options.Bootstrap, options.Seed, 0.95, stage, names));
            bootstrap = new BootstrapSummary(options.Bootstrap, options.Seed, ci.Lower, ci.Upper);
        }

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

    /// <summary>Runs a scale route, naming the files in a problem with one matrix's rows ("the first matrix" → A's path).</summary>
    private static T WithPaths<T>(LabeledMatrix a, LabeledMatrix b, Func<T> run)
    {
        try
        {
            return run();
        }
        catch (SimileException e) when (e.Message.Contains("the first matrix", StringComparison.Ordinal)
                                        || e.Message.Contains("the second matrix", StringComparison.Ordinal))
        {
            string message = e.Message.Replace("the first matrix", $"'{a.Path}'").Replace("the second matrix", $"'{b.Path}'");
            throw new SimileException(message, e.Fix, e);
        }
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
        catch (SimileException e) when (!e.Message.Contains(m.Path, StringComparison.Ordinal))
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
