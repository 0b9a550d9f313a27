using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Simile.Analyses;
using Simile.Comparison;
using Simile.Data;
using Simile.Models;
using Simile.Reports;
using Simile.Similarity;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Simile.Cli.Commands;

/// <summary><c>simile rsa</c>: the seed analysis (part 1) for every pair of the given models.</summary>
public sealed class RsaCommand : Command<RsaCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-m|--model <MODEL>")]
        [Description("A model name from 'simile models' or a path; give two or more (repeat the option).")]
        public string[] Models { get; set; } = [];

        [CommandOption("-w|--words <FILE>")]
        [Description("Word list TSV (header 'word<TAB>category'). Default: the 34 seed words (data/seed-words.tsv).")]
        public string? Words { get; set; }

        [CommandOption("--rdm <KIND>")]
        [Description("Within-model matrix: cosine (default), correlation, euclidean, sqeuclidean-per-feature.")]
        public string Rdm { get; set; } = "cosine";

        [CommandOption("--permutations <N>")]
        [Description("Permutations for the p-value (default 10000, or 100 with --vocabulary shared; 0 = no test).")]
        public int? Permutations { get; set; }

        /// <summary>Each permutation of a whole vocabulary costs a full O(n·dA·dB) pass, so that default is smaller.</summary>
        public int PermutationsOrDefault => Permutations ?? (Vocabulary is null ? 10_000 : 100);

        [CommandOption("--bootstrap <N>")]
        [Description("Bootstrap resamples for the 95% interval (default 1000; 0 = none).")]
        public int Bootstrap { get; set; } = 1_000;

        [CommandOption("--seed <S>")]
        [Description("Seed of every random draw (default 0).")]
        public ulong Seed { get; set; } = 0;

        [CommandOption("--subword <POLICY>")]
        [Description("Words split into several tokens: error (default), mean, first, last.")]
        public string Subword { get; set; } = "error";

        [CommandOption("--skip-missing")]
        [Description("Drop words a model lacks from every model (and say which) instead of failing.")]
        public bool SkipMissing { get; set; }

        [CommandOption("--memory <SIZE>")]
        [Description("Memory the analysis may use, e.g. 4GB (default: 80% of the memory available); checked before the matrices are built.")]
        public string? Memory { get; set; }

        [CommandOption("-o|--out <DIR>")]
        [Description("Output folder (default ./simile-out).")]
        public string Out { get; set; } = "simile-out";

        [CommandOption("--figure-size <SIZE>")]
        [Description("Figures for 'screen' (default), 'paper' (3.3 in column, text ≥ 7 pt, PNG 300 dpi) or a width in inches.")]
        public string FigureSizeOption { get; set; } = "screen";

        [CommandOption("-v|--verbose")]
        [Description("Print load and compute times.")]
        public bool Verbose { get; set; }

        [CommandOption("--vocabulary <SET>")]
        [Description("'shared': instead of a word list, every letters-only word all models know as one whole token.")]
        public string? Vocabulary { get; set; }

        [CommandOption("--limit <N>")]
        [Description("With --vocabulary shared: keep the first N words in frequency order.")]
        public int? Limit { get; set; }

        [CommandOption("--min-frequency-rank <R>")]
        [Description("With --vocabulary shared: skip words more frequent than rank R (1 = the most frequent).")]
        public int? MinFrequencyRank { get; set; }

        public override ValidationResult Validate()
        {
            if (Vocabulary is not null && Vocabulary.Trim().ToLowerInvariant() != "shared")
                return ValidationResult.Error($"--vocabulary '{Vocabulary}' is not known; use --vocabulary shared");
            if (Vocabulary is not null && Words is not null)
                return ValidationResult.Error("give either --words or --vocabulary shared, not both");
            if (Vocabulary is null && (Limit is not null || MinFrequencyRank is not null))
                return ValidationResult.Error("--limit and --min-frequency-rank go with --vocabulary shared");
            if (Permutations is < 0) return ValidationResult.Error("--permutations must be 0 or more");
            if (Bootstrap < 0) return ValidationResult.Error("--bootstrap must be 0 or more");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Models.Length < 2)
            throw new SimileException($"rsa needs at least two models, got {settings.Models.Length}",
                "name two or more models, e.g. --model minilm --model arctic-xs (see 'simile models')");
        var run = new SeedRun(settings.Out, settings.Verbose) { Figures = FigureSize.Parse(settings.FigureSizeOption) };
        var options = SeedRun.Options(settings.Rdm, settings.PermutationsOrDefault, settings.Bootstrap, settings.Seed, settings.Subword, settings.SkipMissing)
            with { MemoryBudget = settings.Memory is null ? null : Simile.Analyses.Planning.MemoryBudget.Parse(settings.Memory) };
        if (settings.Vocabulary is not null)
            run.RunVocabularyAnalysis(settings.Models, settings.Limit, settings.MinFrequencyRank, options);
        else
            run.RunSeedAnalysis(settings.Models, new HashSet<string>(), SeedRun.ReadWords(settings.Words), options, explain: false);
        return 0;
    }
}

/// <summary>The shared body of <c>rsa</c> and <c>demo</c>: load, analyse with progress bars, print, write.</summary>
internal sealed class SeedRun(string outFolder, bool verbose)
{
    /// <summary>Opens a model by catalogue name or path. Tests may replace it with fakes.</summary>
    internal static Func<string, IProgress<double>?, IWordEmbeddings> OpenModel { get; set; } = ModelCatalogue.Resolve;

    private readonly IAnsiConsole _out = Wide(AnsiConsole.Console);

    /// <summary>Size of the figures (--figure-size).</summary>
    public FigureSize Figures { get; init; } = FigureSize.Screen;

    /// <summary>Path of a second part's results.json relative to the output folder, named in results.json (demo).</summary>
    public string? PartTwoResults { get; init; }

    /// <summary>Piped output has no terminal width; 120 columns keep the summary table on one line per pair.</summary>
    private static IAnsiConsole Wide(IAnsiConsole console)
    {
        if (Console.IsOutputRedirected && console.Profile.Width < 120) console.Profile.Width = 120;
        return console;
    }

    public static SeedAnalysisOptions Options(string rdm, int permutations, int bootstrap, ulong seed, string subword, bool skipMissing) =>
        new()
        {
            Kind = DissimilarityKinds.Parse(rdm),
            Permutations = permutations,
            BootstrapResamples = bootstrap,
            Seed = seed,
            Subword = CliSupport.ParseSubword(subword),
            SkipMissing = skipMissing,
        };

    /// <summary>The given word list, or the seed list shipped in the repository (data/seed-words.tsv), checked for RSA.</summary>
    public static WordList ReadWords(string? path)
    {
        var words = CliSupport.LoadWords(path);
        WordSelection.Validate(words, path ?? "data/seed-words.tsv");
        return words;
    }

    /// <summary>The whole word-list run: load the models, analyse, print the summary, write the outputs, release the models.</summary>
    /// <param name="partTwo">Optional further section (the demo's layers part): runs after the summary and returns an
    /// HTML fragment that report.html embeds.</param>
    public void RunSeedAnalysis(IReadOnlyList<string> names, IReadOnlySet<string> optional, WordList words, SeedAnalysisOptions options,
        bool explain, Func<WordList, string>? partTwo = null) =>
        WithModels(names, optional, models =>
        {
            var result = Analyse(models, words, options);
            PrintSummary(result, explain);
            WriteOutputs(result, partTwo?.Invoke(words));
        });

    /// <summary>The whole shared-vocabulary run (<c>--vocabulary shared</c>), as <see cref="RunSeedAnalysis"/>.</summary>
    public void RunVocabularyAnalysis(IReadOnlyList<string> names, int? limit, int? minRank, SeedAnalysisOptions options) =>
        WithModels(names, new HashSet<string>(), models =>
        {
            var result = AnalyseVocabulary(models, limit, minRank, options);
            PrintSummary(result);
            WriteOutputs(result);
        });

    private void WithModels(IReadOnlyList<string> names, IReadOnlySet<string> optional, Action<List<IWordEmbeddings>> work)
    {
        var models = LoadModels(names, optional);
        try { work(models); }
        finally
        {
            foreach (var m in models) m.Dispose();
        }
    }

    /// <summary>Loads the models (checking the output folder first, so a bad --out fails before any long work).</summary>
    public List<IWordEmbeddings> LoadModels(IReadOnlyList<string> names, IReadOnlySet<string> optional)
    {
        OutputPath.CheckFolder(outFolder);
        var models = new List<IWordEmbeddings>();
        try
        {
            foreach (string name in names)
            {
                var clock = Stopwatch.StartNew();
                IWordEmbeddings? model = null;
                try
                {
                    model = CliProgress.Run($"loading {name}", p => OpenModel(name, p));
                }
                catch (SimileException e) when (optional.Contains(name))
                {
                    _out.MarkupLine($"[yellow]{Markup.Escape(name)} is not available[/] ({Markup.Escape(e.OneLine)}); carrying on without it.");
                    continue;
                }
                models.Add(model!);
                if (verbose) _out.MarkupLine($"[grey]loaded {Markup.Escape(name)} in {Seconds(clock.Elapsed)}[/]");
            }
        }
        catch
        {
            foreach (var m in models) m.Dispose();
            throw;
        }
        return models;
    }

    /// <summary>Runs the analysis with a progress bar per long stage.</summary>
    public SeedAnalysisResult Analyse(IReadOnlyList<IWordEmbeddings> models, WordList words, SeedAnalysisOptions options)
        => CliProgress.Stages(progress => SeedAnalysis.Run(models, words, options, progress));

    public VocabularyAnalysisResult AnalyseVocabulary(IReadOnlyList<IWordEmbeddings> models, int? limit, int? minRank, SeedAnalysisOptions options)
        => CliProgress.Stages(progress => SharedVocabularyAnalysis.Run(models, limit, minRank, options, progress));

    public void PrintSummary(VocabularyAnalysisResult r)
    {
        _out.WriteLine();
        _out.MarkupLine("[bold]Models[/] (vocabulary × dims)");
        foreach (var m in r.Models) _out.MarkupLine($"  {Markup.Escape(m.ToString())}   [grey]{Markup.Escape(m.Source)}[/]");
        _out.WriteLine();
        var v = r.Vocabulary;
        _out.MarkupLine($"[bold]Shared vocabulary[/]: {v.SharedCount:N0} letters-only words are one whole token in every model" +
                        (v.MinFrequencyRank is int mr ? $"; {v.AfterRankFilter:N0} from frequency rank {mr}" : "") +
                        (v.Limit is int l ? $"; first {l:N0} kept" : "") +
                        $" → [bold]{r.Words.Count:N0} words, {CondensedIndex.Length(r.Words.Count):N0} word pairs[/] (frequency order: {Markup.Escape(v.FrequencyOrderFrom)})");
        _out.WriteLine();
        string pHeader = r.Options.Permutations > 0 ? $"p ({r.Options.Permutations:N0} perm.)" : "p";
        var table = new Table().Border(TableBorder.Rounded).AddColumn("models")
            .AddColumn(new TableColumn("Pearson r").RightAligned()).AddColumn(new TableColumn("Spearman ρ").RightAligned())
            .AddColumn(new TableColumn(Markup.Escape(pHeader)).RightAligned()).AddColumn(new TableColumn("direct r").RightAligned());
        foreach (var p in r.Pairs)
            table.AddRow(Markup.Escape($"{p.A} – {p.B}"), F(p.Pearson), F(p.Spearman),
                p.PearsonTest is { } t ? Markup.Escape(PValue.Value(t.PValue, t.Permutations)) : "–",
                p.Direct is { } d ? F(d.Mean) + (p.SharedLineage ? " [yellow]*[/]" : "") : "[grey]undefined[/]");
        _out.Write(table);
        var rot = r.Rotation;
        _out.MarkupLine($"[bold]Rotation control[/]: {Markup.Escape(rot.Model)} vs a randomly rotated copy: direct r = {F(rot.DirectCorrelationMean)}, RSA r = {F(rot.RsaPearson)}");
        foreach (var note in r.Notes.Skip(1)) _out.MarkupLine($"[yellow]Note[/]: {Markup.Escape(note)}");
        if (verbose)
        {
            _out.WriteLine();
            foreach (var t in r.Timings) _out.MarkupLine($"[grey]{Markup.Escape(t.Stage)}: {Seconds(t.Elapsed)}[/]");
            foreach (var p in r.Pairs)
                _out.MarkupLine($"[grey]{Markup.Escape(p.A)}–{Markup.Escape(p.B)}: peak {p.Detail.PeakBytes / 1048576.0:0} MiB; " +
                                Markup.Escape(string.Join(", ", p.Detail.Routes.Select(kv => $"{kv.Key.Name()} by {kv.Value}"))) + "[/]");
        }
    }

    public void WriteOutputs(VocabularyAnalysisResult r)
    {
        var clock = Stopwatch.StartNew();
        IReadOnlyList<string> written = [];
        CliProgress.Run("drawing figures and writing the report", _ => written = VocabularyReport.Write(r, outFolder, Figures));
        _out.WriteLine();
        _out.MarkupLine($"Wrote {written.Count} files to [bold]{Markup.Escape(Path.GetFullPath(outFolder))}[/]" +
                        $"{(verbose ? $" [grey]in {Seconds(clock.Elapsed)}[/]" : "")}");
    }

    public void PrintSummary(SeedAnalysisResult r, bool explain)
    {
        _out.WriteLine();
        _out.MarkupLine("[bold]Models[/] (vocabulary × dims)");
        foreach (var m in r.Models) _out.MarkupLine($"  {Markup.Escape(m.Model.ToString())}   [grey]{Markup.Escape(m.Model.Source)}[/]");

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
        string quantity = SeedReport.QuantityName(r.Kind);
        _out.MarkupLine($"[bold]RSA[/]: Pearson and Spearman correlation of the {Markup.Escape(quantity)} matrices, every pair of models");
        string pHeader = r.Options.Permutations > 0 ? $"p ({r.Options.Permutations:N0} perm.)" : "p";
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("models")
            .AddColumn(new TableColumn("Pearson r").RightAligned()).AddColumn(new TableColumn("Spearman ρ").RightAligned())
            .AddColumn(new TableColumn(Markup.Escape(pHeader)).RightAligned()).AddColumn(new TableColumn("95% CI").RightAligned())
            .AddColumn(new TableColumn("direct r").RightAligned());
        foreach (var p in r.Pairs)
            table.AddRow(Markup.Escape($"{p.A} – {p.B}"), F(p.Pearson), F(p.Spearman),
                p.PearsonTest is { } t ? Markup.Escape(PValue.Value(t.PValue, t.Permutations)) : "–",
                p.PearsonInterval is { } ci ? $"{F(ci.Lower)}–{F(ci.Upper)}" : "–",
                p.Direct is { } d ? F(d.Mean) + (p.SharedLineage ? " [yellow]*[/]" : "") : "[grey]undefined[/]");
        _out.Write(table);

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
        foreach (var note in r.Notes) _out.MarkupLine($"[yellow]Note[/]: {Markup.Escape(note)}");

        if (verbose)
        {
            _out.WriteLine();
            foreach (var t in r.Timings) _out.MarkupLine($"[grey]{Markup.Escape(t.Stage)}: {Seconds(t.Elapsed)}[/]");
        }
    }

    public void WriteOutputs(SeedAnalysisResult r, string? partTwoHtml = null)
    {
        var clock = Stopwatch.StartNew();
        IReadOnlyList<string> written = [];
        CliProgress.Run("drawing figures and writing the report", _ => written = SeedReport.Write(r, outFolder, partTwoHtml, Figures, partTwoHtml is null ? null : PartTwoResults));
        _out.WriteLine();
        _out.MarkupLine($"Wrote {written.Count} files to [bold]{Markup.Escape(Path.GetFullPath(outFolder))}[/] " +
                        $"(report.html, results.json, figures as PNG + SVG, matrices as CSV){(verbose ? $" [grey]in {Seconds(clock.Elapsed)}[/]" : "")}");
    }

    /// <summary>"≤ 1.0e-04" at the resolution limit of the test, else the value.</summary>
    private static string F(double v) => NumberFormat.Fixed(v);
    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";

}
