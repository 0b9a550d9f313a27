using System.ComponentModel;
using Simile.Analyses.Grid;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Simile.Cli.Commands.Grid;

/// <summary><c>simile grid sbatch</c>: Slurm scripts for the plan (extraction array → comparison array → merge) and submit.sh.</summary>
public sealed class GridSbatchCommand : Command<GridSbatchCommand.Settings>
{
    public sealed class Settings : GridPlanSettings
    {
        [CommandOption("--partition <NAME>")]
        [Description("#SBATCH --partition for every job.")]
        public string? Partition { get; init; }

        [CommandOption("--time <LIMIT>")]
        [Description("#SBATCH --time for every job, e.g. 02:00:00.")]
        public string? Time { get; init; }

        [CommandOption("--mem <SIZE>")]
        [Description("#SBATCH --mem for every job, e.g. 8G.")]
        public string? Mem { get; init; }

        [CommandOption("--cpus-per-task <N>")]
        [Description("#SBATCH --cpus-per-task for every job.")]
        public int? CpusPerTask { get; init; }

        [CommandOption("--throttle <T>")]
        [Description("At most T array tasks at once (--array=0-N%T).")]
        public int? Throttle { get; init; }

        [CommandOption("--shards <N>")]
        [Description("Comparison shards (default: the plan's).")]
        public int? Shards { get; init; }

        [CommandOption("--simile <COMMAND>")]
        [Description("The command that runs Simile on the compute nodes (default: this program's own path).")]
        public string? Simile { get; init; }

        [CommandOption("--job-name <NAME>")]
        [Description("Job name prefix (default simile-grid).")]
        [DefaultValue("simile-grid")]
        public string JobName { get; init; } = "simile-grid";

        public override ValidationResult Validate() =>
            base.Validate() is { Successful: false } problem ? problem
                : OptionLimits.Validate(("--cpus-per-task", CpusPerTask), ("--throttle", Throttle), ("--shards", Shards));
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var plan = GridPlan.Read(s.Plan!);
        var written = GridScheduler.WriteSbatch(plan, new SbatchOptions
        {
            Partition = s.Partition, Time = s.Time, Memory = s.Mem, CpusPerTask = s.CpusPerTask, Throttle = s.Throttle,
            Shards = s.Shards, Simile = s.Simile, JobName = s.JobName,
        });
        var console = CliSupport.Stdout();
        foreach (var w in written) console.MarkupLine($"wrote [bold]{Markup.Escape(w)}[/]");
        console.MarkupLine($"submit with: [bold]{Markup.Escape(written[^1])}[/]");
        return 0;
    }
}
