using System.ComponentModel;
using System.Globalization;
using Simile.Analyses;
using Simile.Analyses.Grid;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Simile.Cli.Commands.Grid;

/// <summary><c>simile grid plan</c>: writes DIR/plan.json for a model-zoo comparison grid.</summary>
public sealed class GridPlanCommand : Command<GridPlanCommand.Settings>
{
    public sealed class Settings : VerbSettings
    {
        [CommandOption("-m|--model <MODEL>")]
        [Description("A model: minilm, arctic-xs, glove-100d, a Hugging Face folder, a BERT-style .onnx or a vector file. Repeatable.")]
        public string[] Models { get; init; } = [];

        [CommandOption("--words <FILE>")]
        [Description("Word list TSV (header 'word<TAB>category'). Default: the 34 seed words (data/seed-words.tsv). Copied into the plan.")]
        public string? Words { get; init; }

        [CommandOption("--representations <LIST>")]
        [Description("all (default), or a comma list of representation labels: token, 0..L, final. Static models have token only.")]
        [DefaultValue("all")]
        public string Representations { get; init; } = "all";

        [CommandOption("--context <TEXT>")]
        [Description("none (default: the word alone), neutral (built-in templates), or a template with {word}; repeatable.")]
        public string[] Context { get; init; } = [];

        [CommandOption("--subword <POLICY>")]
        [Description("A word split into several tokens: mean (default), first, last, or error.")]
        [DefaultValue("mean")]
        public string Subword { get; init; } = "mean";

        [CommandOption("--engine <ENGINE>")]
        [Description("For ONNX graphs: default, onnx or native.")]
        [DefaultValue("default")]
        public string Engine { get; init; } = "default";

        [CommandOption("--measures <LIST>")]
        [Description("Comma list: pearson, spearman, kendall_tau_b, cosine (RSA of cosine RDMs), cka, cka_debiased, procrustes. Default pearson,cka.")]
        [DefaultValue("pearson,cka")]
        public string Measures { get; init; } = "pearson,cka";

        [CommandOption("--permutations <N>")]
        [Description("Mantel permutations for each pair's p-value (Pearson RSA); 0 = none. Default 1000.")]
        [DefaultValue(1000)]
        public int Permutations { get; init; } = 1000;

        [CommandOption("--seed <SEED>")]
        [Description("Seed of the permutations (each pair gets its own stream from it). Default 0.")]
        [DefaultValue(0UL)]
        public ulong Seed { get; init; }

        [CommandOption("--shards <N>")]
        [Description("Comparison shards the sbatch scripts and merge expect (compare accepts any N). Default 4.")]
        [DefaultValue(4)]
        public int Shards { get; init; } = 4;

        [CommandOption("-o|--out <DIR>")]
        [Description("Plan folder: plan.json now; vectors/, shards/, results.json, grids/ and report.html later.")]
        public string? Out { get; init; }

        public override ValidationResult Validate()
        {
            if (Models.Length == 0) return ValidationResult.Error("give at least one -m MODEL");
            if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("give --out DIR");
            return OptionLimits.Validate(("--shards", Shards), ("--permutations", Permutations), ("--seed", Seed));
        }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var plan = GridPlan.Create(s.Models, CliSupport.LoadWords(s.Words), s.Representations, s.Context,
            CliSupport.ParseSubword(s.Subword), TransformerBackend.ParseEngine(s.Engine), [s.Measures], s.Permutations, s.Seed, s.Shards)
            .Write(s.Out!);
        var console = CliSupport.Stdout();
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote [bold]{Markup.Escape(Path.Combine(plan.Folder!, GridPlan.PlanFile))}[/]: {plan.Models.Count} model(s) ({Markup.Escape(string.Join(", ", plan.Models.Select(m => m.Name)))}), {plan.Words.Count} words, measures {Markup.Escape(string.Join(",", plan.Measures))}, {plan.Permutations} permutations, hash {plan.Hash[..12]}"));
        console.MarkupLine($"next: [bold]simile grid extract --plan {Markup.Escape(plan.Folder!)} --task K[/] for K = 0..{plan.Models.Count - 1}, then grid compare, grid merge (or grid run, or grid sbatch)");
        return 0;
    }
}
