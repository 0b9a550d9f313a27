using System.ComponentModel;
using System.Globalization;
using Simile.Analyses.Layers;
using Simile.Data;
using Simile.Models;
using Simile.Reports;
using Simile.Reports.Runs;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Simile.Cli.Commands;

/// <summary><c>simile layers</c>: RSA through every layer of one or two transformers, categories, anisotropy, maps.</summary>
public sealed class LayersCommand : Command<LayersCommand.Settings>
{
    public sealed class Settings : WordContextSettings, IMeasureParameterOptions
    {
        protected override ContextSpec DefaultContext => ContextSpec.Neutral;

        [CommandOption("-m|--model <MODEL>")]
        [Description("A transformer: minilm, arctic-xs, a Hugging Face folder or a BERT-style .onnx. Give it once or twice.")]
        public string[] Models { get; init; } = [];

        [CommandOption("--normalize <KIND>")]
        [Description("Before similarity: none (default), center, zscore, or remove-pcs:K (remove the top K principal components).")]
        [DefaultValue("none")]
        public string Normalize { get; init; } = "none";

        [CommandOption("--permutations <N>")]
        [Description("Permutations for the max-calibrated grid p-values and the category RSA p-values (default 1000; 0 = none).")]
        [DefaultValue(1000)]
        public int Permutations { get; init; } = 1000;

        [CommandOption("--bootstrap <N>")]
        [Description("Bootstrap resamples for the selectivity intervals (default 1000; 0 = none).")]
        [DefaultValue(1000)]
        public int Bootstrap { get; init; } = 1000;

        [CommandOption("--memory <SIZE>")]
        [Description("Memory the analysis may use, e.g. 4GB (default: 80% of the memory available); checked before the matrices are built.")]
        public string? Memory { get; init; }

        [CommandOption("--seed <S>")]
        [Description("Seed for permutations and bootstrap (default 0); the same seed gives the same results on any machine.")]
        [DefaultValue(0UL)]
        public ulong Seed { get; init; }

        [CommandOption("--measure <NAME>")]
        [Description("Fill the layer × layer grids with this registered measure instead of Pearson RSA (see 'simile measures'), e.g. mutual_knn, cknna, cka.")]
        public string? Measure { get; init; }

        [CommandOption(MeasureParameterOptions.Neighbours)]
        [Description(MeasureParameterOptions.NeighboursHelp)]
        [DefaultValue(MeasureParameterOptions.DefaultNeighbours)]
        public int K { get; init; } = MeasureParameterOptions.DefaultNeighbours;

        [CommandOption(MeasureParameterOptions.Alpha)]
        [Description(MeasureParameterOptions.AlphaHelp)]
        [DefaultValue(MeasureParameterOptions.DefaultAlpha)]
        public double Alpha { get; init; } = MeasureParameterOptions.DefaultAlpha;

        [CommandOption(MeasureParameterOptions.Score)]
        [Description(MeasureParameterOptions.ScoreHelp)]
        [DefaultValue(MeasureParameterOptions.DefaultScore)]
        public string Score { get; init; } = MeasureParameterOptions.DefaultScore;

        [CommandOption(MeasureParameterOptions.RbfThreshold)]
        [Description(MeasureParameterOptions.RbfThresholdHelp)]
        [DefaultValue(MeasureParameterOptions.DefaultRbfThreshold)]
        public double RbfThreshold { get; init; } = MeasureParameterOptions.DefaultRbfThreshold;

        [CommandOption("--target <FILE>")]
        [Description("Compare every representation with human ratings of word pairs or subject RDMs (see 'simile rsa --help'). Repeat for several.")]
        public string[] Targets { get; init; } = [];

        [CommandOption("--target-measure <MEASURE>")]
        [Description("How representations and targets are compared: spearman (default), pearson (alias corr), kendall-tau-a (alias tau-a), rho-a.")]
        [DefaultValue("spearman")]
        public string TargetMeasure { get; init; } = "spearman";

        [CommandOption("--figure-size <SIZE>")]
        [Description("Figures for 'screen' (default), 'paper' (3.3 in column, text ≥ 7 pt, PNG 300 dpi) or a width in inches.")]
        public string FigureSizeOption { get; init; } = "screen";

        [CommandOption("--svg-text <MODE>")]
        [Description("SVG text as 'text' (default) or 'paths' (glyph outlines: looks the same without DejaVu Sans, not selectable).")]
        public string SvgTextOption { get; init; } = "text";

        [CommandOption("-o|--out <DIR>")]
        [Description("Output folder for results.json, figures (PNG + SVG) and report.html (default: layers-out).")]
        [DefaultValue("layers-out")]
        public string Out { get; init; } = "layers-out";

        public override ValidationResult Validate()
        {
            if (Models.Length is < 1 or > 2) return ValidationResult.Error("give --model once or twice");
            if (ContextProblem() is { } problem) return ValidationResult.Error(problem);
            MeasureParameterOptions.Check(this);
            OptionLimits.Size("--memory", Memory);
            return OptionLimits.Validate(("--permutations", Permutations), ("--bootstrap", Bootstrap), ("--seed", Seed), ("--max-contexts", MaxContexts));
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var options = ParseOptions(settings);
        var words = settings.LoadWords();
        using var outputLock = OutputLock.ForFolder(settings.Out);
        LayerTargets? targets = settings.Targets.Length == 0 ? null : new LayerTargets(settings.Targets, new Simile.Analyses.Targets.TargetOptions
        {
            Measure = Simile.Analyses.Targets.TargetMeasures.Parse(settings.TargetMeasure),
            Permutations = settings.Permutations,
            Bootstrap = settings.Bootstrap,
            Seed = settings.Seed,
            Subword = options.Subword,
        });
        var r = CliProgress.Stages(p => LayersRun.Run(settings.Models, words, options,
            new RunOutput(settings.Out) { Figures = FigureSize.Parse(settings.FigureSizeOption).WithSvgText(settings.SvgTextOption) }, p, targets));
        Summarize(CliSupport.Stdout(), r.Analysis, settings.Out, r.Files.Count);
        if (r.Targets.Count > 0) RsaCommand.PrintTargets(CliSupport.Stdout(), r.Targets);
        return 0;
    }

    internal static LayerAnalysisOptions ParseOptions(Settings s) => new()
    {
        Context = s.Contexts(),
        Subword = s.SubwordPolicy(),
        Normalization = Normalization.Parse(s.Normalize),
        Permutations = s.Permutations,
        Bootstrap = s.Bootstrap,
        Seed = s.Seed,
        Measure = s.Measure is null ? null : Simile.Comparison.Measures.MeasureRegistry.Get(s.Measure).Name,
        MeasureParameters = MeasureParameterOptions.ToParameters(s),
        MemoryBudget = OptionLimits.Size("--memory", s.Memory),
    };

    private static string F(double v) => NumberFormat.Fixed(v, "0.000", "n/a");

    internal static void Summarize(IAnsiConsole console, LayerAnalysisResult r, string outDir, int files)
    {
        var counts = r.Models[0].Stack.ContextCounts;
        console.MarkupLine($"[bold]{Markup.Escape(string.Join(" and ", r.Models.Select(m => m.Model)))}[/]: {r.Words.Count} words, " +
                           $"context {Markup.Escape(r.Options.Context.ToString())} ({counts.Min()}–{counts.Max()} per word), " +
                           $"normalisation {Markup.Escape(r.Options.Normalization.ToString())}");
        var table = new Table().AddColumn("grid").AddColumn("best pair").AddColumn(new TableColumn("r").RightAligned())
            .AddColumn(new TableColumn("max-calibrated p").RightAligned());
        foreach (var m in r.Models)
            table.AddRow(Markup.Escape(m.Model + " within"), Markup.Escape($"{m.Within.RowLabels[m.Within.BestRow]} – {m.Within.ColumnLabels[m.Within.BestColumn]}"),
                F(m.Within.BestValue), Markup.Escape(PValue.Value(m.Within.MaxPValue, m.Within.Permutations)));
        foreach (var g in r.Across)
            table.AddRow(Markup.Escape($"{g.RowModel} × {g.ColumnModel}"), Markup.Escape($"{g.RowLabels[g.BestRow]} – {g.ColumnLabels[g.BestColumn]}"),
                F(g.BestValue), Markup.Escape(PValue.Value(g.MaxPValue, g.Permutations)));
        console.Write(table);
        var per = new Table().AddColumn("model").AddColumn("representation").AddColumn(new TableColumn("anisotropy").RightAligned());
        bool cats = r.Models.Any(m => m.CategoryRsa is not null);
        if (cats) per.AddColumn(new TableColumn("category RSA r").RightAligned()).AddColumn(new TableColumn("p").RightAligned());
        foreach (var m in r.Models)
            for (int i = 0; i < m.Labels.Count; i++)
            {
                var row = new List<string> { Markup.Escape(m.Model), Markup.Escape(m.Labels[i]), F(m.Anisotropy[i]) };
                if (cats) { row.Add(F(m.CategoryRsa![i].Pearson)); row.Add(Markup.Escape(PValue.Value(m.CategoryRsa[i].PValue, m.CategoryRsa[i].Permutations))); }
                per.AddRow(row.ToArray());
            }
        console.Write(per);
        foreach (var note in r.Notes) console.MarkupLine($"[grey]note: {Markup.Escape(note)}[/]");
        console.MarkupLine($"wrote {files} files to [bold]{Markup.Escape(Path.GetFullPath(outDir))}[/] (results.json, report.html, figures)");
    }
}
