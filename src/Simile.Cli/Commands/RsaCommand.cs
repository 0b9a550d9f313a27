using System.ComponentModel;
using Simile.Analyses;
using Simile.Data;
using Simile.Reports;
using Simile.Reports.Runs;
using Simile.Similarity;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Simile.Cli.Commands;

/// <summary><c>simile rsa</c>: the seed analysis (part 1) for every pair of the given models.</summary>
public sealed class RsaCommand : Command<RsaCommand.Settings>
{
    public sealed class Settings : ReportRunSettings
    {
        [CommandOption("-m|--model <MODEL>")]
        [Description("A model name from 'simile models' or a path; give two or more (repeat the option), or one with --target.")]
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

        [CommandOption("--vocabulary <SET>")]
        [Description("'shared': instead of a word list, every letters-only word all models know as one whole token.")]
        public string? Vocabulary { get; set; }

        [CommandOption("--target <FILE>")]
        [Description("Compare each model with human ratings of word pairs (SimLex-999, WordSim-353, MEN, word1<TAB>word2<TAB>score) or subject RDMs (square CSV/TSV with words as header row and first column; one file per subject). Repeat for several.")]
        public string[] Targets { get; set; } = [];

        [CommandOption("--target-measure <MEASURE>")]
        [Description("How model and target are compared: spearman (default), pearson (alias corr), kendall-tau-a (alias tau-a), rho-a.")]
        public string TargetMeasure { get; set; } = "spearman";

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
            if (Targets.Length > 0 && Vocabulary is not null)
                return ValidationResult.Error("--target goes with a word list, not with --vocabulary shared");
            OptionLimits.Size("--memory", Memory);
            return OptionLimits.Validate(("--permutations", Permutations), ("--bootstrap", Bootstrap), ("--seed", Seed),
                ("--limit", Limit), ("--min-frequency-rank", MinFrequencyRank));
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Targets.Length > 0) return RunTargets(settings);
        if (settings.Models.Length < 2)
            throw new SimileException($"rsa needs at least two models, got {settings.Models.Length}",
                "name two or more models, e.g. --model minilm --model arctic-xs, or compare one model with people using --target FILE (see 'simile models')");
        using var outputLock = OutputLock.ForFolder(settings.Out);
        var output = settings.Output();
        var options = Options(settings.Rdm, settings.PermutationsOrDefault, settings.Bootstrap, settings.Seed, settings.Subword, settings.SkipMissing)
            with { MemoryBudget = OptionLimits.Size("--memory", settings.Memory) };
        var summary = new RunSummary(settings.Verbose);
        if (settings.Vocabulary is not null)
        {
            var r = CliProgress.Stages(p => WordListRun.Vocabulary(settings.Models, settings.Limit, settings.MinFrequencyRank, options, output, p));
            summary.Loading(r);
            summary.Print(r.Analysis);
            summary.Written(r, settings.Out);
        }
        else
        {
            var words = ReadWords(settings.Words);
            var r = CliProgress.Stages(p => WordListRun.Words(settings.Models, words, options, output, progress: p));
            summary.Loading(r);
            summary.Print(r.Analysis, explain: false);
            summary.Written(r, settings.Out, SeedReportFiles);
        }
        return 0;
    }

    /// <summary>
    /// rsa with targets: one model is enough. The word-list analysis runs as well when there are two or more models or
    /// --words is given.
    /// </summary>
    private static int RunTargets(Settings settings)
    {
        if (settings.Models.Length < 1)
            throw new SimileException("rsa --target needs a model", "name one or more models, e.g. --model glove-100d --target wordsim353.csv");
        var targetOptions = new Simile.Analyses.Targets.TargetOptions
        {
            Measure = Simile.Analyses.Targets.TargetMeasures.Parse(settings.TargetMeasure),
            Permutations = settings.PermutationsOrDefault,
            Bootstrap = settings.Bootstrap,
            Seed = settings.Seed,
            Subword = CliSupport.ParseSubword(settings.Subword),
        };
        var words = settings.Words is not null || settings.Models.Length >= 2 ? ReadWords(settings.Words) : null;
        using var outputLock = OutputLock.ForFolder(settings.Out);
        var options = Options(settings.Rdm, settings.PermutationsOrDefault, settings.Bootstrap, settings.Seed, settings.Subword, settings.SkipMissing)
            with { MemoryBudget = OptionLimits.Size("--memory", settings.Memory) };
        var summary = new RunSummary(settings.Verbose);
        var r = CliProgress.Stages(p => TargetRun.Rsa(settings.Models, words, options, settings.Targets, targetOptions, settings.Output(), p));
        summary.Loading(r);
        if (r.Analysis.Analysis is { } analysis) summary.Print(analysis, explain: false);
        PrintTargets(CliSupport.Stdout(), r.Analysis.Targets);
        summary.Written(r, settings.Out, r.Analysis.Analysis is null ? "report.html, results.json, figures as PNG + SVG" : SeedReportFiles);
        return 0;
    }

    /// <summary>One table per target: model, representation, pairs used, value, p, interval; the noise ceiling under it.</summary>
    internal static void PrintTargets(IAnsiConsole console, IReadOnlyList<Simile.Analyses.Targets.TargetResult> targets)
    {
        foreach (var t in targets)
        {
            console.MarkupLine($"[bold]{Markup.Escape(t.Target.Name)}[/] ({t.Target.KindName}, {t.MeasureName}" +
                               (t.Target.SubjectCount > 1 ? $", {t.Target.SubjectCount} subjects" : "") + ")" +
                               (t.NoiseCeiling is { } nc ? $": noise ceiling {F(nc.Lower)} – {F(nc.Upper)}" : ""));
            var table = new Table().AddColumn("model").AddColumn("representation").AddColumn(new TableColumn("pairs").RightAligned())
                .AddColumn(new TableColumn("value").RightAligned()).AddColumn(new TableColumn("p").RightAligned()).AddColumn(new TableColumn("95% CI").RightAligned());
            foreach (var v in t.Results)
                table.AddRow(Markup.Escape(v.Model), Markup.Escape(v.Representation), $"{v.PairsUsed}/{t.Target.PairCount}", F(v.Value),
                    v.PValue is double p ? Markup.Escape(PValue.Value(p, t.Options.Permutations)) : "–",
                    v.Lower is double lo && v.Upper is double hi ? Markup.Escape($"[{F(lo)}, {F(hi)}]") : "–");
            console.Write(table);
        }
    }

    private static string F(double v) => NumberFormat.Fixed(v, "0.000", "n/a");

    /// <summary>What the word-list report folder holds (for the "Wrote N files" line).</summary>
    internal const string SeedReportFiles = "report.html, results.json, figures as PNG + SVG, matrices as CSV";

    internal static SeedAnalysisOptions Options(string rdm, int permutations, int bootstrap, ulong seed, string subword, bool skipMissing) =>
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
    internal static WordList ReadWords(string? path)
    {
        var words = CliSupport.LoadWords(path);
        WordSelection.Validate(words, path ?? "data/seed-words.tsv");
        return words;
    }
}
