using System.ComponentModel;
using Simile.Analyses.Grid;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Simile.Cli.Commands.Grid;

/// <summary><c>simile grid compare</c>: comparison shard I of N into DIR/shards/I-of-N.json.</summary>
public sealed class GridCompareCommand : Command<GridCompareCommand.Settings>
{
    public sealed class Settings : GridPlanSettings
    {
        [CommandOption("--shard <I/N>")]
        [Description("Shard I of N, I from 0 to N−1. Default: the job-array index and count (SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT; PBS, SGE, LSF equivalents, with N from the plan where the scheduler has no count).")]
        public string? Shard { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var plan = GridPlan.Read(s.Plan!);
        var (shard, of) = GridScheduler.ResolveShard(s.Shard, plan);
        var (path, pairs) = CliProgress.Run($"Comparing shard {shard}/{of}", p => GridCompare.RunShard(plan, shard, of, p));
        CliSupport.Stdout().MarkupLine($"shard {shard}/{of}: {pairs} pair(s), wrote [bold]{Markup.Escape(path)}[/]");
        return 0;
    }
}
