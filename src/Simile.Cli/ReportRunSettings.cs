using System.ComponentModel;
using Simile.Reports;
using Simile.Reports.Runs;
using Spectre.Console.Cli;

namespace Simile.Cli;

/// <summary>Options of the verbs that write a word-list report folder (<c>rsa</c>, <c>demo</c>): output folder and figure size.</summary>
public abstract class ReportRunSettings : VerbSettings
{
    [CommandOption("-o|--out <DIR>")]
    [Description("Output folder (default ./simile-out).")]
    public string Out { get; set; } = "simile-out";

    [CommandOption("--figure-size <SIZE>")]
    [Description("Figures for 'screen' (default), 'paper' (3.3 in column, text ≥ 7 pt, PNG 300 dpi) or a width in inches.")]
    public string FigureSizeOption { get; set; } = "screen";

    [CommandOption("--order <ORDER>")]
    [Description("Words on the heatmaps: 'category' (default: grouped by category, list order within) or 'cluster' (grouped by category, average-linkage clustering of the first model's dissimilarities within each).")]
    public string OrderOption { get; set; } = "category";

    [CommandOption("--svg-text <MODE>")]
    [Description("SVG text as 'text' (default) or 'paths' (glyph outlines: looks the same without DejaVu Sans, not selectable).")]
    public string SvgTextOption { get; set; } = "text";


    /// <summary>The report folder and figure size these options name.</summary>
    public RunOutput Output() => new(Out)
    {
        Figures = FigureSize.Parse(FigureSizeOption).WithSvgText(SvgTextOption),
        Order = OrderOption.Trim().ToLowerInvariant() switch
        {
            "category" => WordOrder.Category,
            "cluster" => WordOrder.Cluster,
            _ => throw new Simile.SimileException($"unknown --order '{OrderOption}'", "give --order category (default) or cluster"),
        },
    };
}
