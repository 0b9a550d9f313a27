using Simile.Data;
using Spectre.Console;

namespace Simile.Cli;

/// <summary>
/// The one progress renderer of the CLI: the library's <see cref="StageProgress"/> reports become Spectre.Console
/// progress bars on stderr (one bar per stage) when stderr is a terminal; silent (a null progress) when it is
/// redirected or SIMILE_NO_PROGRESS is set, so logs and pipes stay clean and stdout stays a clean summary.
/// Usage: <c>var model = CliProgress.Run("Fetching GloVe", p => ModelCatalogue.Resolve(name, p));</c> for one stage,
/// <c>CliProgress.Stages(p => SeedAnalysis.Run(models, words, options, p))</c> for a call that names its stages.
/// </summary>
public static class CliProgress
{
    /// <summary>True when progress bars are drawn (stderr is a terminal and SIMILE_NO_PROGRESS is not set).</summary>
    public static bool Enabled =>
        !Console.IsErrorRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("SIMILE_NO_PROGRESS"));

    /// <summary>One stage named <paramref name="description"/>, reported as a fraction 0..1.</summary>
    public static T Run<T>(string description, Func<IProgress<double>?, T> work) =>
        Stages(p => work(FractionProgress.Of(p, description)));

    public static void Run(string description, Action<IProgress<double>?> work) =>
        Stages(p => { work(FractionProgress.Of(p, description)); return true; });

    /// <summary>A bar per stage while <paramref name="work"/> runs; bars never move backwards and end full.</summary>
    public static T Stages<T>(Func<IProgress<StageProgress>?, T> work)
    {
        if (!Enabled) return work(null);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var bars = new Bars(ctx);
                var result = work(bars);
                bars.Finish();
                return result;
            });
    }

    /// <summary>Reports into Spectre tasks, one per stage; values are clamped to [0, 1] and never move backwards.</summary>
    private sealed class Bars(ProgressContext ctx) : IProgress<StageProgress>
    {
        private readonly object _gate = new();
        private readonly Dictionary<string, ProgressTask> _tasks = [];

        public void Report(StageProgress value)
        {
            if (double.IsNaN(value.Fraction)) return;
            lock (_gate)
            {
                if (!_tasks.TryGetValue(value.Stage, out var task))
                    _tasks[value.Stage] = task = ctx.AddTask(Markup.Escape(value.Stage), maxValue: 1.0);
                double v = Math.Clamp(value.Fraction, 0, 1);
                if (v > task.Value) task.Value = v;
            }
        }

        public void Finish()
        {
            lock (_gate) foreach (var t in _tasks.Values) t.Value = t.MaxValue;
        }
    }
}
