using System.Diagnostics;
using Simile.Analyses;
using Simile.Analyses.Targets;
using Simile.Data;
using Simile.Models;

namespace Simile.Reports.Runs;

/// <summary>What an <c>rsa --target</c> run computed: the word-list analysis when there was one, and every target's result.</summary>
public sealed record TargetRunResult(SeedAnalysisResult? Analysis, IReadOnlyList<ModelSummary> Models, IReadOnlyList<TargetResult> Targets);

/// <summary>
/// <c>rsa --target</c> as one call: read the target files (before any long work), check the output folder, load the
/// models, run the word-list analysis when <c>words</c> is given, compare each model's static vectors (token embeddings
/// for transformers) with every target, draw the figures and write the report folder.
/// </summary>
public static class TargetRun
{
    public static RunResult<TargetRunResult> Rsa(IReadOnlyList<string> modelNames, WordList? words, SeedAnalysisOptions options,
        IReadOnlyList<string> targetFiles, TargetOptions targetOptions, RunOutput output, IProgress<StageProgress>? progress = null)
    {
        var targets = TargetFile.ReadAll(targetFiles);
        OutputPath.CheckFolder(output.Folder);
        SeedAnalysis.CheckDistinctNames(modelNames);
        using var loading = ModelLoading.Load(modelNames, null, WordListRun.OpenModel, progress);
        var analysis = words is null ? null : SeedAnalysis.Run(loading.Models, words, options, progress);
        var results = new List<TargetResult>();
        foreach (var t in targets)
        {
            var reps = loading.Models.Select(m => TargetEvaluation.TokenVectors(m, t, targetOptions.Subword)).ToList();
            results.Add(TargetEvaluation.Evaluate(t, reps, targetOptions, progress));
        }
        var models = loading.Models.Select(ModelSummary.Of).ToList();
        var run = new TargetRunResult(analysis, models, results);
        var clock = Stopwatch.StartNew();
        progress?.Report(new StageProgress(WordListRun.WriteStage, 0));
        IReadOnlyList<string> files;
        if (analysis is not null)
            files = SeedReport.Write(analysis, output.Folder, size: output.Figures, targets: results);
        else
        {
            OutputPath.CheckFolder(output.Folder);
            var report = new ReportOutput(output.Folder);
            report.AddText("results.json", TargetResultsJson.Document(models, results, targetOptions, []));
            var figures = TargetFigures.ForModels(results, output.Figures);
            foreach (var f in figures) report.AddFigure(f);
            report.AddText("report.html", TargetReport.Page(models.Select(m => m.Name).ToList(), results, figures));
            files = report.WriteAll();
        }
        progress?.Report(new StageProgress(WordListRun.WriteStage, 1));
        return new RunResult<TargetRunResult>(run, loading.Loaded, loading.Skipped, files, clock.Elapsed);
    }
}
