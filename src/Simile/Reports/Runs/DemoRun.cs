using Simile.Analyses;
using Simile.Analyses.Layers;
using Simile.Data;

namespace Simile.Reports.Runs;

/// <summary>What the demo did: part 1 (the word-list RSA) and part 2 (the layers, written to <c>OUT/layers/</c>).</summary>
public sealed record DemoRunResult(RunResult<SeedAnalysisResult> PartOne, LayersRunResult PartTwo, string PartTwoFolder);

/// <summary>
/// <c>simile demo</c> as one call. Part 1: minilm, arctic-xs and glove-100d with the 34 seed words, 10,000 permutations
/// and 1,000 bootstrap resamples, seed 1; carries on with the two BERT models when GloVe cannot be had. Part 2: minilm
/// and arctic-xs through every layer (each word averaged over the neutral templates), written to <c>OUT/layers/</c> and
/// embedded in the main report.html.
/// </summary>
public static class DemoRun
{
    public static readonly string[] Models = ["minilm", "arctic-xs", "glove-100d"];
    public static readonly string[] OptionalModels = ["glove-100d"];
    public static readonly string[] LayerModels = ["minilm", "arctic-xs"];
    public const string LayersFolder = "layers";

    public static DemoRunResult Run(WordList words, RunOutput output, IProgress<StageProgress>? progress = null)
    {
        string layersFolder = Path.Combine(output.Folder, LayersFolder);
        LayersRunResult? partTwo = null;
        var partOne = WordListRun.Words(Models, words,
            new SeedAnalysisOptions { Permutations = 10_000, BootstrapResamples = 1_000, Seed = 1 },
            output, new HashSet<string>(OptionalModels),
            new WordListRun.PartTwo((w, p) =>
            {
                partTwo = LayersRun.Run(LayerModels, w, new LayerAnalysisOptions { Seed = 1 }, output with { Folder = layersFolder }, p);
                return "<h1>Part 2: through the layers</h1>\n" + LayerReport.HtmlSection(partTwo.Analysis, partTwo.Figures,
                    headingLevel: 2, folder: LayersFolder + "/", headingPrefix: "Layers: ");
            }, LayersFolder + "/results.json"),
            progress);
        return new DemoRunResult(partOne, partTwo!, layersFolder);
    }
}
