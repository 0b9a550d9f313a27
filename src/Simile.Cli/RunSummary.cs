using System.Globalization;
using Simile.Analyses;
using Simile.Comparison;
using Simile.Reports;
using Simile.Reports.Runs;
using Simile.Similarity;
using Spectre.Console;

namespace Simile.Cli;

/// <summary>
/// The one summary printer of the word-list runs (<c>rsa</c>, <c>rsa --vocabulary shared</c>, part 1 of <c>demo</c>):
/// the models, the words, the RSA table of every pair, the rotation control, notes, timings, and the files written.
/// </summary>
internal sealed class RunSummary(bool verbose)
{
    private readonly IAnsiConsole _out = Wide(AnsiConsole.Console);

    /// <summary>Piped output has no terminal width; 120 columns keep the summary table on one line per pair.</summary>
    private static IAnsiConsole Wide(IAnsiConsole console)
    {
        if (Console.IsOutputRedirected && console.Profile.Width < 120) console.Profile.Width = 120;
        return console;
    }

    /// <summary>The pair row of the RSA table (word list or whole vocabulary).</summary>
    private sealed record Row(string A, string B, double Pearson, double Spearman, Simile.Inference.PermutationResult? Test,
        Simile.Inference.BootstrapInterval? Interval, Simile.Comparison.DirectCorrelationResult? Direct, bool SharedLineage);

    /// <summary>Optional models that were skipped, and (with --verbose) load times.</summary>
    public void Loading<T>(RunResult<T> r)
    {
        foreach (var s in r.Skipped)
            _out.MarkupLine($"[yellow]{Markup.Escape(s.Name)} is not available[/] ({Markup.Escape(s.Reason)}); carrying on without it.");
        if (verbose)
            foreach (var l in r.Loaded) _out.MarkupLine($"[grey]loaded {Markup.Escape(l.Name)} in {Seconds(l.Elapsed)}[/]");
    }

    public void Print(SeedAnalysisResult r, bool explain) => Print(
        r.Models.Select(m => m.Model), r.Options.Permutations, withInterval: true,
        r.Pairs.Select(p => new Row(p.A, p.B, p.Pearson, p.Spearman, p.PearsonTest, p.PearsonInterval, p.Direct, p.SharedLineage)).ToList(),
        words: () =>
        {
            if (r.Selection is { } sel)
            {
                _out.WriteLine();
                _out.MarkupLine($"[bold]Words[/]: {r.Words.Count}{(r.Words.HasCategories ? $" in {r.Words.CategoryNames.Count} categories ({Markup.Escape(string.Join(", ", r.Words.CategoryNames))})" : "")}");
                foreach (var c in sel.Checks)
                {
                    var multi = c.MultiToken;
                    _out.MarkupLine(multi.Count == 0
                        ? $"  {Markup.Escape(c.Model)}: every word is a single token"
                        : $"  {Markup.Escape(c.Model)}: {multi.Count} split, pooled by {sel.Policy.ToString().ToLowerInvariant()}: " +
                          Markup.Escape(string.Join(", ", multi.Select(t => $"{t.Word} = {string.Join(" + ", t.Pieces)}"))));
                }
                if (sel.Skipped.Count > 0)
                    _out.MarkupLine("  [yellow]skipped[/] (missing from a model): " +
                        Markup.Escape(string.Join(", ", sel.Skipped.Select(s => $"{s.Word} (not in {string.Join(", ", s.MissingIn)})"))));
            }
            _out.WriteLine();
            _out.MarkupLine($"[bold]RSA[/]: Pearson and Spearman correlation of the {Markup.Escape(SeedReport.QuantityName(r.Kind))} matrices, every pair of models");
        },
        afterTable: () =>
        {
            foreach (var p in r.Pairs.Where(p => p.Direct is null))
                _out.MarkupLine($"  [grey]direct correlation {Markup.Escape(p.A)}–{Markup.Escape(p.B)} undefined: {Markup.Escape(p.DirectUndefinedReason ?? "")}[/]");
            if (explain)
                _out.MarkupLine("  [grey]Even with equal widths a direct correlation compares coordinates, and independently trained models have " +
                                "unrelated axes; only the geometry (RSA) is comparable.[/]");
            _out.WriteLine();
            var rot = r.Rotation;
            _out.MarkupLine($"[bold]Rotation control[/]: {Markup.Escape(rot.Model)} vs a randomly rotated copy of itself: " +
                            $"direct r = {F(rot.DirectCorrelationMean)} (chance ±{F(rot.ExpectedSpread)}), RSA r = {F(rot.RsaPearson)}");
            if (explain)
                _out.MarkupLine("  [grey]A rotation keeps every angle between word vectors, so RSA stays 1, but scrambles the coordinates, so the " +
                                "direct correlation drops to about 0: direct correlation measures shared axes, not shared meaning.[/]");
            if (r.Pairs.Any(p => p.SharedLineage)) _out.MarkupLine("[yellow]*[/] shared lineage (see the note below)");
        },
        r.Notes, r.Timings, verboseDetail: null);

    public void Print(VocabularyAnalysisResult r) => Print(
        r.Models, r.Options.Permutations, withInterval: false,
        r.Pairs.Select(p => new Row(p.A, p.B, p.Pearson, p.Spearman, p.PearsonTest, null, p.Direct, p.SharedLineage)).ToList(),
        words: () =>
        {
            _out.WriteLine();
            var v = r.Vocabulary;
            _out.MarkupLine($"[bold]Shared vocabulary[/]: {v.SharedCount:N0} letters-only words are one whole token in every model" +
                            (v.MinFrequencyRank is int mr ? $"; {v.AfterRankFilter:N0} from frequency rank {mr}" : "") +
                            (v.Limit is int l ? $"; first {l:N0} kept" : "") +
                            $" → [bold]{r.Words.Count:N0} words, {CondensedIndex.Length(r.Words.Count):N0} word pairs[/] (frequency order: {Markup.Escape(v.FrequencyOrderFrom)})");
            _out.WriteLine();
        },
        afterTable: () =>
        {
            var rot = r.Rotation;
            _out.MarkupLine($"[bold]Rotation control[/]: {Markup.Escape(rot.Model)} vs a randomly rotated copy: direct r = {F(rot.DirectCorrelationMean)}, RSA r = {F(rot.RsaPearson)}");
        },
        r.Notes.Skip(1), r.Timings,
        verboseDetail: () =>
        {
            foreach (var p in r.Pairs)
                _out.MarkupLine($"[grey]{Markup.Escape(p.A)}–{Markup.Escape(p.B)}: peak {p.Detail.PeakBytes / 1048576.0:0} MiB; " +
                                Markup.Escape(string.Join(", ", p.Detail.Routes.Select(kv => $"{kv.Key.Name()} by {kv.Value}"))) + "[/]");
        });

    private void Print(IEnumerable<ModelSummary> models, int permutations, bool withInterval, IReadOnlyList<Row> rows,
        Action words, Action afterTable, IEnumerable<string> notes, IReadOnlyList<StageTiming> timings, Action? verboseDetail)
    {
        _out.WriteLine();
        _out.MarkupLine("[bold]Models[/] (vocabulary × dims)");
        foreach (var m in models) _out.MarkupLine($"  {Markup.Escape(m.ToString())}   [grey]{Markup.Escape(m.Source)}[/]");
        words();
        string pHeader = permutations > 0 ? $"p ({permutations:N0} perm.)" : "p";
        var table = new Table().Border(TableBorder.Rounded).AddColumn("models")
            .AddColumn(new TableColumn("Pearson r").RightAligned()).AddColumn(new TableColumn("Spearman ρ").RightAligned())
            .AddColumn(new TableColumn(Markup.Escape(pHeader)).RightAligned());
        if (withInterval) table.AddColumn(new TableColumn("95% CI").RightAligned());
        table.AddColumn(new TableColumn("direct r").RightAligned());
        foreach (var p in rows)
        {
            var cells = new List<string>
            {
                Markup.Escape($"{p.A} – {p.B}"), F(p.Pearson), F(p.Spearman),
                p.Test is { } t ? Markup.Escape(PValue.Value(t.PValue, t.Permutations)) : "–",
            };
            if (withInterval) cells.Add(p.Interval is { } ci ? $"{F(ci.Lower)}–{F(ci.Upper)}" : "–");
            cells.Add(p.Direct is { } d ? F(d.Mean) + (p.SharedLineage ? " [yellow]*[/]" : "") : "[grey]undefined[/]");
            table.AddRow(cells.ToArray());
        }
        _out.Write(table);
        afterTable();
        foreach (var note in notes) _out.MarkupLine($"[yellow]Note[/]: {Markup.Escape(note)}");
        if (verbose)
        {
            _out.WriteLine();
            foreach (var t in timings) _out.MarkupLine($"[grey]{Markup.Escape(t.Stage)}: {Seconds(t.Elapsed)}[/]");
            verboseDetail?.Invoke();
        }
    }

    /// <summary>"Wrote N files to FOLDER (what)".</summary>
    public void Written<T>(RunResult<T> r, string folder, string? what = null)
    {
        _out.WriteLine();
        _out.MarkupLine($"Wrote {r.Files.Count} files to [bold]{Markup.Escape(Path.GetFullPath(folder))}[/]" +
                        (what is null ? "" : $" ({Markup.Escape(what)})") + (verbose ? $" [grey]in {Seconds(r.WriteTime)}[/]" : ""));
    }

    private static string F(double v) => NumberFormat.Fixed(v);
    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";
}
