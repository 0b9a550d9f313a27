using Simile.Analyses.Grid;
using Simile.Reports.Runs;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Simile.Cli.Commands.Grid;

/// <summary><c>simile grid run</c>: every step of the plan in this process (extract, compare all pairs, write the outputs).</summary>
public sealed class GridRunCommand : Command<GridPlanSettings>
{
    public override int Execute(CommandContext context, GridPlanSettings s, CancellationToken cancellationToken)
    {
        PrintSummary(CliProgress.Stages(p => GridRun.All(s.Plan!, p)));
        return 0;
    }

    internal static void PrintSummary(GridRunResult run)
    {
        var (result, written) = (run.Result, run.Files);
        var console = CliSupport.Stdout();
        console.MarkupLine($"{result.Pairs.Count} pair(s) of {result.Models.Sum(m => m.Representations.Count)} representations across {result.Models.Count} model(s), measures {Markup.Escape(string.Join(",", result.Plan.Measures))}");
        console.MarkupLine($"wrote [bold]{Markup.Escape(Path.Combine(result.Plan.Folder!, "results.json"))}[/], report.html and {written.Count - 2} file(s) in grids/");
    }
}
