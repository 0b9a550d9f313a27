using System.Diagnostics;
using Simile.Comparison;
using Simile.Data;
using Simile.Inference;
using Simile.Models;
using Simile.Similarity;

namespace Simile.Analyses;

/// <summary>One model pair over the whole shared vocabulary: RSA without n×n matrices, and the density of all pairs.</summary>
public sealed record VocabularyPairResult(
    string A, string B,
    double Pearson, double Spearman,
    PermutationResult? PearsonTest,
    DirectCorrelationResult? Direct,
    string? DirectUndefinedReason,
    bool SharedLineage,
    DensityGrid Density,
    WholeVocabularyResult Detail);

public sealed record VocabularyAnalysisResult(
    SharedVocabulary Vocabulary,
    SeedAnalysisOptions Options,
    IReadOnlyList<ModelSummary> Models,
    IReadOnlyList<VocabularyPairResult> Pairs,
    RotationControlResult Rotation,
    IReadOnlyList<string> Notes,
    IReadOnlyList<StageTiming> Timings)
{
    public WordList Words => Vocabulary.Words;
    public DissimilarityKind Kind => Options.Kind;

    /// <summary>k × k RSA Pearson between models (1 on the diagonal).</summary>
    public double[,] RsaMatrix() => SeedAnalysis.RsaMatrix(Models.Select(m => m.Name).ToList(), Pairs.Select(p => (p.A, p.B, p.Pearson)));
}

/// <summary>
/// Part 1 over the words all models know (<c>rsa --vocabulary shared</c>): the same questions as
/// <see cref="SeedAnalysis"/> — RSA Pearson and Spearman with a permutation p, direct correlation where widths match,
/// the rotation control and the lineage note — for tens of thousands of words, through
/// <see cref="WholeVocabularyRsa"/> (no n×n matrices). No bootstrap interval: each resample would redo the whole
/// O(n²) computation, and with this many words the interval would be vanishingly narrow anyway.
/// </summary>
public static class SharedVocabularyAnalysis
{
    public const int DensityBins = 160;

    public static VocabularyAnalysisResult Run(IReadOnlyList<IWordEmbeddings> models, int? limit, int? minFrequencyRank,
        SeedAnalysisOptions? options = null, IProgress<StageProgress>? progress = null)
    {
        options ??= new SeedAnalysisOptions();
        if (models.Count < 2) throw new SimileException($"whole-vocabulary RSA needs at least two models, got {models.Count}", "name two or more models");
        SeedAnalysis.CheckDistinctNames(models.Select(m => m.Info.Name).ToList());

        var timings = new List<StageTiming>();
        var clock = Stopwatch.StartNew();
        void Stage(string name) { timings.Add(new StageTiming(name, clock.Elapsed)); clock.Restart(); }

        var vocabulary = WordSelectionVocabulary.Select(models, limit, minFrequencyRank);
        var words = vocabulary.Words.Words;
        var summaries = models.Select(ModelSummary.Of).ToList();
        long budget = options.MemoryBudget ?? Planning.MemoryBudget.Default();
        var widest = summaries.OrderByDescending(m => m.Dims).Take(2).ToList();
        var plan = Planning.ComparisonPlanner.Plan(new Planning.ComparisonRequest(words.Count, widest[0].Dims, widest[1].Dims, options.Kind,
            new HashSet<PairMeasure> { PairMeasure.Pearson, PairMeasure.Spearman }, 0, 0, budget, Planning.RoutePreference.Scale));
        plan.ThrowIfOverBudget("rsa --vocabulary shared");
        var vectors = models.Select(m => m.Vectors(words, SubwordPolicy.Error).Vectors).ToList();   // n × d each
        Stage("vocabulary and vectors");

        var measures = new[] { RsaMeasure.Pearson, RsaMeasure.Spearman };
        var pairs = new List<VocabularyPairResult>();
        for (int a = 0; a < models.Count; a++)
            for (int b = a + 1; b < models.Count; b++)
            {
                string label = $"{summaries[a].Name} vs {summaries[b].Name}";
                var detail = WholeVocabularyRsa.Run(vectors[a], vectors[b], options.Kind, measures, options.Permutations, options.Seed,
                    SeedAnalysis.Forward(progress, $"RSA {label}"), memoryBudget: budget, words: words);
                var density = WholeVocabularyRsa.Density(vectors[a], vectors[b], options.Kind, DensityBins,
                    SeedAnalysis.Forward(progress, $"density {label}"), words);
                var (direct, reason) = SeedAnalysis.DirectCorrelationOf(summaries[a], vectors[a], summaries[b], vectors[b]);
                pairs.Add(new VocabularyPairResult(summaries[a].Name, summaries[b].Name,
                    detail.Measures[RsaMeasure.Pearson], detail.Measures[RsaMeasure.Spearman], detail.PearsonPermutation,
                    direct, reason, direct is not null && direct.Mean >= options.LineageThreshold, density, detail));
                Stage(label);
            }

        // Rotation control on the first (or the chosen) model: feature-space Pearson, no n×n matrix.
        string rotationName = options.RotationModel ?? summaries[0].Name;
        int rm = summaries.FindIndex(s => s.Name == rotationName);
        if (rm < 0) throw new SimileException($"the rotation control model '{rotationName}' is not among the models",
            $"use one of {string.Join(", ", summaries.Select(s => s.Name))}");
        var x = vectors[rm];
        var rotated = RandomRotation.Apply(x, RandomRotation.Orthogonal(x.Cols, options.Seed));
        var rotDirect = DirectCorrelation.Compute(x, rotated);
        double rotRsa = WholeVocabularyRsa.Run(x, rotated, options.Kind, [RsaMeasure.Pearson], words: words).Measures[RsaMeasure.Pearson];
        var rotation = new RotationControlResult(rotationName, rotDirect.Mean, rotDirect.PerItem, rotRsa, 1.0 / Math.Sqrt(x.Cols));
        progress?.Report(new StageProgress("rotation control", 1.0));
        Stage("rotation control");

        var notes = new List<string>
        {
            $"{vocabulary.Words.Count:N0} words ({CondensedIndex.Length(vocabulary.Words.Count):N0} word pairs): letters-only words that are one whole token " +
            $"in every model ({vocabulary.SharedCount:N0} shared), ranked by {vocabulary.FrequencyOrderFrom}'s vocabulary order" +
            (minFrequencyRank is int r ? $", from rank {r}" : "") + (limit is int n ? $", first {n:N0}" : "") + ".",
        };
        foreach (var p in pairs.Where(p => p.SharedLineage))
            notes.Add($"{p.A} and {p.B} share lineage: their vectors for the same word correlate directly (mean r = {p.Direct!.Mean:0.000}, " +
                      $"a random rotation gives {rotation.DirectCorrelationMean:0.000}).");
        return new VocabularyAnalysisResult(vocabulary, options, summaries, pairs, rotation, notes, timings);
    }
}
