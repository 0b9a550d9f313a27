using System.Diagnostics;
using Simile.Analyses;
using Simile.Data;
using Simile.Models;

namespace Simile.Reports.Runs;

/// <summary>Where and how a run writes its report folder.</summary>
public sealed record RunOutput(string Folder)
{
    /// <summary>Size of the figures (--figure-size).</summary>
    public FigureSize Figures { get; init; } = FigureSize.Screen;
}

/// <summary>What a load → analyse → write run did: the analysis, the models loaded and skipped, the files written.</summary>
public sealed record RunResult<T>(T Analysis, IReadOnlyList<LoadedModel> Loaded, IReadOnlyList<SkippedModel> Skipped,
    IReadOnlyList<string> Files, TimeSpan WriteTime);

/// <summary>
/// The whole <c>rsa</c> run as one call: check the output folder (before any long work), load the models, analyse the
/// word list (<see cref="SeedAnalysis"/>) or the shared vocabulary (<see cref="SharedVocabularyAnalysis"/>), draw the
/// figures and write the report folder, release the models. Progress stages: "loading NAME", the analysis stages,
/// "drawing figures and writing the report".
/// </summary>
public static class WordListRun
{
    public const string WriteStage = "drawing figures and writing the report";

    /// <summary>A further section run after the analysis and before the report is written (the demo's layers part).</summary>
    /// <param name="Html">Returns the HTML fragment report.html embeds.</param>
    /// <param name="ResultsPath">Path of the section's results.json relative to the output folder, named in results.json.</param>
    public sealed record PartTwo(Func<WordList, IProgress<StageProgress>?, string> Html, string ResultsPath);

    /// <summary>Opens a model by catalogue name or path (replaceable for tests and other model sources).</summary>
    public static Func<string, IProgress<double>?, IWordEmbeddings> OpenModel { get; set; } = ModelCatalogue.Resolve;

    /// <summary>The word-list analysis of every pair of <paramref name="models"/>; models in <paramref name="optional"/> may be missing.</summary>
    public static RunResult<SeedAnalysisResult> Words(IReadOnlyList<string> models, WordList words, SeedAnalysisOptions options,
        RunOutput output, IReadOnlySet<string>? optional = null, PartTwo? partTwo = null, IProgress<StageProgress>? progress = null) =>
        Run(models, optional, output, progress,
            loaded => SeedAnalysis.Run(loaded, words, options, progress),
            r =>
            {
                string? html = partTwo?.Html(words, progress);
                return SeedReport.Write(r, output.Folder, html, output.Figures, html is null ? null : partTwo!.ResultsPath);
            });

    /// <summary>The shared-vocabulary analysis (<c>--vocabulary shared</c>) of every pair of <paramref name="models"/>.</summary>
    public static RunResult<VocabularyAnalysisResult> Vocabulary(IReadOnlyList<string> models, int? limit, int? minFrequencyRank,
        SeedAnalysisOptions options, RunOutput output, IProgress<StageProgress>? progress = null) =>
        Run(models, null, output, progress,
            loaded => SharedVocabularyAnalysis.Run(loaded, limit, minFrequencyRank, options, progress),
            r => VocabularyReport.Write(r, output.Folder, output.Figures));

    private static RunResult<T> Run<T>(IReadOnlyList<string> names, IReadOnlySet<string>? optional, RunOutput output,
        IProgress<StageProgress>? progress, Func<List<IWordEmbeddings>, T> analyse, Func<T, IReadOnlyList<string>> write)
    {
        OutputPath.CheckFolder(output.Folder);
        using var loading = ModelLoading.Load(names, optional, OpenModel, progress);
        var analysis = analyse(loading.Models);
        var clock = Stopwatch.StartNew();
        progress?.Report(new StageProgress(WriteStage, 0));
        var files = write(analysis);
        progress?.Report(new StageProgress(WriteStage, 1));
        return new RunResult<T>(analysis, loading.Loaded, loading.Skipped, files, clock.Elapsed);
    }
}
