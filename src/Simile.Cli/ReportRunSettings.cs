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


    /// <summary>The report folder and figure size these options name.</summary>
    public RunOutput Output() => new(Out) { Figures = FigureSize.Parse(FigureSizeOption) };
}
