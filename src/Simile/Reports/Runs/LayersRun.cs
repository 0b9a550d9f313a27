using Simile.Analyses.Layers;
using Simile.Data;
using Simile.Models;

namespace Simile.Reports;

/// <summary>What a layers run did: the analysis, the files written and the figures (for embedding elsewhere).</summary>
public sealed record LayersRunResult(LayerAnalysisResult Analysis, IReadOnlyList<string> Files, IReadOnlyList<Figure> Figures);

/// <summary>
/// The whole <c>layers</c> run as one call (also the demo's part 2): resolve the transformer models, check the output
/// folder before the long work, run <see cref="LayerAnalysis"/>, draw the figures and write the report folder,
/// release the models.
/// </summary>
public static class LayersRun
{
    public static LayersRunResult Run(IReadOnlyList<string> modelNames, WordList words, LayerAnalysisOptions options,
        RunOutput output, IProgress<StageProgress>? progress = null)
    {
        var models = new List<(string Name, ITransformerModel Model)>();
        try
        {
            foreach (var m in modelNames) models.Add((ModelCatalogue.DisplayName(m), ModelCatalogue.ResolveTransformer(m)));
            OutputPath.CheckFolder(output.Folder);
            var result = LayerAnalysis.Run(models, words, options, progress);
            var figures = LayerReport.BuildFigures(result, output.Figures);
            var files = LayerReport.Build(result, output.Folder, figures).WriteAll();
            return new LayersRunResult(result, files, figures);
        }
        finally
        {
            foreach (var (_, model) in models) model.Dispose();
        }
    }
}
