using System.Diagnostics;

namespace Simile.Bench;

/// <summary>The options of a benchmark case (<c>--name value</c>) and its timing rule, shared by every case.</summary>
internal static class BenchSupport
{
    /// <summary>The integer after <paramref name="name"/>, or <paramref name="fallback"/>.</summary>
    public static int Arg(string[] args, string name, int fallback) =>
        int.TryParse(ArgText(args, name), out int v) ? v : fallback;

    /// <summary>The text after <paramref name="name"/>, or null.</summary>
    public static string? ArgText(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>The fastest of <paramref name="reps"/> runs, in seconds (the result kept alive so the work is done).</summary>
    public static double Best<T>(int reps, Func<T> run)
    {
        double best = double.PositiveInfinity;
        for (int r = 0; r < reps; r++)
        {
            var sw = Stopwatch.StartNew();
            GC.KeepAlive(run());
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return best;
    }
}
