using System.ComponentModel;
using System.Globalization;
using Simile.Analyses;
using Simile.Comparison;
using Simile.Data;
using Simile.Similarity;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Simile.Cli.Commands;

/// <summary><c>simile compare A B</c>: how similarly two matrices of the same items represent them.</summary>
public sealed class CompareCommand : Command<CompareCommand.Settings>
{
    public sealed class Settings : MatrixInputSettings
    {
        [CommandArgument(0, "<A>")]
        [Description("First items × features matrix (.csv, .tsv or .npy; rows = items).")]
        public string A { get; init; } = "";

        [CommandArgument(1, "<B>")]
        [Description("Second matrix of the same items (widths may differ).")]
        public string B { get; init; } = "";

        [CommandOption("--rdm <KIND>")]
        [Description("Within-model dissimilarity: cosine, correlation, euclidean, sqeuclidean-per-feature.")]
        [DefaultValue("cosine")]
        public string Rdm { get; init; } = "cosine";

        [CommandOption("--measures <LIST>")]
        [Description("Comma-separated: pearson,spearman,kendall_tau_b,tau_a,rho_a,cosine,cka,procrustes,direct (default: all).")]
        public string? Measures { get; init; }

        [CommandOption("--permutations <N>")]
        [Description("Item permutations for p-values of Pearson and Spearman RSA (0: no test).")]
        [DefaultValue(0)]
        public int Permutations { get; init; }

        [CommandOption("--bootstrap <N>")]
        [Description("Bootstrap resamples of items for a 95% interval of Pearson RSA (0: none).")]
        [DefaultValue(0)]
        public int Bootstrap { get; init; }

        public override ValidationResult Validate() =>
            OptionLimits.Validate(("--permutations", Permutations), ("--bootstrap", Bootstrap), ("--seed", Seed));

        [CommandOption("--seed <S>")]
        [Description("Seed for permutations and bootstrap; the same seed gives the same results on any machine.")]
        [DefaultValue(0UL)]
        public ulong Seed { get; init; }

        [CommandOption("--json")]
        [Description("Print exactly one JSON object on stdout instead of a table.")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var options = new PairComparisonOptions
        {
            Kind = DissimilarityKinds.Parse(settings.Rdm),
            Measures = PairMeasures.ParseList(settings.Measures),
            Permutations = settings.Permutations,
            Bootstrap = settings.Bootstrap,
            Seed = settings.Seed,
        };
        var read = settings.ReadOptions();
        var a = MatrixFile.Read(settings.A, read);
        var b = MatrixFile.Read(settings.B, read);

        PairComparisonResult result;
        using (var progress = CliSupport.Progress())
            result = PairComparison.Run(a, b, options with { Progress = progress });

        if (settings.Json)
        {
            Console.Out.WriteLine(result.ToJson());
            return 0;
        }
        WriteTable(CliSupport.Stdout(), result, settings.A, settings.B);
        return 0;
    }

    private static string F(double v) => double.IsFinite(v) ? v.ToString("0.000000", CultureInfo.InvariantCulture) : "n/a";

    internal static void WriteTable(IAnsiConsole console, PairComparisonResult r, string pathA, string pathB)
    {
        console.MarkupLine($"[bold]{Markup.Escape(pathA)}[/] ({r.FeaturesA} features) vs [bold]{Markup.Escape(pathB)}[/] ({r.FeaturesB} features), {r.Items} items");
        var table = new Table().AddColumn("measure").AddColumn(new TableColumn("value").RightAligned()).AddColumn("note");
        if (r.Rsa is not null)
            foreach (var s in r.Rsa)
                table.AddRow($"RSA {s.Measure.Name()}", F(s.Value), Markup.Escape($"{r.Rdm.Name()} RDMs"));
        if (r.Cka is not null)
        {
            table.AddRow("CKA linear", F(r.Cka.Linear), "");
            table.AddRow("CKA linear debiased", F(r.Cka.LinearDebiased), "");
        }
        if (r.Procrustes is not null)
            table.AddRow("Procrustes angular", F(r.Procrustes.Angular), "radians, 0 = same shape");
        if (r.DirectCorrelation is not null)
            table.AddRow("direct correlation", F(r.DirectCorrelation.Mean), "mean over items");
        if (r.Permutation is not null)
        {
            table.AddRow("p (Pearson)", F(r.Permutation.PPearson), $"{r.Permutation.N} permutations, seed {r.Permutation.Seed}");
            table.AddRow("p (Spearman)", F(r.Permutation.PSpearman), $"{r.Permutation.N} permutations, seed {r.Permutation.Seed}");
        }
        if (r.Bootstrap is not null)
            table.AddRow("Pearson 95% CI", $"{F(r.Bootstrap.PearsonLower)} .. {F(r.Bootstrap.PearsonUpper)}",
                $"{r.Bootstrap.N} resamples, seed {r.Bootstrap.Seed}");
        console.Write(table);
        foreach (string note in r.Notes) console.MarkupLine($"[grey]note: {Markup.Escape(note)}[/]");
    }
}
