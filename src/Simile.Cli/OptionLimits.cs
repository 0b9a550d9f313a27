using System.Globalization;
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
    public sealed record Limit(string Option, decimal Min, decimal Max, string Meaning);

    public static readonly IReadOnlyList<Limit> All =
    [
        new("--permutations", 0, 1_000_000, "permutations of the items for the p-value (0: none)"),
        new("--bootstrap", 0, 100_000, "bootstrap resamples for the 95% interval (0: none)"),
        new("--limit", 3, 10_000_000, "words taken from the shared vocabulary"),
        new("--min-frequency-rank", 1, 10_000_000, "skip the most frequent words above this rank"),
        new("--max-contexts", 1, 10_000, "corpus contexts averaged per word"),
        new("--seed", 0, ulong.MaxValue, "the random seed (any 64-bit unsigned integer)"),
    ];

    public static Limit Of(string option) =>
        All.FirstOrDefault(l => l.Option == option) ?? throw new ArgumentException($"no limit for {option}");

    /// <summary>Throws a <see cref="SimileException"/> naming the range when <paramref name="value"/> is outside it (null: option not given).</summary>
    public static void Check(string option, decimal? value)
    {
        if (value is null) return;
        var l = Of(option);
        if (value < l.Min || value > l.Max)
            throw new SimileException($"{option} {value.Value.ToString(CultureInfo.InvariantCulture)} is outside its range {Text(l.Min)}–{Text(l.Max)} ({l.Meaning})",
                $"give {option} a value from {Text(l.Min)} to {Text(l.Max)}");
    }

    /// <summary>Checks several options; returns success so Validate() can end with it.</summary>
    public static ValidationResult Validate(params (string Option, decimal? Value)[] values)
    {
        foreach (var (option, value) in values) Check(option, value);
        return ValidationResult.Success();
    }

    public static string Text(decimal v) => v.ToString("#,0", CultureInfo.InvariantCulture);
}
