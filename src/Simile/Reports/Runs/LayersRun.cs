using Simile.Analyses.Layers;
using Simile.Analyses.Targets;
using Simile.Data;
using Simile.Models;

namespace Simile.Reports.Runs;

/// <summary>What a layers run did: the analysis, the files written and the figures (for embedding elsewhere).</summary>
public sealed record LayersRunResult(LayerAnalysisResult Analysis, IReadOnlyList<string> Files, IReadOnlyList<Figure> Figures)
{
    /// <summary>Comparisons with targets (<c>--target</c>); empty without.</summary>
    public IReadOnlyList<TargetResult> Targets { get; init; } = [];
}

/// <summary>Targets of a layers run: the files and how to compare (<c>--target</c>, <c>--target-measure</c>).</summary>
public sealed record LayerTargets(IReadOnlyList<string> Files, TargetOptions Options);

/// <summary>
/// The whole <c>layers</c> run as one call (also the demo's part 2): resolve the transformer models, check the output
/// folder before the long work, run <see cref="LayerAnalysis"/>, compare every representation with the targets (when
/// given), draw the figures and write the report folder, release the models.
/// </summary>
public static class LayersRun
{
    public static LayersRunResult Run(IReadOnlyList<string> modelNames, WordList words, LayerAnalysisOptions options,
        RunOutput output, IProgress<StageProgress>? progress = null, LayerTargets? targets = null)
    {
        var targetList = targets is null ? null : TargetFile.ReadAll(targets.Files);
        var models = new List<(string Name, ITransformerModel Model)>();
        try
        {
            foreach (var m in modelNames) models.Add((ModelCatalogue.DisplayName(m), ModelCatalogue.ResolveTransformer(m)));
            OutputPath.CheckFolder(output.Folder);
            var result = LayerAnalysis.Run(models, words, options, progress);
            List<TargetResult>? targetResults = null;
            if (targetList is not null)
            {
                var perModel = models.Select(m => TargetEvaluation.LayerVectors(m.Model, m.Name, targetList, options.Context, targets!.Options.Subword,
                    options.Normalization, FractionProgress.Of(progress, $"{m.Name}: contextual vectors of the target words"))).ToList();
                targetResults = [];
                for (int t = 0; t < targetList.Count; t++)
                    targetResults.Add(TargetEvaluation.Evaluate(targetList[t], perModel.SelectMany(m => m[t]).ToList(), targets!.Options, progress));
            }
            var figures = LayerReport.BuildFigures(result, output.Figures);
            var files = LayerReport.Build(result, output.Folder, figures, targetResults, output.Figures).WriteAll();
            return new LayersRunResult(result, files, figures) { Targets = targetResults ?? [] };
        }
        finally
        {
            foreach (var (_, model) in models) model.Dispose();
        }
    }
}
