using Simile.Analyses.Planning;
using Simile.Comparison;
using Simile.Comparison.Measures;
using Simile.Data;
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
