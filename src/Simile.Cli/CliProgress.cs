using Spectre.Console;

namespace Simile.Cli;

/// <summary>
/// Turns a library <see cref="IProgress{T}"/> (fraction 0..1) into a Spectre.Console progress bar on stderr when
/// stderr is a terminal; silent (a null progress) when it is redirected, so logs and pipes stay clean.
/// Usage: <c>var model = CliProgress.Run("Fetching GloVe", p => ModelCatalogue.Resolve(name, p));</c>
/// </summary>
public static class CliProgress
{
    /// <summary>True when progress bars are drawn (stderr is a terminal and SIMILE_NO_PROGRESS is not set).</summary>
    public static bool Enabled =>
        !Console.IsErrorRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("SIMILE_NO_PROGRESS"));

    public static T Run<T>(string description, Func<IProgress<double>?, T> work)
    {
        if (!Enabled) return work(null);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(description), maxValue: 1.0);
                var result = work(new TaskProgress(task));
                task.Value = 1.0;
                return result;
            });
    }

    public static void Run(string description, Action<IProgress<double>?> work) =>
        Run<bool>(description, p => { work(p); return true; });

    /// <summary>Reports into a Spectre task; values are clamped to [0, 1] and never move backwards.</summary>
    private sealed class TaskProgress(ProgressTask task) : IProgress<double>
    {
        private readonly object _gate = new();
        public void Report(double value)
        {
            if (double.IsNaN(value)) return;
            lock (_gate)
            {
                double v = Math.Clamp(value, 0, 1);
                if (v > task.Value) task.Value = v;
            }
        }
    }
}
