using Simile.Comparison;
using Simile.Similarity;

namespace Simile.Analyses.Planning;

/// <summary>Which route the planner may choose: the explicit condensed vectors, the n²-free routes, or either.</summary>
public enum RoutePreference { Auto, Explicit, Scale }

/// <summary>What a two-matrix comparison asks for: the shape of the data and the work.</summary>
/// <param name="Items">n, rows of both matrices.</param>
/// <param name="FeaturesA">dA.</param>
/// <param name="FeaturesB">dB.</param>
/// <param name="Budget">Bytes the plan may use (inputs included); see <see cref="MemoryBudget"/>.</param>
public sealed record ComparisonRequest(int Items, int FeaturesA, int FeaturesB, DissimilarityKind Kind,
    IReadOnlySet<PairMeasure> Measures, int Permutations, int Bootstrap, long Budget,
    RoutePreference Preference = RoutePreference.Auto);

/// <summary>One stage of a plan: what it computes, by which route, and its own peak bytes (inputs not counted).</summary>
public sealed record PlanStep(string What, string Route, long Bytes);

/// <summary>
/// The routes chosen for a comparison and the memory they need at their peak. Stages run one after the other, so
/// the estimate is the inputs plus the largest stage.
/// </summary>
public sealed record ComparisonPlan(ComparisonRequest Request, bool ExplicitRdms, IReadOnlyList<PlanStep> Steps,
    long InputBytes, long EstimatedBytes, IReadOnlyList<string> Alternatives)
{
    public const string ExplicitRoute = "explicit condensed vectors (float64)";
    public const string FeatureSpaceRoute = "feature space (no n×n)";
    public const string RankRoute = "rank route (float32 keys)";
    public const string BlockwiseRoute = "blockwise sums (no n×n)";
    public const string MatrixRoute = "feature space";

    public bool Fits => EstimatedBytes <= Request.Budget;

    /// <summary>The route of a stage whose name starts with <paramref name="what"/>, or null.</summary>
    public string? RouteOf(string what) => Steps.FirstOrDefault(s => s.What == what)?.Route;

    /// <summary>Lines for <c>--verbose</c>: the shape, one line per stage, the estimate against the budget.</summary>
    public IEnumerable<string> Describe()
    {
        var r = Request;
        yield return $"plan: {r.Items:N0} items ({CondensedIndex.Length(r.Items):N0} pairs), {r.FeaturesA} vs {r.FeaturesB} features, {r.Kind.Name()} RDMs";
        foreach (var s in Steps)
            yield return $"plan:   {s.What,-22} {s.Route} ~{MemoryBudget.Format(s.Bytes)}";
        yield return $"plan: peak ~{MemoryBudget.Format(EstimatedBytes)} (inputs {MemoryBudget.Format(InputBytes)}) of a {MemoryBudget.Format(r.Budget)} budget";
    }

    /// <summary>Throws the one-line over-budget error (estimate, budget, options that would fit) when the plan does not fit.</summary>
    public void ThrowIfOverBudget(string subject = "compare")
    {
        if (Fits) return;
        var r = Request;
        var biggest = Steps.OrderByDescending(s => s.Bytes).FirstOrDefault();
        string fixes = Alternatives.Count > 0 ? string.Join("; or ", Alternatives) : $"use a machine with more memory";
        string largest = biggest is null
            ? $"the inputs as float64, {MemoryBudget.Format(InputBytes)}"
            : $"largest stage: {biggest.What}, {biggest.Route}, {MemoryBudget.Format(biggest.Bytes)}";
        throw new SimileException(
            $"{subject} over {r.Items:N0} items needs about {MemoryBudget.Format(EstimatedBytes)} of memory "
            + $"({largest}), above the {MemoryBudget.Format(r.Budget)} budget",
            fixes);
    }
}

/// <summary>
/// The one planner of Simile's comparisons: for n items, widths dA and dB, the measures, permutations and bootstrap,
/// it picks each measure's route and estimates the plan's peak memory, before anything large is allocated.
/// <list type="bullet">
/// <item>Explicit route (the reference): both condensed float64 dissimilarity vectors (16 bytes per pair) and the
/// explicit measures, permutation test and bootstrap (<see cref="Inference.PermutationTest"/>, <see cref="Inference.Bootstrap"/>).
/// Chosen automatically up to <see cref="ExplicitMaxItems"/> items when it fits the budget.</item>
/// <item>Scale routes, no n×n array: Pearson and cosine RSA from feature-space sums (<see cref="FeatureSpaceRsa"/>,
/// blockwise sums for plain euclidean); Spearman, Kendall tau-b, tau-a and rho-a from float32 keys
/// (<see cref="LargeScaleRankRsa"/>, about 16 bytes per pair at its peak); the Pearson permutation test through
/// X̃ᵀPỸ; the Spearman permutation test as a gather of ranks computed once; the Pearson bootstrap from weighted
/// feature-space sums.</item>
/// <item>CKA, Procrustes and direct correlation always work in feature space (O(n·d + d²)).</item>
/// </list>
/// </summary>
public static class ComparisonPlanner
{
    /// <summary>Above this many items the automatic choice is the scale routes (explicit is exact but O(n²) in memory).</summary>
    public const int ExplicitMaxItems = 3000;

    public static readonly IReadOnlySet<PairMeasure> RankMeasures =
        new HashSet<PairMeasure> { PairMeasure.Spearman, PairMeasure.KendallTauB, PairMeasure.TauA, PairMeasure.RhoA };

    private static int Threads => Environment.ProcessorCount;

    public static ComparisonPlan Plan(ComparisonRequest r)
    {
        var plan = PlanOnly(r);
        if (plan.Fits) return plan;
        return plan with { Alternatives = Alternatives(r) };
    }

    private static ComparisonPlan PlanOnly(ComparisonRequest r)
    {
        int n = r.Items;
        long inputs = 8L * n * (r.FeaturesA + r.FeaturesB);
        bool explicitRdms = ChooseExplicit(r, inputs);
        var steps = explicitRdms ? ExplicitSteps(r) : ScaleSteps(r);
        long peak = steps.Count == 0 ? 0 : steps.Max(s => s.Bytes);
        return new ComparisonPlan(r, explicitRdms, steps, inputs, inputs + peak, []);
    }

    /// <summary>Whether the RSA measures and the inference take the explicit route.</summary>
    private static bool ChooseExplicit(ComparisonRequest r, long inputs)
    {
        bool needsRdms = r.Measures.Any(m => m.AsRsa() is not null) || r.Permutations > 0 || r.Bootstrap > 0;
        if (!needsRdms) return false;
        if (r.Preference == RoutePreference.Explicit) return true;
        bool scaleCanDoIt = FeatureSpaceRsa.Supports(r.Kind) || (r.Permutations == 0 && r.Bootstrap == 0);
        if (CondensedIndex.Length(r.Items) > Array.MaxLength) return false;   // explicit impossible; the plan will say so
        if (r.Preference == RoutePreference.Scale && scaleCanDoIt) return false;
        if (!scaleCanDoIt) return true;   // plain euclidean inference exists only explicitly
        long explicitPeak = inputs + ExplicitSteps(r).Max(s => s.Bytes);
        return r.Items <= ExplicitMaxItems && explicitPeak <= r.Budget;
    }

    private static List<PlanStep> ExplicitSteps(ComparisonRequest r)
    {
        int n = r.Items;
        long m = CondensedIndex.Length(n);
        long rdms = 16 * m + (long)Threads * 192 * n * 8 + (r.Kind == DissimilarityKind.Correlation ? 8L * n * Math.Max(r.FeaturesA, r.FeaturesB) : 0);
        if (m > Array.MaxLength) rdms = long.MaxValue / 4;
        var steps = new List<PlanStep> { new("dissimilarities", ComparisonPlan.ExplicitRoute, rdms) };
        var rsa = r.Measures.Where(x => x.AsRsa() is not null).ToList();
        if (rsa.Count > 0)
        {
            bool rank = rsa.Any(RankMeasures.Contains);
            steps.Add(new("rsa " + Names(rsa), ComparisonPlan.ExplicitRoute, rdms + (rank ? 32 * m : 0)));
        }
        AddMatrixSteps(r, steps);
        if (r.Permutations > 0)
            steps.Add(new("permutations", ComparisonPlan.ExplicitRoute + ", Mantel", rdms + 32 * m + 8L * n * n));
        if (r.Bootstrap > 0)
            steps.Add(new("bootstrap", ComparisonPlan.ExplicitRoute + ", weighted pairs", rdms + (long)Threads * 24 * n));
        return steps;
    }

    private static List<PlanStep> ScaleSteps(ComparisonRequest r)
    {
        int n = r.Items, dA = r.FeaturesA, dB = r.FeaturesB;
        long rows = 8L * n * (dA + dB);
        long m = CondensedIndex.Length(n);
        var steps = new List<PlanStep>();
        bool featureSpace = FeatureSpaceRsa.Supports(r.Kind);
        var linear = r.Measures.Where(x => x is PairMeasure.Pearson or PairMeasure.Cosine).ToList();
        if (linear.Count > 0)
            steps.Add(featureSpace
                ? new("rsa " + Names(linear), ComparisonPlan.FeatureSpaceRoute, rows + 8L * dA * dB)
                : new("rsa " + Names(linear), ComparisonPlan.BlockwiseRoute, rows + 2L * 8 * Math.Min(n, (long)PairDissimilarities.BlockRows(n)) * n + 40L * n));
        var rank = r.Measures.Where(RankMeasures.Contains).ToList();
        long rankBytes = m > Array.MaxLength ? long.MaxValue / 4
            : LargeScaleRankRsa.EstimateBytes(n, dA, dB, LargeScaleRankRsa.RankMeasures);
        if (rank.Count > 0) steps.Add(new("rsa " + Names(rank), ComparisonPlan.RankRoute, rankBytes));
        AddMatrixSteps(r, steps);
        if (r.Permutations > 0)
        {
            steps.Add(new("permutations pearson", ComparisonPlan.FeatureSpaceRoute + ", X̃ᵀPỸ per permutation",
                2 * rows + Threads * (8L * n * dB + 8L * dA * dB)));
            steps.Add(new("permutations spearman", ComparisonPlan.RankRoute + ", ranks gathered per permutation", rankBytes));
        }
        if (r.Bootstrap > 0)
            steps.Add(new("bootstrap pearson", ComparisonPlan.FeatureSpaceRoute + ", weighted sums per resample",
                rows + Threads * (rows + 8L * (dA * (long)dA + dB * (long)dB + dA * (long)dB))));
        return steps;
    }

    private static void AddMatrixSteps(ComparisonRequest r, List<PlanStep> steps)
    {
        int n = r.Items, dA = r.FeaturesA, dB = r.FeaturesB;
        long rows = 8L * n * (dA + dB);
        if (r.Measures.Contains(PairMeasure.Cka))
        {
            double featureCost = (double)n * ((double)dA * dB + (double)dA * dA + (double)dB * dB);
            double gramCost = (double)n * n * (dA + dB);
            long extra = featureCost <= gramCost ? 8L * (dA * (long)dB + dA * (long)dA + dB * (long)dB) : 16L * n * n;
            steps.Add(new("cka", ComparisonPlan.MatrixRoute, rows + extra));
        }
        if (r.Measures.Contains(PairMeasure.Procrustes))
        {
            long k = Math.Min(n, Math.Min(dA, dB)), w = Math.Max(dA, dB);
            steps.Add(new("procrustes", ComparisonPlan.MatrixRoute, rows + 8L * (dA * (long)dB + 2 * k * k + w * k) + (n < Math.Min(dA, dB) ? rows : 0)));
        }
        if (r.Measures.Contains(PairMeasure.Direct))
            steps.Add(new("direct", ComparisonPlan.MatrixRoute, 8L * n * 2));
    }

    /// <summary>
    /// The plan of a word-list analysis on the explicit route (<c>rsa</c> with --words, <c>layers</c>): <paramref name="rdms"/>
    /// condensed float64 dissimilarity vectors held at once (one per model, or per representation), then the Mantel
    /// permutation test and the bootstrap over them. <paramref name="perPermutationRdms"/> is how many extra
    /// dissimilarity-sized arrays each parallel permutation keeps (the layer grids rebuild a whole grid per permutation).
    /// </summary>
    public static ComparisonPlan PlanExplicitAnalysis(string subject, int words, int rdms, int dims, int permutations, int bootstrap,
        long budget, int perPermutationRdms = 0)
    {
        ComparisonPlan Make(int n)
        {
            long m = CondensedIndex.Length(n);
            long held = rdms * 8 * m;
            var steps = new List<PlanStep> { new("similarity matrices", $"{ComparisonPlan.ExplicitRoute}, {rdms} held", held) };
            if (permutations > 0)
                steps.Add(new("permutations", ComparisonPlan.ExplicitRoute + ", Mantel",
                    held + 32 * m + 8L * n * n + (long)Threads * perPermutationRdms * 8 * m));
            if (bootstrap > 0)
                steps.Add(new("bootstrap", ComparisonPlan.ExplicitRoute + ", weighted pairs", held + (long)Threads * 24 * n));
            long inputs = 8L * n * dims * Math.Max(1, rdms);
            var request = new ComparisonRequest(n, dims, dims, DissimilarityKind.Cosine, new HashSet<PairMeasure>(), permutations, bootstrap,
                budget, RoutePreference.Explicit);
            return new ComparisonPlan(request, true, steps, inputs, inputs + steps.Max(st => st.Bytes), []);
        }
        var plan = Make(words);
        if (plan.Fits) return plan;
        var hints = new List<string>();
        if (permutations > 0)
        {
            var q = PlanExplicitAnalysis(subject, words, rdms, dims, 0, bootstrap, budget, perPermutationRdms);
            if (q.Fits) hints.Add("drop the permutations (--permutations 0)");
        }
        long need = plan.EstimatedBytes, avail = MemoryBudget.Available();
        hints.Add(need <= avail ? $"raise the budget with --memory {MemoryBudget.Hint(need + (need >> 4))}"
            : $"run it on a machine with more than {MemoryBudget.Hint(need)} free");
        int lo = 3, hi = words;
        if (Make(lo).Fits)
        {
            while (lo < hi) { int mid = lo + (hi - lo + 1) / 2; if (Make(mid).Fits) lo = mid; else hi = mid - 1; }
            hints.Add($"use at most {lo:N0} words");
        }
        return plan with { Alternatives = hints };
    }

    private static string Names(IEnumerable<PairMeasure> ms) => string.Join(",", ms.Select(x => x.Name()));

    /// <summary>Changes to the request that would fit the budget, as hints for the error's Fix.</summary>
    private static List<string> Alternatives(ComparisonRequest r)
    {
        var hints = new List<string>();
        var rank = r.Measures.Where(RankMeasures.Contains).ToList();
        bool Fits(ComparisonRequest q) => PlanOnly(q).Fits;
        if (rank.Count > 0 && r.Measures.Count > rank.Count)
        {
            var q = r with { Measures = r.Measures.Except(RankMeasures).ToHashSet() };
            if (Fits(q)) hints.Add($"leave out the rank measures (--measures {Names(q.Measures.OrderBy(x => x))})");
        }
        if (r.Permutations > 0 && Fits(r with { Permutations = 0 })) hints.Add("drop --permutations");
        if (r.Bootstrap > 0 && Fits(r with { Bootstrap = 0 })) hints.Add("drop --bootstrap");
        if (r.Preference == RoutePreference.Explicit && Fits(r with { Preference = RoutePreference.Auto }))
            hints.Add("use --route auto");
        long need = PlanOnly(r).EstimatedBytes;
        if (need < long.MaxValue / 8)
        {
            long avail = MemoryBudget.Available();
            hints.Add(need <= avail
                ? $"raise the budget with --memory {MemoryBudget.Hint(need + (need >> 4))}"
                : $"run it on a machine with more than {MemoryBudget.Hint(need)} free (this one has {MemoryBudget.Format(avail)} available)");
        }
        int lo = 3, hi = r.Items;
        if (Fits(r with { Items = lo }))
        {
            while (lo < hi)
            {
                int mid = lo + (hi - lo + 1) / 2;
                if (Fits(r with { Items = mid })) lo = mid; else hi = mid - 1;
            }
            hints.Add($"compare at most {lo:N0} items");
        }
        return hints;
    }
}
