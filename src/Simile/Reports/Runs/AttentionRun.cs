using Simile.Analyses;
using Simile.Data;

namespace Simile.Reports.Runs;

/// <summary>What an attention run wrote: the export (tokens, layers, heads, shape) and the files.</summary>
public sealed record AttentionRunResult(AttentionExport Export, IReadOnlyList<string> Files);

/// <summary>
/// The whole <c>attention</c> run as one call: open the transformer, run the text through it keeping the attention of
/// the chosen layers and heads, release the model, then write <c>attention.npy</c>, <c>attention.json</c> and the
/// heatmaps into <paramref name="folder"/> (its name is checked before the model is opened, the folder itself before
/// anything is written).
/// </summary>
public static class AttentionRun
{
    public static AttentionRunResult Run(string model, TransformerEngine engine, string text, string layers, string heads,
        bool perHead, string folder, IProgress<StageProgress>? progress = null)
    {
        OutputPath.CheckFolderName(folder);
        AttentionExport export;
        using (var transformer = TransformerBackend.Open(model, engine))
            export = AttentionExport.Compute(transformer, text, layers, heads, TransformerBackend.DisplayName(model));
        OutputPath.CheckFolder(folder);
        var files = new List<string> { export.WriteNpy(folder), export.WriteJson(folder) };
        files.AddRange(AttentionFigures.Write(export, folder, perHead, FractionProgress.Of(progress, "Drawing attention heatmaps")));
        return new AttentionRunResult(export, files);
    }
}
