using System.ComponentModel;
using System.Globalization;
using Simile.Analyses;
using Simile.Analyses.Planning;
using Simile.Comparison;
using Simile.Comparison.Measures;
using Simile.Data;
using Simile.Similarity;
using Simile.Reports;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Simile.Cli.Commands;

/// <summary><c>simile compare A B</c>: how similarly two matrices of the same items represent them.</summary>
public sealed class CompareCommand : Command<CompareCommand.Settings>
{
    public sealed class Settings : MatrixInputSettings, IMeasureParameterOptions
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
        [Description("Comma-separated: pearson,spearman,kendall_tau_b,tau_a,rho_a,cosine,cka,procrustes,direct (default: all), and any name from 'simile measures' (mutual_knn, cknna, svcca, shape_metric, ...; JSON block \"measures\").")]
        public string? Measures { get; init; }

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

        [CommandOption("--permutations <N>")]
        [Description("Item permutations for p-values of Pearson and Spearman RSA (0: no test).")]
        [DefaultValue(0)]
        public int Permutations { get; init; }

        [CommandOption("--bootstrap <N>")]
        [Description("Bootstrap resamples of items for a 95% interval of Pearson RSA (0: none).")]
        [DefaultValue(0)]
        public int Bootstrap { get; init; }

        public override ValidationResult Validate()
        {
            MeasureParameterOptions.Check(this);
            OptionLimits.Size("--memory", Memory);
            return OptionLimits.Validate(("--permutations", Permutations), ("--bootstrap", Bootstrap), ("--seed", Seed));
        }

        [CommandOption("--seed <S>")]
        [Description("Seed for permutations and bootstrap; the same seed gives the same results on any machine.")]
        [DefaultValue(0UL)]
        public ulong Seed { get; init; }

        [CommandOption("--memory <SIZE>")]
        [Description("Memory the comparison may use, e.g. 2GB (default: 80% of the memory available). Over it, compare stops before allocating and says what would fit.")]
        public string? Memory { get; init; }

        [CommandOption("--route <ROUTE>")]
        [Description("auto (default: explicit condensed vectors up to 3,000 items, n²-free routes above), explicit, or scale.")]
        [DefaultValue("auto")]
        public string Route { get; init; } = "auto";


        [CommandOption("--json")]
        [Description("Print exactly one JSON object on stdout instead of a table.")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (blocks, registry) = PairMeasures.ParseRequest(settings.Measures);
        var options = new PairComparisonOptions
        {
            Kind = DissimilarityKinds.Parse(settings.Rdm),
            Measures = blocks,
            RegistryMeasures = registry,
            MeasureParameters = MeasureParameterOptions.ToParameters(settings),
            Permutations = settings.Permutations,
            Bootstrap = settings.Bootstrap,
            Seed = settings.Seed,
            MemoryBudget = OptionLimits.Size("--memory", settings.Memory),
            Route = CliSupport.ParseRoute(settings.Route),
        };
        var read = settings.ReadOptions();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var a = MatrixFile.Read(settings.A, read);
        var b = MatrixFile.Read(settings.B, read);
        double readSeconds = clock.Elapsed.TotalSeconds;

        if (settings.Verbose)
            foreach (string line in PairComparison.Plan(a, b, options).Describe()) Console.Error.WriteLine(line);
        PairComparisonResult result;
        result = CliProgress.Stages(progress => PairComparison.Run(a, b, options with { Progress = progress }));
        if (settings.Verbose)
            Console.Error.WriteLine($"time: read {readSeconds:0.000} s, compute {clock.Elapsed.TotalSeconds - readSeconds:0.000} s, "
                + $"process {(DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime).TotalSeconds:0.000} s");

        if (settings.Json)
        {
            Console.Out.WriteLine(PairComparisonJson.Text(result));
            return 0;
        }
        WriteTable(CliSupport.Stdout(), result, settings.A, settings.B);
        return 0;
    }

    private static string F(double v) => NumberFormat.Fixed(v, "0.000000", "n/a");

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
        if (r.Measures is not null)
            foreach (var (name, value) in r.Measures)
            {
                string note = MeasureRegistry.Get(name).Direction == MeasureDirection.Distance ? "distance" : "similarity";
                var p = r.MeasurePermutations?.FirstOrDefault(m => m.Measure == name);
                var ci = r.MeasureBootstraps?.FirstOrDefault(m => m.Measure == name);
                if (p is not null) note += $", {PValue.Text(p.PValue, p.Permutations)}";
                if (ci is not null) note += $", 95% CI {F(ci.Lower)} .. {F(ci.Upper)}";
                table.AddRow(Markup.Escape(name), F(value), Markup.Escape(note));
            }
        if (r.Permutation is not null && double.IsFinite(r.Permutation.PPearson))
        {
            table.AddRow("p (Pearson)", Markup.Escape(PValue.Value(r.Permutation.PPearson, r.Permutation.N)), $"{r.Permutation.N} permutations, seed {r.Permutation.Seed}");
            table.AddRow("p (Spearman)", Markup.Escape(PValue.Value(r.Permutation.PSpearman, r.Permutation.N)), $"{r.Permutation.N} permutations, seed {r.Permutation.Seed}");
        }
        if (r.Bootstrap is not null && double.IsFinite(r.Bootstrap.PearsonLower))
            table.AddRow("Pearson 95% CI", $"{F(r.Bootstrap.PearsonLower)} .. {F(r.Bootstrap.PearsonUpper)}",
                $"{r.Bootstrap.N} resamples, seed {r.Bootstrap.Seed}");
        console.Write(table);
        foreach (string note in r.Notes) console.MarkupLine($"[grey]note: {Markup.Escape(note)}[/]");
    }
}
