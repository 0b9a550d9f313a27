using System.ComponentModel;
using Simile.Analyses.Grid;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Simile.Cli.Commands.Grid;

/// <summary>Settings every grid step shares: the plan folder.</summary>
public class GridPlanSettings : VerbSettings
{
    [CommandOption("--plan <DIR>")]
    [Description("The plan folder written by 'simile grid plan'.")]
    public string? Plan { get; init; }

    public override ValidationResult Validate() =>
        string.IsNullOrWhiteSpace(Plan) ? ValidationResult.Error("give --plan DIR (the folder written by 'simile grid plan')") : ValidationResult.Success();
}

/// <summary><c>simile grid extract</c>: extraction task K (model K's vectors into DIR/vectors).</summary>
public sealed class GridExtractCommand : Command<GridExtractCommand.Settings>
{
    public sealed class Settings : GridPlanSettings
    {
        [CommandOption("--task <K>")]
        [Description("Task K from 0 (one per model, in plan order). Default: the job-array index (SLURM_ARRAY_TASK_ID, PBS_ARRAY_INDEX, SGE_TASK_ID−1, LSB_JOBINDEX−1).")]
        public int? Task { get; init; }

        [CommandOption("--force")]
        [Description("Extract again even when this plan's vectors are already there.")]
        public bool Force { get; init; }

        public override ValidationResult Validate() =>
            base.Validate() is { Successful: false } problem ? problem : OptionLimits.Validate(("--task", Task));
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var plan = GridPlan.Read(s.Plan!);
        int task = GridScheduler.ResolveTask(s.Task, plan);
        bool ran = CliProgress.Run($"Extracting {plan.Models[task].Name}", p => GridExtract.Run(plan, task, s.Force, p));
        CliSupport.Stdout().MarkupLine(ran
            ? $"task {task}: wrote [bold]{Markup.Escape(plan.VectorsPath(task))}[/] and its sidecar"
            : $"task {task}: {Markup.Escape(plan.Models[task].Name)} already extracted for this plan (use --force to redo)");
        return 0;
    }
}
