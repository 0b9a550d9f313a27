using System.ComponentModel;
using Simile.Data;
using Simile.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Simile.Cli;

/// <summary>Options shared by verbs that read items × features matrices (CSV/TSV/.npy).</summary>
public class MatrixInputSettings : VerbSettings
{
    [CommandOption("--header <MODE>")]
    [Description("CSV/TSV: does the first row name the columns? auto (detect), yes or no.")]
    [DefaultValue("auto")]
    public string Header { get; init; } = "auto";

    [CommandOption("--row-names <MODE>")]
    [Description("CSV/TSV: does the first column name the items? auto (detect), yes or no. For .npy, yes requires NAME.words.tsv/.txt next to it.")]
    [DefaultValue("auto")]
    public string RowNames { get; init; } = "auto";

    public MatrixReadOptions ReadOptions() => new()
    {
        Header = CliSupport.ParsePresence(Header, "--header"),
        RowNames = CliSupport.ParsePresence(RowNames, "--row-names"),
    };
}

/// <summary>Small helpers the verbs share: option parsing, stdout console, stderr progress.</summary>
public static class CliSupport
{
    public static Presence ParsePresence(string value, string option) => value.Trim().ToLowerInvariant() switch
    {
        "auto" => Presence.Auto,
        "yes" or "true" or "1" => Presence.Yes,
        "no" or "false" or "0" => Presence.No,
        _ => throw new SimileException($"{option} '{value}' is not a mode", $"use {option} auto, yes or no"),
    };

    /// <summary>--route: which routes the comparison planner may take.</summary>
    public static Simile.Analyses.Planning.RoutePreference ParseRoute(string value) => value.Trim().ToLowerInvariant() switch
    {
        "auto" => Simile.Analyses.Planning.RoutePreference.Auto,
        "explicit" => Simile.Analyses.Planning.RoutePreference.Explicit,
        "scale" => Simile.Analyses.Planning.RoutePreference.Scale,
        _ => throw new SimileException($"--route '{value}' is not a route", "use --route auto, explicit or scale"),
    };

    /// <summary>--subword: how a word split into several tokens becomes one vector (each verb chooses its default).</summary>
    public static SubwordPolicy ParseSubword(string value) => value.Trim().ToLowerInvariant() switch
    {
        "error" => SubwordPolicy.Error,
        "mean" => SubwordPolicy.Mean,
        "first" => SubwordPolicy.First,
        "last" => SubwordPolicy.Last,
        _ => throw new SimileException($"--subword '{value}' is not a pooling policy", "use --subword error, mean, first or last"),
    };

    /// <summary>--words: the given word list, or the 34 seed words built into the library (data/seed-words.tsv, <see cref="WordListFile.SeedWords"/>).</summary>
    public static WordList LoadWords(string? path, int minimumWords = WordListFile.DefaultMinimumWords) =>
        path is null ? WordListFile.SeedWords() : WordListFile.Read(path, minimumWords);

    /// <summary>A Spectre console over the current <see cref="Console.Out"/> (so redirected/captured output works).</summary>
    public static IAnsiConsole Stdout() => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Console.Out),
        Ansi = AnsiSupport.Detect,
        ColorSystem = ColorSystemSupport.Detect,
    });
}
