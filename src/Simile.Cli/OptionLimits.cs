using System.Globalization;
using Simile.Analyses.Planning;
using Simile.Reports;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Simile.Cli;

/// <summary>
/// The one table of ranges for the numeric options of every verb (README "Option ranges" lists the same). A value
/// outside its range is refused before any work starts, with one line that names the range. A verb with a new
/// numeric option adds a row here and calls <see cref="Check"/> from its settings' Validate().
/// </summary>
public static class OptionLimits
{
    /// <summary>One option's range. <paramref name="MinExclusive"/>: the minimum itself is not allowed (a positive
    /// number); <paramref name="IsSize"/>: a memory size in bytes, written with a unit (KB, MB, GB, TB).</summary>
    public sealed record Limit(string Option, decimal Min, decimal Max, string Meaning, bool MinExclusive = false, bool IsSize = false)
    {
        public string MinText => (MinExclusive ? "> " : "") + Format(Min);
        public string MaxText => Format(Max);
        public bool Allows(decimal v) => (MinExclusive ? v > Min : v >= Min) && v <= Max;
        private string Format(decimal v) => IsSize ? SizeText(v) : Text(v);
    }

    public static readonly IReadOnlyList<Limit> All =
    [
        new("--permutations", 0, 1_000_000, "permutations of the items for the p-value (0: none)"),
        new("--bootstrap", 0, 100_000, "bootstrap resamples for the 95% interval (0: none)"),
        new("--limit", 3, 10_000_000, "words taken from the shared vocabulary"),
        new("--min-frequency-rank", 1, 10_000_000, "skip the most frequent words above this rank"),
        new("--max-contexts", 1, 10_000, "corpus contexts averaged per word"),
        new("--seed", 0, ulong.MaxValue, "the random seed (any 64-bit unsigned integer)"),
        new("--neighbours", 1, 1_000_000, "neighbours k of the kNN measures (--k); also fewer than the items"),
        new("--alpha", 0, 1, "partial whitening of shape_metric (1: Procrustes, 0: full whitening)"),
        new("--rbf-threshold", 0, 1_000, "RBF bandwidth factor of cka_rbf (sigma = factor × median distance)", MinExclusive: true),
        new("--memory", MemoryBudget.MinBytes, MemoryBudget.MaxBytes, "memory a run may use, a size with a unit (512MB, 4GB)", IsSize: true),
        new("--figure-size", (decimal)FigureSize.MinInches, (decimal)FigureSize.MaxInches, "figure width in inches (or paper, screen)"),
        new("--shards", 1, Simile.Analyses.Grid.GridPlan.MaxShards, "comparison shards of a grid"),
        new("--task", 0, 1_000_000, "grid extraction task (one per model, from 0)"),
        new("--cpus-per-task", 1, 10_000, "#SBATCH --cpus-per-task of every grid job"),
        new("--throttle", 1, 1_000_000, "grid array tasks running at once"),
    ];

    public static Limit Of(string option) =>
        All.FirstOrDefault(l => l.Option == option) ?? throw new ArgumentException($"no limit for {option}");

    /// <summary>Throws a <see cref="SimileException"/> naming the range when <paramref name="value"/> is outside it (null: option not given).
    /// <paramref name="given"/>: the value as the user wrote it (default: the number).</summary>
    public static void Check(string option, decimal? value, string? given = null)
    {
        if (value is null) return;
        var l = Of(option);
        if (!l.Allows(value.Value)) throw OutOfRange(l, given ?? value.Value.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The same for a floating-point option (NaN and infinities are outside every range).</summary>
    public static void Check(string option, double? value)
    {
        if (value is null) return;
        var l = Of(option);
        if (!double.IsFinite(value.Value) || value.Value is > 1e15 or < -1e15 || !l.Allows((decimal)value.Value))
            throw OutOfRange(l, value.Value.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Parses and checks a memory size option (--memory); null when not given.</summary>
    public static long? Size(string option, string? text)
    {
        if (text is null) return null;
        long bytes = MemoryBudget.Parse(text, option);
        Check(option, bytes, text);
        return bytes;
    }

    private static SimileException OutOfRange(Limit l, string given) =>
        new($"{l.Option} {given} is outside its range {l.MinText}–{l.MaxText} ({l.Meaning})",
            l.MinExclusive ? $"give {l.Option} a value above {Text(l.Min)} and at most {l.MaxText}" : $"give {l.Option} a value from {l.MinText} to {l.MaxText}");

    /// <summary>Checks several options; returns success so Validate() can end with it.</summary>
    public static ValidationResult Validate(params (string Option, decimal? Value)[] values)
    {
        foreach (var (option, value) in values) Check(option, value);
        return ValidationResult.Success();
    }

    public static string Text(decimal v) => v.ToString("#,0.###", CultureInfo.InvariantCulture);

    /// <summary>"1 KB", "1,024 TB": the largest unit that divides the size (powers of 1024).</summary>
    public static string SizeText(decimal bytes)
    {
        foreach (var (unit, scale) in new[] { ("TB", 1m * (1L << 40)), ("GB", 1m * (1L << 30)), ("MB", 1m * (1L << 20)), ("KB", 1024m) })
            if (bytes >= scale && bytes % scale == 0) return $"{Text(bytes / scale)} {unit}";
        return $"{Text(bytes)} B";
    }
}
