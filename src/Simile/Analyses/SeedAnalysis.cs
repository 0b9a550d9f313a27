using System.Diagnostics;
using Simile.Comparison;
using Simile.Data;
using Simile.Inference;
using Simile.Models;
using Simile.Similarity;

namespace Simile.Analyses;

/// <summary>Settings of the seed analysis (part 1). Defaults are the CLI's defaults.</summary>
public sealed record SeedAnalysisOptions
{
    /// <summary>Within-model dissimilarity the matrices are built with (cosine by default).</summary>
    public DissimilarityKind Kind { get; init; } = DissimilarityKind.Cosine;
    /// <summary>Permutations of the Mantel-style test (0 = no test, p-values are null).</summary>
    public int Permutations { get; init; } = 10_000;
    /// <summary>Bootstrap resamples over words for the 95% interval (0 = no interval).</summary>
    public int BootstrapResamples { get; init; } = 1_000;
    /// <summary>The one seed every random draw (permutations, bootstrap, rotation) derives from.</summary>
    public ulong Seed { get; init; } = 1;
    public SubwordPolicy Subword { get; init; } = SubwordPolicy.Error;
    public bool SkipMissing { get; init; }
    /// <summary>Model whose vectors the rotation control rotates (null = the first model).</summary>
    public string? RotationModel { get; init; }
    /// <summary>Mean per-word direct correlation above which two models are said to share lineage.</summary>
    public double LineageThreshold { get; init; } = 0.5;
    /// <summary>Bytes the analysis may use (null: <see cref="Planning.MemoryBudget.Default"/>); checked before the matrices are built.</summary>
    public long? MemoryBudget { get; init; }
}

/// <summary>One model as the analysis reports it: "minilm: 30522 × 384".</summary>
public sealed record ModelSummary(string Name, int VocabularySize, int Dims, string Source, string Architecture)
{
    public override string ToString() => $"{Name}: {VocabularySize} × {Dims}";

    public static ModelSummary Of(IWordEmbeddings model) =>
        new(model.Info.Name, model.Shape.Rows, model.Shape.Cols, model.Info.Source, model.Info.Architecture);
}

/// <summary>One model's vectors for the words and its within-model dissimilarity matrix.</summary>
public sealed record ModelMatrices(ModelSummary Model, VectorSet Vectors, DissimilarityMatrix Dissimilarity)
{
    /// <summary>
    /// The matrix as a similarity where the kind has one (cosine: cos θ; correlation: Pearson r, both 1 − d) and
    /// the distance itself for the euclidean kinds; condensed order.
    /// </summary>
    public double[] Display => SeedAnalysis.IsSimilarityKind(Dissimilarity.Kind)
        ? Array.ConvertAll(Dissimilarity.Condensed, d => 1.0 - d)
        : Dissimilarity.Condensed;
}

/// <summary>RSA of one model pair, its inference, and the direct per-word correlation (null when undefined).</summary>
public sealed record PairResult(
    string A, string B,
    double Pearson, double Spearman,
    PermutationResult? PearsonTest, PermutationResult? SpearmanTest,
    BootstrapInterval? PearsonInterval,
    DirectCorrelationResult? Direct,
    string? DirectUndefinedReason,
    bool SharedLineage);

/// <summary>
/// The rotation control: one model's vectors times a random orthogonal matrix. Cosine (and euclidean)
/// geometry is unchanged, so RSA is 1, while the coordinates are scrambled, so the direct correlation is ≈ 0.
/// </summary>
public sealed record RotationControlResult(string Model, double DirectCorrelationMean, double[] PerWord, double RsaPearson,
    double ExpectedSpread);

public sealed record StageTiming(string Stage, TimeSpan Elapsed);

public sealed record SeedAnalysisResult(
    WordList Words,
    SeedAnalysisOptions Options,
    IReadOnlyList<ModelMatrices> Models,
    IReadOnlyList<PairResult> Pairs,
    RotationControlResult Rotation,
    IReadOnlyList<string> Notes,
    WordSelectionResult? Selection,
    IReadOnlyList<StageTiming> Timings)
{
    public DissimilarityKind Kind => Options.Kind;

    /// <summary>k × k RSA Pearson between models (1 on the diagonal).</summary>
    public double[,] RsaMatrix() =>
        SeedAnalysis.RsaMatrix(Models.Select(m => m.Model.Name).ToList(), Pairs.Select(p => (p.A, p.B, p.Pearson)));

    public int IndexOf(string model)
    {
        for (int i = 0; i < Models.Count; i++) if (Models[i].Model.Name == model) return i;
        throw new ArgumentException($"no model '{model}' in this result");
    }
}

/// <summary>
/// Part 1: for models M1..Mk and a word list: each model's shape, the vectors, each within-model similarity
/// matrix, and for every pair RSA (Pearson, Spearman) with a seeded permutation p-value and bootstrap 95% interval,
/// the direct per-word correlation where the widths match, a rotation control and a lineage note.
/// </summary>
public static class SeedAnalysis
{
    /// <summary>Selects the words (tokenization check, missing words, subword pooling) and runs the analysis.</summary>
    public static SeedAnalysisResult Run(IReadOnlyList<IWordEmbeddings> models, WordList words, SeedAnalysisOptions? options = null,
        IProgress<StageProgress>? progress = null)
    {
        options ??= new SeedAnalysisOptions();
        CheckDistinctNames(models.Select(m => m.Info.Name).ToList());
        var clock = Stopwatch.StartNew();
        var selection = WordSelection.Select(words, models, options.Subword, options.SkipMissing);
        var vectorTime = new StageTiming("vectors", clock.Elapsed);
        var inputs = models.Select((m, i) => (ModelSummary.Of(m), selection.Vectors[i])).ToList();
        var result = Run(inputs, selection.Words, options, progress);
        return result with { Selection = selection, Timings = [vectorTime, .. result.Timings] };
    }

    /// <summary>The analysis on vectors already in hand (rows = <paramref name="words"/>, same order in every set).</summary>
    public static SeedAnalysisResult Run(IReadOnlyList<(ModelSummary Model, VectorSet Vectors)> models, WordList words,
        SeedAnalysisOptions? options = null, IProgress<StageProgress>? progress = null)
    {
        options ??= new SeedAnalysisOptions();
        if (models.Count == 0) throw new SimileException("no model given", "name at least one model with --model");
        WordSelection.Validate(words);
        CheckDistinctNames(models.Select(m => m.Model.Name).ToList());
        if (options.Permutations < 0) throw new SimileException($"--permutations is {options.Permutations}", "give 0 or more permutations");
        if (options.BootstrapResamples < 0) throw new SimileException($"--bootstrap is {options.BootstrapResamples}", "give 0 or more resamples");
        foreach (var (model, v) in models)
            if (v.Count != words.Count || !v.Words.SequenceEqual(words.Words, StringComparer.Ordinal))
                throw new ArgumentException($"{model.Name}'s vectors are not for the given words in the given order");

        // k matrices plus the rotation control's, then the explicit inference of one pair at a time.
        Planning.ComparisonPlanner.PlanExplicitAnalysis("rsa", words.Count, models.Count + 1, models.Max(m => m.Vectors.Vectors.Cols),
            models.Count > 1 ? options.Permutations : 0, models.Count > 1 ? options.BootstrapResamples : 0,
            options.MemoryBudget ?? Planning.MemoryBudget.Default()).ThrowIfOverBudget("rsa");

        var timings = new List<StageTiming>();
        var clock = Stopwatch.StartNew();
        void Stage(string name) { timings.Add(new StageTiming(name, clock.Elapsed)); clock.Restart(); }

        // Within-model matrices: n words × d → condensed n(n-1)/2.
        var matrices = new List<ModelMatrices>(models.Count);
        for (int m = 0; m < models.Count; m++)
        {
            var (model, v) = models[m];
            matrices.Add(new ModelMatrices(model, v, Dissimilarity.Compute(v.Vectors, options.Kind, v.Words)));
            progress?.Report(new StageProgress("similarity matrices", (m + 1.0) / models.Count));
        }
        Stage("similarity matrices");

        var pairs = new List<PairResult>();
        for (int a = 0; a < matrices.Count; a++)
            for (int b = a + 1; b < matrices.Count; b++)
            {
                pairs.Add(ComparePair(matrices[a], matrices[b], options, progress));
                Stage($"{matrices[a].Model.Name} vs {matrices[b].Model.Name}");
            }

        string rotationName = options.RotationModel ?? matrices[0].Model.Name;
        var rotated = matrices.FirstOrDefault(m => m.Model.Name == rotationName)
            ?? throw new SimileException($"the rotation control model '{rotationName}' is not among the models",
                $"use one of {string.Join(", ", matrices.Select(m => m.Model.Name))}");
        var rotation = RotationControl(rotated, options);
        progress?.Report(new StageProgress("rotation control", 1.0));
        Stage("rotation control");

        var notes = Notes(matrices, pairs, rotation, options);
        return new SeedAnalysisResult(words, options, matrices, pairs, rotation, notes, null, timings);
    }

    private static PairResult ComparePair(ModelMatrices a, ModelMatrices b, SeedAnalysisOptions o, IProgress<StageProgress>? progress)
    {
        string label = $"{a.Model.Name} vs {b.Model.Name}";
        double pearson = RsaMeasures.Pearson(a.Dissimilarity.Condensed, b.Dissimilarity.Condensed);
        double spearman = RsaMeasures.Spearman(a.Dissimilarity.Condensed, b.Dissimilarity.Condensed);

        PermutationResult? pTest = null, sTest = null;
        if (o.Permutations > 0)
        {
            var tests = PermutationTest.Run(a.Dissimilarity, b.Dissimilarity, [RsaMeasure.Pearson, RsaMeasure.Spearman],
                o.Permutations, o.Seed, Forward(progress, $"permutations {label}"));
            pTest = tests.First(t => t.Measure == RsaMeasure.Pearson);
            sTest = tests.First(t => t.Measure == RsaMeasure.Spearman);
        }
        BootstrapInterval? ci = null;
        if (o.BootstrapResamples > 0)
            ci = Bootstrap.Run(a.Dissimilarity, b.Dissimilarity, RsaMeasure.Pearson, o.BootstrapResamples, o.Seed, 0.95,
                Forward(progress, $"bootstrap {label}"));

        var (direct, reason) = DirectCorrelationOf(a.Model, a.Vectors.Vectors, b.Model, b.Vectors.Vectors);
        bool lineage = direct is not null && direct.Mean >= o.LineageThreshold;
        return new PairResult(a.Model.Name, b.Model.Name, pearson, spearman, pTest, sTest, ci, direct, reason, lineage);
    }

    private static RotationControlResult RotationControl(ModelMatrices m, SeedAnalysisOptions o)
    {
        var x = m.Vectors.Vectors;                               // n × d
        var q = RandomRotation.Orthogonal(x.Cols, o.Seed);        // d × d, Haar-distributed
        var rotated = RandomRotation.Apply(x, q);                 // n × d = X·Q
        var direct = DirectCorrelation.Compute(x, rotated);
        var dRotated = Dissimilarity.Compute(rotated, o.Kind, m.Vectors.Words);
        double rsa = RsaMeasures.Pearson(m.Dissimilarity.Condensed, dRotated.Condensed);
        // Per-word correlation of a vector with a randomly rotated copy: mean 0, spread ≈ 1/sqrt(d).
        return new RotationControlResult(m.Model.Name, direct.Mean, direct.PerItem, rsa, 1.0 / Math.Sqrt(x.Cols));
    }

    private static List<string> Notes(IReadOnlyList<ModelMatrices> models, IReadOnlyList<PairResult> pairs,
        RotationControlResult rotation, SeedAnalysisOptions o)
    {
        var notes = new List<string>();
        foreach (var p in pairs.Where(p => p.SharedLineage))
            notes.Add($"{p.A} and {p.B} share lineage: their vectors for the same word correlate directly " +
                      $"(mean r = {p.Direct!.Mean:0.000}, while a random rotation gives {rotation.DirectCorrelationMean:0.000}). " +
                      "Independently trained models have unrelated coordinate axes, so a direct correlation this high means " +
                      "one model's embeddings were initialised from or distilled into the other's.");
        foreach (var p in pairs.Where(p => p.Direct is not null && !p.SharedLineage))
            notes.Add($"{p.A} and {p.B} have the same width but their coordinates do not line up " +
                      $"(mean direct r = {p.Direct!.Mean:0.000}): only the geometry (RSA) can be compared.");
        if (!IsRotationInvariant(o.Kind))
            notes.Add($"the '{o.Kind.Name()}' dissimilarity centres each vector over its features, which a rotation does not preserve, " +
                      $"so the rotation control's RSA ({rotation.RsaPearson:0.000}) is not exactly 1.");
        return notes;
    }

    internal static bool IsSimilarityKind(DissimilarityKind k) => k is DissimilarityKind.Cosine or DissimilarityKind.Correlation;
    internal static bool IsRotationInvariant(DissimilarityKind k) => k != DissimilarityKind.Correlation;

    /// <summary>The per-word direct correlation of two models' vectors, or why it is undefined (different widths).</summary>
    internal static (DirectCorrelationResult? Direct, string? UndefinedReason) DirectCorrelationOf(
        ModelSummary a, Matrix va, ModelSummary b, Matrix vb)
    {
        if (a.Dims == b.Dims) return (DirectCorrelation.Compute(va, vb), null);
        return (null, $"{a.Name} has {a.Dims} dimensions and {b.Name} has {b.Dims}: there is no " +
                      "feature-to-feature correspondence, so correlating a word's two vectors is undefined");
    }

    /// <summary>k × k RSA Pearson between the named models (1 on the diagonal) from the pair results.</summary>
    internal static double[,] RsaMatrix(IReadOnlyList<string> models, IEnumerable<(string A, string B, double Pearson)> pairs)
    {
        int k = models.Count;
        var m = new double[k, k];
        for (int i = 0; i < k; i++) m[i, i] = 1.0;
        foreach (var (pa, pb, r) in pairs)
        {
            int a = IndexOf(pa), b = IndexOf(pb);
            m[a, b] = m[b, a] = r;
        }
        return m;

        int IndexOf(string name)
        {
            for (int i = 0; i < k; i++) if (models[i] == name) return i;
            throw new ArgumentException($"no model '{name}' in this result");
        }
    }

    internal static void CheckDistinctNames(IReadOnlyList<string> names)
    {
        var dup = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null)
            throw new SimileException($"model '{dup.Key}' is given {dup.Count()} times", "name each model once");
    }

    internal static IProgress<double>? Forward(IProgress<StageProgress>? progress, string stage) =>
        FractionProgress.Of(progress, stage);

}
