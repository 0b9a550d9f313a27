using System.Diagnostics;
using Simile.Data;
using Simile.Models;

namespace Simile.Analyses.Layers;

/// <summary>Settings of a layer analysis (the CLI flags of <c>simile layers</c>).</summary>
public sealed record LayerAnalysisOptions
{
    public ContextSpec Context { get; init; } = ContextSpec.Neutral;
    public SubwordPolicy Subword { get; init; } = SubwordPolicy.Mean;
    public Normalization Normalization { get; init; } = Normalization.None;
    /// <summary>Permutations for the grids' max-calibrated p-values and the category RSA p-values (0 = none).</summary>
    public int Permutations { get; init; } = 1000;
    /// <summary>Bootstrap resamples for the selectivity intervals (0 = none).</summary>
    public int Bootstrap { get; init; } = 1000;
    public ulong Seed { get; init; }
    /// <summary>Bytes the analysis may use (null: <see cref="Planning.MemoryBudget.Default"/>); checked before the matrices are built.</summary>
    public long? MemoryBudget { get; init; }
    /// <summary>Compute classical MDS maps (for the figures).</summary>
    public bool Mds { get; init; } = true;
    /// <summary>Above this many words, MDS is computed for three representations only (token, middle, last).</summary>
    public int MdsAllRepresentationsUpTo { get; init; } = 300;
    /// <summary>Measure of the layer × layer grids: null = Pearson RSA of cosine RDMs (the default), else any registered name.</summary>
    public string? Measure { get; init; }
    /// <summary>Parameters of <see cref="Measure"/> (--k, --alpha, --score, --rbf-threshold).</summary>
    public Simile.Comparison.Measures.MeasureParameters MeasureParameters { get; init; } = new();
}

/// <summary>Everything computed for one model.</summary>
/// <param name="Stack">The raw vectors (before normalisation).</param>
/// <param name="Within">Representation × representation RSA grid (after normalisation).</param>
/// <param name="Anisotropy">Mean pairwise cosine per representation after normalisation.</param>
/// <param name="AnisotropyRaw">The same before normalisation (equal when none).</param>
/// <param name="CategoryRsa">Per representation, after normalisation; null without categories.</param>
/// <param name="CategoryRsaRaw">Per representation, before normalisation; null without categories or without normalisation.</param>
/// <param name="Selectivity">[representation][category], after normalisation; null without categories.</param>
/// <param name="Mds">Maps for <paramref name="MdsLabels"/> (after normalisation).</param>
public sealed record ModelLayers(
    string Model,
    RepresentationStack Stack,
    RsaGrid Within,
    double[] Anisotropy,
    double[] AnisotropyRaw,
    IReadOnlyList<CategoryRsa>? CategoryRsa,
    IReadOnlyList<CategoryRsa>? CategoryRsaRaw,
    IReadOnlyList<IReadOnlyList<Selectivity>>? Selectivity,
    IReadOnlyList<MdsResult> Mds,
    IReadOnlyList<string> MdsLabels)
{
    public IReadOnlyList<string> Labels => Stack.Labels;
}

/// <summary>The result of <see cref="LayerAnalysis.Run(IReadOnlyList{RepresentationStack}, WordList, LayerAnalysisOptions, IProgress{ValueTuple{string, double}}?)"/>.</summary>
public sealed record LayerAnalysisResult(
    WordList Words,
    LayerAnalysisOptions Options,
    IReadOnlyList<ModelLayers> Models,
    IReadOnlyList<RsaGrid> Across,
    IReadOnlyList<string> Notes,
    TimeSpan Elapsed)
{
    public bool HasCategories => Words.HasCategories;
    public IReadOnlyList<string> CategoryNames => Words.CategoryNames;
}

/// <summary>
/// Part 2 of Simile: the same RSA flow repeated through every representation of one or more transformers.
/// A notebook user gets the grids and figures in a few calls:
/// <code>
/// var words = WordListFile.Read("data/seed-words.tsv");
/// var result = LayerAnalysis.Run([("minilm", minilm), ("arctic-xs", arctic)], words, new LayerAnalysisOptions { Seed = 7 });
/// LayerReport.Write(result, "out/layers");     // results.json, figures (PNG + SVG), report.html
/// double best = result.Across[0].BestValue;    // best-matching pair of representations
/// </code>
/// </summary>
public static class LayerAnalysis
{
    /// <summary>Reads every model's representations for the words (per <see cref="LayerAnalysisOptions.Context"/>) and analyses them.</summary>
    public static LayerAnalysisResult Run(IReadOnlyList<(string Name, ITransformerModel Model)> models, WordList words,
        LayerAnalysisOptions options, IProgress<StageProgress>? progress = null)
    {
        var stacks = new List<RepresentationStack>();
        foreach (var (name, model) in models)
        {
            stacks.Add(ContextualVectors.Compute(model, words.Words, options.Context, options.Subword, FractionProgress.Of(progress, $"{name}: contextual vectors"), name));
        }
        return Run(stacks, words, options, progress);
    }

    /// <summary>Analyses representation stacks computed elsewhere (same words, same order).</summary>
    public static LayerAnalysisResult Run(IReadOnlyList<RepresentationStack> stacks, WordList words, LayerAnalysisOptions options,
        IProgress<StageProgress>? progress = null)
    {
        if (stacks.Count == 0) throw new SimileException("no model given", "pass --model at least once");
        var names = stacks.Select(s => s.Model).ToList();
        var dup = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new SimileException($"model '{dup.Key}' is given twice", "pass each --model once");
        foreach (var s in stacks.Skip(1)) LayerRsa.CheckSameWords(stacks[0], s);
        if (stacks[0].WordCount != words.Count) throw new ArgumentException("the stacks were built from another word list");
        if (words.Count < 3) throw new SimileException($"the layer analysis needs at least 3 words; got {words.Count}", "use a longer word list");

        // Every representation's matrix is held; the max-calibrated test rebuilds a grid per permutation.
        int representations = stacks.Sum(st => st.Labels.Count);
        Planning.ComparisonPlanner.PlanExplicitAnalysis("layers", words.Count, representations, stacks.Max(st => st.Sets.Max(v => v.Vectors.Cols)),
            options.Permutations, options.Bootstrap, options.MemoryBudget ?? Planning.MemoryBudget.Default(),
            perPermutationRdms: 1).ThrowIfOverBudget("layers");

        var clock = Stopwatch.StartNew();
        var notes = new List<string>();
        if (options.Measure is not null)
        {
            var info = Simile.Comparison.Measures.MeasureRegistry.Get(options.Measure);
            options = options with { Measure = info.Name };
            notes.Add($"Layer × layer grids hold {info.Name} ({(info.Direction == Simile.Comparison.Measures.MeasureDirection.Distance ? "a distance: the best pair is the smallest" : "a similarity")}), not Pearson RSA; the max-calibrated p compares the best pair with the best of each permuted grid.");
        }
        bool normalized = options.Normalization.Kind != NormalizationKind.None;
        IReadOnlyList<string>? categories = null;
        if (words.HasCategories)
        {
            categories = words.Categories.Select(c => c ?? "").ToList();
            CategoryModel.Codes(words.Words, words.Categories); // names a word without a category
            if (words.CategoryNames.Count < 2)
            {
                notes.Add($"All words are in one category ('{words.CategoryNames[0]}'), so category RSA and selectivity are skipped.");
                categories = null;
            }
        }
        else notes.Add("The word list has no categories (second column), so category RSA, selectivity and coloured maps are skipped.");

        var normStacks = stacks.Select(s => s.Normalized(options.Normalization)).ToList();
        if (options.Normalization.Kind == NormalizationKind.RemovePcs && categories is not null
            && options.Normalization.Components >= words.CategoryNames.Count - 1)
            notes.Add($"remove-pcs:{options.Normalization.Components} removes at least as many components as the {words.CategoryNames.Count} categories " +
                      $"need ({words.CategoryNames.Count - 1}) to be told apart: when the words' main variation is their category, the top components " +
                      "are the category structure itself, so category RSA and selectivity can drop or turn negative for that reason alone.");
        var results = new List<ModelLayers>();
        var standardized = new double[stacks.Count][][]; // per model: the standardised condensed cosine similarities
        for (int mi = 0; mi < stacks.Count; mi++)
        {
            var raw = stacks[mi];
            var norm = normStacks[mi];
            string name = raw.Model;
            progress?.Report(new StageProgress($"{name}: layer × layer RSA", 0));
            var z = standardized[mi] = LayerRsa.StandardizedSimilarities(norm);
            var within = options.Measure is null
                ? LayerRsa.Grid(name, name, norm.Labels, norm.Labels, z, z, norm.WordCount, within: true,
                    options.Permutations, options.Seed, Stage(progress, $"{name}: layer × layer RSA"))
                : MeasureGrid.Grid(options.Measure, options.MeasureParameters, name, name, norm.Labels, norm.Labels,
                    Vectors(norm), Vectors(norm), within: true, options.Permutations, options.Seed, Stage(progress, $"{name}: layer × layer {options.Measure}"));
            var aniso = Anisotropy.PerRepresentation(norm);
            var anisoRaw = normalized ? Anisotropy.PerRepresentation(raw) : aniso;
            IReadOnlyList<CategoryRsa>? catRsa = null, catRsaRaw = null;
            IReadOnlyList<IReadOnlyList<Selectivity>>? sel = null;
            if (categories is not null)
            {
                progress?.Report(new StageProgress($"{name}: category RSA", 0));
                catRsa = CategoryAnalysis.WithIntervals(CategoryAnalysis.Rsa(norm, categories, options.Permutations, options.Seed, z),
                    z, categories, options.Bootstrap, options.Seed);
                if (normalized) catRsaRaw = CategoryAnalysis.Rsa(raw, categories, options.Permutations, options.Seed);
                progress?.Report(new StageProgress($"{name}: selectivity", 0));
                sel = CategoryAnalysis.Selectivity(norm, categories, options.Bootstrap, options.Seed);
            }
            var mds = new List<MdsResult>();
            var mdsLabels = new List<string>();
            if (options.Mds)
            {
                progress?.Report(new StageProgress($"{name}: MDS maps", 0));
                foreach (int r in MdsRepresentations(norm.Count, norm.WordCount, options.MdsAllRepresentationsUpTo))
                {
                    mds.Add(ClassicalMds.OfCosineDistances(norm.Sets[r].Vectors, 2, norm.Words));
                    mdsLabels.Add(norm.Labels[r]);
                }
            }
            results.Add(new ModelLayers(name, raw, within, aniso, anisoRaw, catRsa, catRsaRaw, sel, mds, mdsLabels));
        }

        var across = new List<RsaGrid>();
        for (int a = 0; a < normStacks.Count; a++)
            for (int b = a + 1; b < normStacks.Count; b++)
            {
                string stage = $"{normStacks[a].Model} × {normStacks[b].Model} RSA";
                progress?.Report(new StageProgress(stage, 0));
                across.Add(options.Measure is null
                    ? LayerRsa.Grid(normStacks[a].Model, normStacks[b].Model, normStacks[a].Labels, normStacks[b].Labels,
                        standardized[a], standardized[b], normStacks[a].WordCount, within: false, options.Permutations, options.Seed, Stage(progress, stage))
                    : MeasureGrid.Grid(options.Measure, options.MeasureParameters, normStacks[a].Model, normStacks[b].Model, normStacks[a].Labels,
                        normStacks[b].Labels, Vectors(normStacks[a]), Vectors(normStacks[b]), within: false, options.Permutations, options.Seed, Stage(progress, stage)));
            }
        progress?.Report(new StageProgress("done", 1));
        return new LayerAnalysisResult(words, options, results, across, notes, clock.Elapsed);
    }

    /// <summary>Which representations get an MDS map: all of them for small word lists, else token, middle and last.</summary>
    public static IReadOnlyList<int> MdsRepresentations(int representations, int words, int allUpTo)
    {
        if (words <= allUpTo || representations <= 3) return Enumerable.Range(0, representations).ToList();
        return new[] { 0, representations / 2, representations - 1 }.Distinct().ToList();
    }

    private static IReadOnlyList<Matrix> Vectors(RepresentationStack s) => s.Sets.Select(v => v.Vectors).ToList();

    private static IProgress<double>? Stage(IProgress<StageProgress>? p, string stage) => FractionProgress.Of(p, stage);

}
