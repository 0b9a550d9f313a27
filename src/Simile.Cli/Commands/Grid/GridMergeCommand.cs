using System.ComponentModel;
using Simile.Analyses.Grid;
using Simile.Reports.Runs;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Simile.Cli.Commands.Grid;

/// <summary><c>simile grid merge</c>: checks the shards and writes results.json, grids/ and report.html.</summary>
public sealed class GridMergeCommand : Command<GridMergeCommand.Settings>
{
    public sealed class Settings : GridPlanSettings
    {
        [CommandOption("--shards <N>")]
        [Description("Merge the N-shard set (default: the count of the shard files present, or the plan's).")]
        public int? Shards { get; init; }

        public override ValidationResult Validate() =>
            base.Validate() is { Successful: false } problem ? problem : OptionLimits.Validate(("--shards", Shards));
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        GridRunCommand.PrintSummary(GridRun.Merge(s.Plan!, s.Shards));
        return 0;
    }
}
